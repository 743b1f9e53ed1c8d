"""Hidden tests run in the grader, outside the student's kernel.

nbgrader runs a whole test cell in the student's kernel, where the student's code
can replace numpy, the test helpers or IPython itself, and can import the
reference. Here a test cell is split: its visible parts still run in the kernel,
exactly as students see them, and its hidden parts (### BEGIN/END HIDDEN TESTS) run
in the grader's own process, with the real numpy, the real checks and the
reference package, which the sandbox hides from the kernel.

In a hidden part, a name the part uses but never defines is one of the student's
functions: a `StudentFunction`, whose calls run the function inside the kernel.
While a hidden part runs, the kernel runs a cell that answers its calls over a unix
socket in the kernel's socket folder (autograder/in_kernel.py); the hidden part
runs in a thread of its own meanwhile, as the grader's main thread waits for that
cell. Arguments and results cross as plain data (autograder/wire.py): whatever the
student's code does in its kernel, the hidden test only sees the values its
functions return, and judges them here.

A hidden part that binds a function's name to the reference function of that name
(`softmax = ref.softmax`, to grade `forward` on its own) also defines that name in
the kernel with the reference's source, as nbgrader's in-kernel tests did. From
then on the student's own version is gone, so a later call of it (cells moved out
of order) fails instead of grading the reference.
"""
import ast
import builtins
import inspect
import itertools
import os
import re
import socket
import textwrap
import threading
import types
import uuid
import warnings
import weakref
from contextlib import suppress
from pathlib import Path

import numpy as np

from .wire import decode, encode, receive, send

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)
REFERENCE_PACKAGE = "solutions"
MAX_RESULT_BYTES = 64 * 2**20  # what one call of a student's function may send back


def split(source):
    """A test cell's source as [(hidden, code)] in order; hidden parts without their markers."""
    parts, start = [], 0
    for match in HIDDEN.finditer(source):
        parts += [(False, source[start:match.start()]), (True, match.group(1))]
        start = match.end()
    parts.append((False, source[start:]))
    return [(hidden, code) for hidden, code in parts if code.strip()]


class Referee:
    """Runs the hidden parts of one notebook's test cells; `run(code)` executes code
    in the student's kernel and returns the outputs, within `timeout` seconds; the
    kernel reaches the referee's socket in `socket_dir`, the kernel's socket folder."""

    def __init__(self, run, timeout, socket_dir):
        self.run, self.timeout, self.socket_dir = run, timeout, socket_dir
        self.replaced = set()  # names whose student version the reference has replaced
        self.connection = None  # to the kernel, while it answers a hidden part's calls

    def namespace(self, hidden_code):
        """A fresh namespace for the hidden parts of one test cell."""
        return {"np": np, **{name: StudentFunction(self, name) for name in free_names(hidden_code) - {"np"}}}

    def run_hidden(self, code, namespace):
        """Run one hidden part; put the reference functions it binds into the kernel too."""
        compiled = compile(code, "<hidden tests>", "exec")
        if free_names(code) - {"np"}:  # it may call the student's functions
            self._with_kernel_answering(lambda: exec(compiled, namespace))
        else:
            exec(compiled, namespace)
        for name in bound_names(code):
            value = namespace.get(name)
            if is_reference(value) and value.__name__ == name and name not in self.replaced:
                self.replaced.add(name)
                _outputs_or_raise(self.run(reference_definition(value)), f"loading the reference {name}")

    def ask(self, request):
        """The kernel's answer to one call of a student's function."""
        if self.connection is None:
            raise RuntimeError("the kernel is not answering calls: a student's function was called outside a "
                               "hidden test")
        send(self.connection, request)
        outcome = receive(self.connection, MAX_RESULT_BYTES)
        if outcome is None:
            raise KernelHungUp(f"the kernel stopped while running {request['name']}")
        return outcome

    def _with_kernel_answering(self, work):
        """Do `work` in a thread while the kernel runs a cell that answers its calls."""
        address = str(Path(self.socket_dir, f"referee-{uuid.uuid4().hex[:12]}"))
        failure = []
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(address)
            listener.listen(1)
            listener.settimeout(self.timeout)

            def run_work():
                try:
                    connection, _ = listener.accept()
                except OSError:
                    failure.append(KernelHungUp("the kernel did not answer the grader"))
                    return
                with connection:
                    connection.settimeout(self.timeout)
                    self.connection = connection
                    try:
                        work()
                    except BaseException as error:  # re-raised by the main thread
                        failure.append(error)
                    finally:
                        self.connection = None

            thread = threading.Thread(target=run_work, daemon=True)
            thread.start()
            try:
                outputs = self.run(f"__import__('autograder.in_kernel').in_kernel.serve({address!r})")
            finally:
                with suppress(OSError):
                    listener.shutdown(socket.SHUT_RDWR)  # the kernel never connected: stop waiting for it
                if self.connection is not None:
                    with suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)  # the kernel cell ended but still holds it
                thread.join()
                os.unlink(address)
        if failure and not isinstance(failure[0], KernelHungUp):
            raise failure[0]
        _outputs_or_raise(outputs, "running the student's functions")
        if failure:
            raise failure[0]


