"""Prove the grader: grade every catalogued mistake and correct answer, print the catch table.

    python grader_tests/catch_table.py [--jobs N] [--out DIR] [--workbook ID ...] [--reuse] [--dry-run]

Hands in the catalogue of `grader_tests/catalogue` as a class of submissions, each the release
notebook answered with the reference and then some solution cells swapped, and grades them all in
ONE `backprop-grade grade` run:

- the mistakes are packed (student `mistakes-NN`): several mistakes of one workbook per notebook,
  at most one per function and only of unrelated functions (`related_functions`), so that no
  mistake can make another one's test cells fail; a mistake that defines anything besides its
  own function goes alone;
- the correct answers go in one notebook per workbook and variant (student `correct-A` holds
  variant A of every function, and so on).

Then it prints the catch table:

- a mistake is *caught* when it loses points in every test cell it names, and its notebook loses
  points in exactly the cells its mistakes name: any other loss fails every mistake of the pack;
- its *hint* is shown when a visible check of its function catches it (decided by running the
  release notebook's visible checks in a child process) and its `hint` regex matches the feedback
  of one of its function's failing cells; "n.a." when only hidden tests can catch it;
- a correct answer is *accepted* when every test cell of its function keeps full points and no
  cell of its notebook outside the correct answers' functions loses any.

It also checks that no feedback page shows a line of the master's hidden tests, and writes the
table to OUT/catch_table.csv. With --reuse, a second run into the same OUT regrades only the
notebooks that (or whose master notebook) changed: the grader's cache does not notice edits to
workbook_tools/ or solutions/. --dry-run skips nbgrader: every notebook runs in a plain child
process against the master's test cells (hidden tests included), a quick approximation for
writing catalogue entries.

`run_catalogue(out, ...)` is what grader_tests/test_catalogue.py calls.
"""
import argparse
import ast
import contextlib
import csv
import html
import io
import itertools
import json
import linecache
import re
import shutil
import subprocess
import sys
import time
import traceback
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import catalogue  # noqa: E402
from autograder.course import (assignments, autograded_cells, nbgrader_meta, reference_answers,  # noqa: E402
                               source_notebook)
from conftest import backprop_grade, complete_notebook, read_csv, submit  # noqa: E402

CSV_HEADER = ["kind", "workbook", "function", "entry", "submission", "expected", "lost", "stray", "caught", "hint",
              "message"]


@dataclass
class Row:
    kind: str               # "mistake" or "correct"
    workbook: str
    function: str
    entry: str              # mistake name, or "A: idiom" for a correct answer
    expected: list          # test cells that must lose points (mistakes), or [] (correct answers)
    submission: str         # the student id of the notebook it was handed in with
    lost: list = field(default_factory=list)      # its function's test cells that lost points
    stray: list = field(default_factory=list)     # other cells of its notebook that lost points unexpectedly
    feedback: dict = field(default_factory=dict)  # {cell in lost or stray: the feedback it shows}
    caught: str = "no"      # mistakes: yes/no; correct answers: accepted yes/no
    hint: str = "n.a."      # mistakes: yes/no/n.a.
    visible: list = field(default_factory=list)   # its function's test cells whose visible check raised

    @property
    def message(self):
        """The feedback of the cells that lost points, its own first."""
        return " | ".join(f"{g}: {self.feedback[g]}" for g in self.lost + self.stray if self.feedback.get(g))[:600]


@dataclass
class Result:
    rows: list
    leaks: dict             # {feedback page: [hidden lines it shows]}
    notebooks: int          # submissions graded
    seconds: float
    grading_seconds: float
    problems: list          # submissions that were not graded

    @property
    def mistakes(self):
        return [r for r in self.rows if r.kind == "mistake"]

    @property
    def corrects(self):
        return [r for r in self.rows if r.kind == "correct"]

    @property
    def hinted(self):
        """The mistakes that a visible check catches, or that promise a hint."""
        return [r for r in self.mistakes if r.hint != "n.a."]

    @property
    def hint_fraction(self):
        return sum(r.hint == "yes" for r in self.hinted) / max(1, len(self.hinted))

    def totals(self):
        caught = sum(r.caught == "yes" for r in self.mistakes)
        named = sum(r.hint == "yes" for r in self.hinted)
        accepted = sum(r.caught == "yes" for r in self.corrects)
        return (f"mistakes caught {caught}/{len(self.mistakes)}, "
                f"hints named {named}/{len(self.hinted)} = {100 * self.hint_fraction:.0f}%, "
                f"correct answers accepted {accepted}/{len(self.corrects)}")


