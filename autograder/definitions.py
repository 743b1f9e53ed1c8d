"""The source of each function the notebook defined, as the grader saw its cells run.

Rules about how a function is written (no Python loop) are judged in the grader,
on this source: the last top-level, undecorated `def` of the name in a cell that
ran without an error, with the defs of the notebook's helper functions it uses
(the exercises excepted: each is judged on its own). A name bound any other way
(an assignment, a decorated def, a def in a cell that failed or was skipped, or
inside a cell magic) has no source.
Once a cell has reached for the machinery that binds names behind the grader's
back (exec, globals(), setattr, get_ipython, %run, ...), no name has one: what the
kernel calls could then be anything, and the form rules fail with a hint. The
values a function returns are judged whatever its form; a kernel that lies about
which cells ran can still evade a form rule, never a value.
"""
import ast

from IPython.core.inputtransformer2 import TransformerManager

# Names a cell uses to bind names behind the grader's back.
DYNAMIC = {"exec", "eval", "compile", "globals", "locals", "vars", "setattr", "delattr", "getattr", "__import__",
           "importlib", "get_ipython", "builtins", "modules", "__dict__", "__globals__", "__code__",
           "__builtins__", "__main__", "run_cell", "run_code", "push", "user_ns", "user_global_ns", "ex", "ev",
           "safe_execfile", "magic"}
# Magics that cannot bind a name (a cell magic of these runs its body: its names get no source).
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "precision", "pwd", "who", "whos", "lsmagic", "system",
                   "getoutput", "capture"}


class Definitions:
    """The notebook's function definitions, updated cell by cell as the kernel runs them."""

    def __init__(self):
        self.sources = {}  # name -> source of its def (None: bound otherwise)
        self.dynamic = False
        self.transformer = TransformerManager()

    def source_of(self, name, graded=()):
        """The source of the notebook's def of `name` and of the helpers it calls, the notebook's
        functions other than those in `graded` (judged on their own), or None if one has none."""
        if self.dynamic or self.sources.get(name) is None:
            return None
        helpers = {other for other, source in self.sources.items() if source is not None} - set(graded)
        sources, todo = {}, [name]
        while todo:
            current = todo.pop()
            if current not in sources:
                sources[current] = self.sources[current]
                used = {n.id for n in ast.walk(ast.parse(sources[current])) if isinstance(n, ast.Name)}
                todo += sorted(used & helpers)
        return "\n\n".join(sources.values())

    def ran(self, source, succeeded):
        """Take into account a code cell the kernel ran (`succeeded`: without an error)."""
        try:
            code = self.transformer.transform_cell(source)
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            return  # the kernel could not run it either
        nodes = list(ast.walk(tree))
        magics = _magics(nodes)
        identifiers = set()
        for n in nodes:
            if isinstance(n, ast.Name):
                identifiers.add(n.id)
            elif isinstance(n, ast.Attribute):
                identifiers.add(n.attr)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                identifiers |= {part for alias in n.names for part in alias.name.split(".")}
                if isinstance(n, ast.ImportFrom):
                    identifiers |= set((n.module or "").split("."))
        if "get_ipython" not in source:  # brought in by IPython's own translation of magics and !commands
            identifiers -= {"get_ipython", "run_line_magic", "run_cell_magic", "system", "getoutput"}
        if identifiers & DYNAMIC or any(name not in HARMLESS_MAGICS for name, _ in magics):
            self.dynamic = True
        for statement in tree.body:
            plain_def = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not statement.decorator_list
            if plain_def and succeeded:
                self.sources[statement.name] = ast.get_source_segment(code, statement)
                self.sources.update(dict.fromkeys(bound_names(statement) - {statement.name}))  # its globals
            else:
                self.sources.update(dict.fromkeys(bound_names(statement)))
        for _, body in magics:
            try:
                self.sources.update(dict.fromkeys(bound_names(ast.parse(body))))
            except SyntaxError:
                pass


def bound_names(tree):
    """The names `tree` binds in its own scope (not inside its functions, classes or lambdas),
    and those its functions declare `global` (they bind them when called)."""
    names = {name for n in ast.walk(tree) if isinstance(n, ast.Global) for name in n.names}
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            nodes.extend(ast.iter_child_nodes(node))
    return names


def _magics(nodes):
    """[(magic name, cell body or "")] of the magics IPython translated in a cell (`nodes`: all of its tree's)."""
    found = []
    for node in nodes:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic", "system", "getoutput")):
            name = node.func.attr if node.func.attr in ("system", "getoutput") else _text(node.args[:1])
            body = _text(node.args[2:3]) if node.func.attr == "run_cell_magic" else ""
            found.append((name, body))
    return found


def _text(args):
    """The string constant in `args` (a one-item list of AST nodes), or ""."""
    return args[0].value if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str) else ""