class KernelHungUp(RuntimeError):
    """The kernel stopped answering the grader's calls."""


class StudentFunction:
    """One of the student's functions, called inside the kernel."""

    def __init__(self, referee, name):
        self.referee, self.name, self.__name__ = referee, name, name

    def __call__(self, *args):
        if self.name in self.referee.replaced:
            raise AssertionError(f"{self.name} was replaced by the reference for an earlier test, so it cannot "
                                 "be graded here: keep the workbook's cells in their order")
        outcome = self.referee.ask({"name": self.name, "args": encode(list(args)), "errstate": np.geterr()})
        for recorder, calls in outcome.get("recorded", {}).items():
            Recorder.live[recorder].calls += [tuple(decode(c)) for c in calls if c is not None]
        for arg, after in zip(args, outcome.get("args", [])):
            if after is not None:
                _update(arg, decode(after))
        for category, message in outcome.get("warnings", []):
            warnings.warn(message, _builtin(category, Warning, UserWarning), stacklevel=2)
        if "error" in outcome:
            name, message = outcome["error"]
            error = _builtin(name, Exception, None)
            raise error(message) if error else RuntimeError(f"{name}: {message}")
        return decode(outcome["value"])


class KernelFunction:
    """A function for a hidden test to pass to a student's function: Python source
    evaluated with numpy as np and the given variables, here and in the kernel."""

    def __init__(self, source, **env):
        self.source, self.env = source, env
        self.function = eval(source, {"np": np, **env})

    def __call__(self, *args):
        return self.function(*args)

    def __wire__(self):
        return {"function": {"source": self.source, "env": encode(self.env)}}


class Recorder:
    """A callback for a hidden test to pass to a student's function: it records the
    arguments of every call (made here or in the kernel) in `calls`."""

    _ids = itertools.count()
    live = weakref.WeakValueDictionary()  # id -> recorder, for the calls the kernel reports

    def __init__(self):
        self.id, self.calls = str(next(self._ids)), []
        Recorder.live[self.id] = self

    def __call__(self, *args, **kwargs):
        self.calls.append((*args, *kwargs.values()))

    def __deepcopy__(self, memo):
        return self  # copies of the arguments still report to the test

    def __wire__(self):
        return {"function": {"recorder": self.id}}


def free_names(code):
    """Names that `code` reads but never binds (nor are builtins)."""
    tree = ast.parse(code)
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - _bound(tree) - set(dir(builtins))


def bound_names(code):
    """Names bound at the top level of `code` by assignment or import."""
    bound = set()
    for statement in ast.parse(code).body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in statement.names}
    return bound


def _bound(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
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


def reference_definition(function):
    """Kernel code that defines `function` under its name, from the reference's source
    of it and of the reference functions and constants it uses (inside a closure, so
    that only the one name is defined)."""
    definitions, modules, constants = {}, {}, {}

    def visit(f):
        if f.__name__ in definitions:
            return
        definitions[f.__name__] = textwrap.dedent(inspect.getsource(f))
        for name in _global_names(f.__code__):
            value = f.__globals__.get(name)
            if is_reference(value):
                visit(value)
            elif isinstance(value, types.ModuleType):
                modules[name] = value.__name__
            elif isinstance(value, (int, float, str, tuple, dict)):
                constants[name] = value

    visit(function)
    body = ([f"import {module} as {name}" for name, module in modules.items()]
            + [f"{name} = {value!r}" for name, value in constants.items()]
            + list(definitions.values()) + [f"return {function.__name__}"])
    return (f"def _reference():\n{textwrap.indent(chr(10).join(body), '    ')}\n"
            f"{function.__name__} = _reference()\ndel _reference\n")


def _global_names(code):
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _outputs_or_raise(outputs, what):
    """The outputs of kernel code the grader ran; an error there (a timeout, a broken kernel) fails the test."""
    for output in outputs:
        if output.get("output_type") == "error":
            raise RuntimeError(f"{output['ename']} while {what}: {output['evalue']}".rstrip(": "))
    return outputs


def _update(original, after):
    """Make `original` hold `after`, as a call in this process would have left it."""
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            original[...] = after
    elif isinstance(original, dict) and isinstance(after, dict):
        original.clear()
        original.update(after)
    elif isinstance(original, list) and isinstance(after, list):
        original[:] = after
    elif isinstance(original, np.random.Generator) and isinstance(after, np.random.Generator):
        original.bit_generator.state = after.bit_generator.state


def _builtin(name, base, default):
    """The builtin class called `name` if it derives from `base`, else `default`."""
    value = getattr(builtins, str(name), None)
    return value if isinstance(value, type) and issubclass(value, base) else default