# ---------------------------------------------------------------------------------------------
# The master notebooks: graded functions, their test cells and how they depend on each other


def graded_functions(assignment_id):
    """The grade ids of the code solution cells of a master notebook (free-text answers excluded)."""
    return [nbgrader_meta(c)["grade_id"] for c in nbformat.read(source_notebook(assignment_id), as_version=4).cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def master_test_cells(assignment_id):
    """{grade_id: source} of the master notebook's autograded test cells, hidden tests included."""
    return {nbgrader_meta(c)["grade_id"]: c.source
            for c in nbformat.read(source_notebook(assignment_id), as_version=4).cells
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}


def function_of_cells(assignment_id):
    """{test grade_id: the graded function it tests}: the longest f with test_f or test_f_*."""
    functions = sorted(reference_answers(assignment_id), key=len, reverse=True)
    owners = {}
    for grade_id, _ in autograded_cells(assignment_id):
        owners[grade_id] = next((f for f in functions if grade_id == f"test_{f}"
                                 or grade_id.startswith(f"test_{f}_")), None)
    return owners


def mentioned_names(source):
    """Every identifier that the Python code `source` uses or defines (dotted names split);
    comments, docstrings and other strings do not count."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant):
            continue
        for _, value in ast.iter_fields(node):
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    names.update(text.split("."))
    return names


def related_functions(assignment_id):
    """{f: the graded functions related to f}. g depends on f when g's reference answer or one of
    g's test cells in the master (visible or hidden code) mentions f, or through a chain of such
    dependences; f and g are related when either depends on the other."""
    functions = graded_functions(assignment_id)
    answers, owners = reference_answers(assignment_id), function_of_cells(assignment_id)
    sources = defaultdict(list)
    for grade_id, source in master_test_cells(assignment_id).items():
        sources[owners[grade_id]].append(source)
    depends = {g: {f for f in functions if f != g
                   and any(f in mentioned_names(s) for s in [answers[g], *sources[g]])} for g in functions}
    changed = True
    while changed:  # the transitive closure
        changed = False
        for g in functions:
            further = set().union(*(depends[f] for f in depends[g])) - depends[g] - {g}
            if further:
                depends[g] |= further
                changed = True
    return {f: {g for g in functions if f in depends[g] or g in depends[f]} for f in functions}


# ---------------------------------------------------------------------------------------------
# Building the class


@dataclass
class Submission:
    """One notebook of the class: the reference-answered release notebook of `workbook` with the
    code of `entries` (the Mistakes of one pack, or the Correct answers of one variant) swapped in."""
    student: str
    workbook: str
    entries: list
    path: Path = None

    @property
    def kind(self):
        return "mistake" if isinstance(self.entries[0], catalogue.Mistake) else "correct"


def defines_only_its_function(m):
    """Whether a mistake's code is one undecorated `def` of its own function that declares no global
    names, or (for a question with one right answer) assignments of constants to the names its
    master's solution cell assigns: then running it defines nothing that the other mistakes of its
    pack could see."""
    tree = ast.parse(m.code)
    [first, *rest] = tree.body
    if all(isinstance(node, ast.Assign) for node in tree.body):
        answers = answer_names(m.workbook).get(m.function, set())
        return all(len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                   and node.targets[0].id in answers and _is_literal(node.value) for node in tree.body)
    return (not rest and isinstance(first, ast.FunctionDef) and first.name == m.function
            and not first.decorator_list
            and not any(isinstance(node, (ast.Global, ast.Nonlocal)) for node in ast.walk(tree)))


def answer_names(assignment_id):
    """{grade id: the names its solution cell assigns} of the master's solution cells that only
    assign names (the questions with one right answer)."""
    names = {}
    for grade_id, code in reference_answers(assignment_id).items():
        try:
            body = ast.parse(code).body
        except SyntaxError:  # a written answer (markdown)
            continue
        if body and all(isinstance(node, ast.Assign) for node in body):
            names[grade_id] = {t.id for node in body for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_literal(node):
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def pack_mistakes(mistakes, related):
    """The mistakes of one workbook as packs [[Mistake]] by greedy colouring: no two mistakes of a
    pack share a function or have related functions (`related`: {f: functions related to f}).
    The most constrained mistakes are placed first (those whose function and related functions
    have the most mistakes between them), each into the first pack it fits. A mistake whose code
    defines anything else than its own function gets a pack of its own."""
    packable = [m for m in mistakes if defines_only_its_function(m)]
    count = Counter(m.function for m in packable)

    def constraint(m):
        return count[m.function] + sum(count[g] for g in related[m.function])

    packs = []
    for m in sorted(packable, key=constraint, reverse=True):
        fits = (p for p in packs if all(o.function != m.function and o.function not in related[m.function] for o in p))
        pack = next(fits, None)
        if pack is None:
            packs.append([m])
        else:
            pack.append(m)
    return packs + [[m] for m in mistakes if m not in packable]


def plan_class(workbooks):
    """The submissions that hand in the catalogue of `workbooks`: its mistakes' packs, then its
    correct answers by variant."""
    plan = []
    for workbook in workbooks:
        related = related_functions(workbook)
        for number, pack in enumerate(pack_mistakes(catalogue.mistakes([workbook]), related), 1):
            plan.append(Submission(f"mistakes-{number:02d}", workbook, pack))
        variants = defaultdict(list)
        for c in catalogue.corrects([workbook]):
            variants[c.variant].append(c)
        plan += [Submission(f"correct-{variant}", workbook, entries) for variant, entries in sorted(variants.items())]
    return plan


def build_class(submitted, workbooks):
    """Write the submissions of `plan_class(workbooks)` into `submitted`; returns them, with their paths."""
    plan = plan_class(workbooks)
    for s in plan:
        s.path = submit(submitted, s.student, s.workbook,
                        complete_notebook(s.workbook, **{e.function: e.code for e in s.entries}))
    return plan


# ---------------------------------------------------------------------------------------------
# Running notebooks in a child process: which visible checks raise (or, for --dry-run, which
# test cells fail with the master's hidden tests included)


def probe(submissions, with_hidden=False, timeout=1200):
    """Run probe_main in a child process on the submissions, one at a time.
    Returns {(student, assignment_id): {grade_id: error message or None}}."""
    request = json.dumps({"jobs": [[s.student, s.workbook, str(s.path)] for s in submissions],
                          "with_hidden": with_hidden})
    run = subprocess.run([sys.executable, __file__, "--probe"], input=request, capture_output=True,
                         text=True, timeout=timeout, cwd=HERE.parent)
    if run.returncode != 0:
        raise RuntimeError(f"the probe failed:\n{run.stderr[-3000:]}")
    results = json.loads(run.stdout.strip().splitlines()[-1])
    return {(s, a): cells for s, a, cells in results}


def _run_notebook(path, assignment_id, with_hidden):
    """Execute a submitted notebook's setup, given, solution and test cells (demonstrations are
    skipped) in a fresh namespace; return {test grade_id: error message, or None if it passed}."""
    master = master_test_cells(assignment_id) if with_hidden else {}
    namespace = {"__name__": "__main__"}
    outcome = {}
    for cell in nbformat.read(path, as_version=4).cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta:
            continue
        is_test = meta.get("grade") and not meta.get("solution")
        source = master.get(meta["grade_id"], cell.source) if is_test else cell.source
        error = _execute(source, namespace, meta["grade_id"])
        if is_test:
            outcome[meta["grade_id"]] = error
    return outcome


_CELLS = itertools.count()


def _execute(source, namespace, name):
    """exec one cell; an exception, a warning or output on stderr fails it, as in nbgrader."""
    stderr = io.StringIO()
    filename = f"<cell {name} {next(_CELLS)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for inspect.getsource
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(stderr):
            warnings.simplefilter("always")
            exec(compile(source, filename, "exec"), namespace)
    except Exception as error:  # the cell failed: keep its message, as the feedback would
        return f"{type(error).__name__}: {error}"
    if caught:
        return f"warning on stderr: {caught[0].category.__name__}: {caught[0].message}"
    if stderr.getvalue().strip():
        return f"output on stderr: {stderr.getvalue().strip()[:300]}"
    return None


def probe_main():
    request = json.loads(sys.stdin.read())
    import matplotlib
    matplotlib.use("Agg")
    results = []
    for student, assignment_id, path in request["jobs"]:
        try:
            cells = _run_notebook(path, assignment_id, request["with_hidden"])
        except Exception:
            cells = {"(probe)": traceback.format_exc(limit=3)}
        results.append([student, assignment_id, cells])
    print(json.dumps(results))


# ---------------------------------------------------------------------------------------------
# Reading the grader's output


GRADED_CELL = re.compile(r'<section class="cell graded[^"]*" id="([^"]+)">(.*?)</section>', re.S)


def feedback_outputs(page):
    """{grade_id: text of the graded cell's verdict} of a feedback page, tags stripped."""
    outputs = {}
    for grade_id, chunk in GRADED_CELL.findall(page.read_text(encoding="utf-8")):
        start = chunk.find('class="verdict"')
        text = chunk[chunk.find(">", start) + 1:] if start >= 0 else ""
        outputs[grade_id] = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return outputs


def hidden_test_lines(assignment_id):
    """Every line (longer than 12 characters) of the master notebook's hidden tests."""
    blocks = []
    for cell in nbformat.read(source_notebook(assignment_id), as_version=4).cells:
        blocks += re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
    return sorted({line.strip() for block in blocks for line in block.splitlines() if len(line.strip()) > 12})


def leaked_lines(page, submission, hidden):
    """Hidden-test lines a feedback page shows that the submitted notebook itself does not hold."""
    text = html.unescape(page.read_text(encoding="utf-8"))
    own = "\n".join(cell.source for cell in nbformat.read(submission, as_version=4).cells)
    found = [line for line in hidden if line in text and line not in own]
    if "HIDDEN TESTS" in text:
        found.append("### BEGIN/END HIDDEN TESTS")
    return found


# ---------------------------------------------------------------------------------------------
# The table


def evaluate(submissions, scores, statuses, outputs, visible):
    """Rows of the catch table, and the submissions that were not graded, from the grades
    ({(student, aid): {grade_id: (score, max)}}), the submissions' statuses, the feedback outputs
    and the visible-check probe."""
    rows, problems = [], []
    owners = {aid: function_of_cells(aid) for aid in {s.workbook for s in submissions}}
    for s in submissions:
        key = (s.student, s.workbook)
        if statuses.get(key, "not graded") != "graded":
            problems.append(f"{s.workbook}/{s.student}: {statuses.get(key, 'not graded')}")
        cells = scores.get(key, {})
        lost = [g for g, (score, points) in cells.items() if score < points]
        feedback = {g: " ".join(outputs.get(key, {}).get(g, "").split()) for g in lost}
        if s.kind == "mistake":
            rows += mistake_rows(s, cells, lost, feedback, visible.get(key, {}), owners[s.workbook])
        else:
            rows += correct_rows(s, cells, lost, feedback, owners[s.workbook])
    return rows, problems


def mistake_rows(pack, cells, lost, feedback, raised, owners):
    """The rows of a pack's mistakes. A mistake is caught when every cell it names lost points and
    the notebook lost points in no cell that none of the pack's mistakes names."""
    expected = set().union(*(m.fails for m in pack.entries))
    stray = sorted(set(lost) - expected)
    rows = []
    for m in pack.entries:
        own = sorted(g for g in lost if owners[g] == m.function)
        row = Row("mistake", m.workbook, m.function, m.name, sorted(m.fails), pack.student, own, stray,
                  {g: feedback[g] for g in own + stray})
        row.caught = "yes" if cells and m.fails <= set(lost) and not stray else "no"
        row.visible = sorted(g for g, error in raised.items() if error and owners.get(g) == m.function)
        shown = [g for g in own if g in row.visible]
        texts = [feedback[g] for g in (shown or own)]
        if not row.visible and m.hint is None:
            row.hint = "n.a."
        elif m.hint is not None and shown and any(re.search(m.hint, t, re.IGNORECASE) for t in texts):
            row.hint = "yes"
        else:
            row.hint = "no"
        rows.append(row)
    return rows


def correct_rows(variant, cells, lost, feedback, owners):
    """The rows of one variant's correct answers. One is accepted when every test cell of its
    function was graded with full points and no cell of a function without a correct answer in the
    notebook (answered with the reference) lost any."""
    functions = {c.function for c in variant.entries}
    stray = sorted(g for g in lost if owners[g] not in functions)
    rows = []
    for c in variant.entries:
        mine = [g for g, f in owners.items() if f == c.function]
        own = sorted(g for g in lost if owners[g] == c.function)
        row = Row("correct", c.workbook, c.function, f"{c.variant}: {c.idiom}", [], variant.student, own, stray,
                  {g: feedback[g] for g in own + stray})
        row.caught = "yes" if all(g in cells for g in mine) and not own and not stray else "no"
        rows.append(row)
    return rows


def format_table(result):
    def cells(r):
        expected = ", ".join(r.expected) if r.kind == "mistake" else "full marks"
        return [r.workbook, r.function, r.entry if r.kind == "mistake" else f"correct {r.entry}", expected,
                r.caught, r.hint if r.kind == "mistake" else ""]
    header = ["workbook", "function", "mistake", "expected test(s)", "caught", "hint shown"]
    lines = [cells(r) for r in result.rows]
    caps = [20, 28, 44, 80, 6, 10]
    widths = [min(cap, max(len(str(x[i])) for x in [header] + lines)) for i, cap in enumerate(caps)]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    out.append("  ".join("-" * w for w in widths))
    for row, line in zip(result.rows, lines):
        out.append("  ".join(str(x)[:w].ljust(w) for x, w in zip(line, widths)))
        stray = (f"; its notebook {row.submission} also lost points in {row.stray}, which none of its entries names"
                 if row.stray else "")
        if row.kind == "mistake" and (row.caught != "yes" or row.hint == "no"):
            out.append(f"    -> lost {row.lost or 'nothing'}{stray}; visible check raised in {row.visible or 'no cell'}; "
                       f"feedback: {row.message[:300] or '-'}")
        if row.kind == "correct" and row.caught != "yes":
            out.append(f"    -> REJECTED: lost {row.lost or 'nothing'}{stray}: {row.message[:300]}")
    out.append("")
    out.append("(for a correct answer, \"caught\" says whether it was accepted: full marks in its function's tests)")
    out.append("Totals: " + result.totals())
    for page, lines_ in result.leaks.items():
        out.append(f"HIDDEN TEST CODE in {page}: {lines_[:3]}")
    for problem in result.problems:
        out.append(f"problem: {problem}")
    out.append(f"{result.notebooks} notebooks; run time {result.seconds:.0f} s, of which grading "
               f"{result.grading_seconds:.0f} s")
    return "\n".join(out)


def write_csv(result, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for r in result.rows:
            writer.writerow([r.kind, r.workbook, r.function, r.entry, r.submission, " ".join(r.expected),
                             " ".join(r.lost), " ".join(r.stray), r.caught, r.hint if r.kind == "mistake" else "",
                             r.message])


# ---------------------------------------------------------------------------------------------
# Everything


def grade_class(submitted, out, jobs, reuse):
    """Grade the class with `backprop-grade grade` into OUT/graded; returns its scores
    ({(student, aid): {grade_id: (score, max)}}) and statuses ({(student, aid): status})."""
    run = backprop_grade("grade", submitted, "--out", out / "graded", "--jobs", jobs,
                         *([] if reuse else ["--force"]), timeout=6 * 3600)
    if run.returncode != 0:
        raise RuntimeError(f"backprop-grade grade failed ({run.returncode}):\n{run.stderr[-3000:]}")
    scores = defaultdict(dict)
    for row in read_csv(out / "graded" / "grades.csv"):
        scores[(row["student_id"], row["assignment_id"])][row["grade_id"]] = \
            (float(row["score"]), float(row["max_score"]))
    statuses = {(r["student_id"], r["assignment_id"]): r["status"] + (f" ({r['message']})" if r["message"] else "")
                for r in read_csv(out / "graded" / "summary.csv")}
    return scores, statuses


def dry_run_class(submissions):
    """Scores, statuses and outputs as `grade_class` and the feedback pages would give them, from
    running each notebook with the master's test cells in a plain child process."""
    results = probe(submissions, with_hidden=True)
    points = {s.workbook: dict(autograded_cells(s.workbook)) for s in submissions}
    scores = {key: {g: (0.0 if error else points[key[1]][g], points[key[1]][g]) for g, error in cells.items()}
              for key, cells in results.items()}
    outputs = {key: {g: error or "" for g, error in cells.items()} for key, cells in results.items()}
    return scores, {key: "graded" for key in results}, outputs


def read_feedback(submissions, out):
    """The feedback outputs of the graded submissions, and the hidden-test lines their pages show:
    ({(student, aid): {grade_id: text}}, {page: [lines]})."""
    outputs, leaks = {}, {}
    hidden = {aid: hidden_test_lines(aid) for aid in {s.workbook for s in submissions}}
    for s in submissions:
        page = out / "graded" / "feedback" / s.student / s.workbook / f"{s.workbook}.html"
        if page.is_file():
            outputs[(s.student, s.workbook)] = feedback_outputs(page)
            found = leaked_lines(page, s.path, hidden[s.workbook])
            if found:
                leaks[str(page.relative_to(out))] = found
    return outputs, leaks


def run_catalogue(out, jobs=2, workbooks=None, dry_run=False, reuse=False, log=print):
    """Build, grade and evaluate the catalogue in folder `out`; returns a Result."""
    start = time.perf_counter()
    out = Path(out)
    catalogue.validate(catalogue.mistakes(), catalogue.corrects())
    wanted = [a for a in assignments() if workbooks is None or a in workbooks]
    submitted = out / "submitted"
    shutil.rmtree(submitted, ignore_errors=True)  # entries removed from the catalogue go too
    submissions = build_class(submitted, wanted)
    packs = [s for s in submissions if s.kind == "mistake"]
    log(f"{len(submissions)} submissions ({len(packs)} packs of {sum(len(p.entries) for p in packs)} mistakes, "
        f"{len(submissions) - len(packs)} notebooks of correct answers) in {submitted}")
    graded_at = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        probing = pool.submit(probe, submissions)  # the visible checks, while the grader works
        if dry_run:
            scores, statuses, outputs = dry_run_class(submissions)
            leaks = {}
        else:
            scores, statuses = grade_class(submitted, out, jobs, reuse)
            outputs, leaks = read_feedback(submissions, out)
        grading_seconds = time.perf_counter() - graded_at
        visible = probing.result()
    rows, problems = evaluate(submissions, scores, statuses, outputs, visible)
    result = Result(rows, leaks, len(submissions), time.perf_counter() - start, grading_seconds, problems)
    write_csv(result, out / "catch_table.csv")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--out", default="artifacts/catch-table",
                        help="working folder (default artifacts/catch-table, which git ignores)")
    parser.add_argument("--workbook", action="append", help="only this workbook (repeatable)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the grades of unchanged submissions from an earlier run into OUT")
    parser.add_argument("--dry-run", action="store_true", help="no nbgrader: run the master's tests in-process")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return probe_main()
    result = run_catalogue(Path(args.out), jobs=args.jobs, workbooks=args.workbook, dry_run=args.dry_run,
                           reuse=args.reuse, log=lambda message: print(message, file=sys.stderr, flush=True))
    print(format_table(result))
    print(f"\nCSV: {Path(args.out) / 'catch_table.csv'}")
    ok = (all(r.caught == "yes" for r in result.rows) and result.hint_fraction >= 0.8 and not result.leaks
          and not result.problems)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
