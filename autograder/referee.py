"""Every line of every test cell runs in the grader; the student's kernel only answers calls.

The trust model: nothing the kernel says counts, except the plain data its
functions return. The test cells come from the master notebook (by grade id,
never from the submission), and the referee runs each one whole, its visible
check and its hidden tests, in the grader's own process, with the real numpy,
the real checks and the reference package. The kernel runs only the notebook's
other cells. A test cell's verdict is the referee's own: it passes unless its
code raises, and the cell's outputs are replaced by that verdict, so no output,
result or reply status of the kernel can change a score.

In a test cell, the names the master's setup cells import (`np`, `check`, ...) are
the grader's own modules. Any other name the cell uses but never defines belongs
to the notebook: the referee asks the kernel for it. A value (a number, an array)
is copied over; a function becomes a `StudentFunction`, whose calls run inside the
kernel, over a unix socket in the kernel's socket folder (autograder/wire.py,
which also describes the messages). While a test cell runs, the kernel runs the
one cell that answers those calls; the test runs in a thread of its own meanwhile,
as the grader's main thread waits for that cell.

No reference code enters the kernel. A test that grades a function on its own
binds the earlier exercise's name to the reference (`sigmoid = ref.sigmoid`): each
call of a student's function then carries that name as a stand-in, and the kernel,
which cannot see the reference, calls the grader back for it.

Rules about how a function is written (no Python loop) are checked on its source
as the notebook defined it: `StudentFunction.__source__` (autograder/definitions.py).

Each notebook's tests import the checks and the reference afresh, so nothing a
student's function leaves in their data reaches the next notebook.
"""
import ast
import builtins
import itertools
import socket
import sys
import threading
import types
import uuid
import warnings
from contextlib import suppress
from pathlib import Path

import numpy as np

from . import wire
from .definitions import Definitions

REFERENCE_PACKAGE = "solutions"
GRADER_PACKAGES = ("workbook_tools", "solutions")  # what the tests import, afresh for every notebook
MAX_RESULT_BYTES = 64 * 2**20  # what one call of a student's function may send back
INSTALL = ("__import__('sys').modules['backprop_wire'] = __import__('types').ModuleType('backprop_wire')\n"
           "exec(compile({source!r}, 'backprop_wire', 'exec'), __import__('sys').modules['backprop_wire'].__dict__)\n")


class Referee:
    """Judges the test cells of one notebook.

    tests: {grade_id: source} of the master's test cells; setup: the sources of the
    master's locked cells, whose imports the tests use; socket_dir: the kernel's
    socket folder; timeout: seconds the grader waits for any one answer of the kernel.
    """

    def __init__(self, tests, setup, socket_dir, timeout):
        self.tests, self.socket_dir, self.timeout = tests, Path(socket_dir), timeout
        forget_modules(GRADER_PACKAGES)
        used = set().union(*map(free_names, tests.values()))
        self.imports = setup_imports(setup, used)
        self.graded = used - set(self.imports)  # the notebook's names the tests use: its exercises
        self.definitions = Definitions()
        self.installed = False

    def judge(self, grade_id, kernel):
        """Run the test cell `grade_id` against the notebook in `kernel` (a KernelCell);
        None if it passed, else the exception that failed it."""
        install = "" if self.installed else INSTALL.format(source=Path(wire.__file__).read_text(encoding="utf-8"))
        self.installed = True
        source = self.tests[grade_id]
        compiled = compile(source, f"<test cell {grade_id}>", "exec")
        return self._with_kernel_answering(kernel, lambda channel: exec(compiled, self._namespace(source, channel)),
                                           install)

    def _namespace(self, source, channel):
        """The test's globals: the grader's imports, then the notebook's names it uses."""
        namespace = {"__builtins__": builtins, **self.imports}
        wanted = sorted(free_names(source) - set(namespace))
        found_names = channel.lookup(wanted)
        for name in wanted:  # only those: the kernel may answer more than it was asked
            found = found_names.get(name)
            if not isinstance(found, dict):
                continue
            if "function" in found:
                written = self.definitions.source_of(name, graded=self.graded)
                namespace[name] = StudentFunction(channel, name, namespace, written)
            else:
                namespace[name] = wire.decode(found["value"])
        return namespace

    def _with_kernel_answering(self, kernel, test, install=""):
        """Run test(channel) in a thread while the kernel runs the cell that answers its calls,
        after `install` (the code that gives the kernel the wire module); None, or the exception
        that failed it."""
        address = str(self.socket_dir / f"referee-{uuid.uuid4().hex[:8]}")
        failure, connections = [], []
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(address)
            listener.listen(1)
            listener.settimeout(self.timeout)

            def run_test():
                try:
                    connection, _ = listener.accept()
                except OSError:
                    failure.append(wire.HungUp("the kernel did not answer the grader"))
                    return
                connections.append(connection)
                with connection:
                    connection.settimeout(self.timeout)
                    try:
                        test(Channel(connection))
                    except BaseException as error:  # the verdict, reported by the main thread
                        failure.append(error)

            thread = threading.Thread(target=run_test, daemon=True)
            thread.start()
            try:
                kernel.run(f"{install}__import__('backprop_wire').serve({address!r})")
            finally:
                for end in [listener, *connections]:  # the kernel's cell has ended: nobody answers any more
                    with suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)
                thread.join()
                Path(address).unlink(missing_ok=True)  # the kernel may have removed it: the folder is its too
        return failure[0] if failure else None


class Channel:
    """The grader's end of the socket while one test cell runs: it asks the kernel to look up
    and call the notebook's functions, and answers the kernel's callbacks."""

    _ids = itertools.count()

    def __init__(self, connection):
        self.callbacks = {}  # id -> a grader function the kernel may call back
        self.peer = wire.Peer(connection, {"callback": self._callback}, max_bytes=MAX_RESULT_BYTES)

    def lookup(self, names):
        """{name: {"function": True} | {"value": encoded}} for the names the notebook defines."""
        return self._ask({"lookup": names})["names"]

    def call(self, name, args, kwargs, standins):
        """The kernel's answer to one call of the notebook's `name`."""
        return self._ask({"call": name, "args": self.encode(list(args)), "kwargs": self.encode(kwargs),
                          "errstate": np.geterr(), "standins": {n: self.encode(f) for n, f in standins.items()}})

    def encode(self, value):
        return wire.encode(value, functions=self._describe)

    def _ask(self, request):
        try:
            return self.peer.ask(request)
        except wire.HungUp:
            raise wire.HungUp(f"the kernel stopped while running {request.get('call', 'the test')}") from None
        except socket.timeout:
            raise TimeoutError(f"the kernel did not answer within {self.peer.connection.gettimeout():g} s while "
                               f"running {request.get('call', 'the test')}") from None

    def _describe(self, function):
        """How the kernel will call `function`: the notebook's own, or back to the grader."""
        if isinstance(function, StudentFunction):
            return {"student": function.__name__}
        ident = str(next(self._ids))
        self.callbacks[ident] = function
        return {"grader": ident}

    def _callback(self, request):
        """Run a grader function for the kernel; its outcome."""
        args, before = [], []
        try:
            function = self.callbacks[request["callback"]]
            args = wire.decode(request["args"])
            before = [wire.snapshot(arg) for arg in args]
            outcome = {"value": self.encode(function(*args, **wire.decode(request["kwargs"])))}
        except Exception as error:
            outcome = wire.error_outcome(error)
        return {"outcome": outcome, "args": wire.changed(args, before)}


class StudentFunction:
    """One of the notebook's functions, called inside the kernel. `namespace` is the test's:
    the reference functions bound there under their own names stand in during each call."""

    def __init__(self, channel, name, namespace, source):
        self.channel, self.__name__, self.namespace, self.__source__ = channel, name, namespace, source

    def __repr__(self):
        return f"<the notebook's {self.__name__}>"

    def __call__(self, *args, **kwargs):
        standins = {name: f for name, f in self.namespace.items() if is_reference(f) and f.__name__ == name}
        answer = self.channel.call(self.__name__, args, kwargs, standins)
        wire.write_back(args, answer.get("args", []))
        for category, message in answer.get("warnings", []):
            warnings.warn(message, _builtin(category, Warning, UserWarning), stacklevel=2)
        outcome = answer["outcome"]
        if "error" in outcome:
            name, message = outcome["error"]
            error = _builtin(name, Exception, None)
            raise error(message) if error else RuntimeError(f"{name}: {message}")
        return wire.decode(outcome["value"])


def free_names(code):
    """Names that `code` reads but never binds (nor are builtins)."""
    tree = ast.parse(code)
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - _bound(tree) - set(dir(builtins))


def forget_modules(packages):
    """Drop `packages` from the imported modules, so that the next import loads them afresh: whatever
    one notebook's functions left in the checks' data (through arguments they modified) never
    reaches the next notebook's tests."""
    for name in [name for name in sys.modules if name.split(".")[0] in packages]:
        del sys.modules[name]


def setup_imports(sources, names):
    """{name: object} for each of `names` that an import statement of `sources` binds,
    imported here, in the grader."""
    imported = {}
    for source in sources:
        for statement in ast.parse(source).body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)) and _bound(statement) & names:
                exec(compile(ast.Module([statement], type_ignores=[]), "<setup imports>", "exec"), imported)
    return {name: imported[name] for name in names if name in imported}


def _bound(tree):
    """Names bound anywhere in `tree`, its functions' arguments included."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def is_reference(value):
    """Whether `value` is a function of the reference package."""
    return (isinstance(value, types.FunctionType)
            and (value.__module__ or "").split(".")[0] == REFERENCE_PACKAGE)


def _builtin(name, base, default):
    """The builtin (or numpy) exception class called `name` if it derives from `base`, else `default`."""
    value = getattr(builtins, str(name), getattr(np.exceptions, str(name), None))
    return value if isinstance(value, type) and issubclass(value, base) else default
