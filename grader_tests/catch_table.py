"""Prove the grader: grade every catalogued mistake and correct answer, print the catch table.

    python grader_tests/catch_table.py [--jobs N] [--out DIR] [--workbook ID ...] [--reuse]
                                       [--releases DIR | --generate] [--dry-run]

Builds one submission per mistake of `grader_tests/catalogue` (the release notebook answered with
the reference, the one mistake swapped in) and one per workbook and variant of the correct answers
(variant A of every function in one notebook, and so on), grades them all in ONE
`backprop-grade grade` run and prints the catch table:

- a mistake is *caught* when it loses points in exactly the test cells it names and keeps full
  points everywhere else;
- its *hint* is shown when a visible check catches it (decided by running the release notebook's
  visible checks in a child process) and its `hint` regex matches the feedback of a failing cell;
  "n.a." when only hidden tests can catch it;
- a correct answer is *accepted* when every test cell of its function keeps full points.

It also checks that no feedback page shows a line of the master's hidden tests, and writes the
table to OUT/catch_table.csv. With --reuse, a second run into the same OUT regrades only the
entries whose notebook (or master notebook) changed: the grader's cache does not notice edits to
workbook_tools/ or solutions/. Workbooks without a release notebook in workbooks/ are left out
and listed, unless --releases DIR (release notebooks from elsewhere) or --generate (generated
from the master notebooks with nbgrader, without touching workbooks/) says where to find them.
--dry-run skips nbgrader: every notebook runs in a plain child process against the master's
test cells (hidden tests included), a quick approximation for writing catalogue entries.

`run_catalogue(out, ...)` is what grader_tests/test_catalogue.py calls.
"""
import argparse
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import catalogue  # noqa: E402
from autograder.course import (WORKBOOKS_DIR, assignments, autograded_cells, nbgrader_meta,  # noqa: E402
                               reference_answers, source_notebook, with_answers)
from conftest import backprop_grade, complete_notebook, read_csv, submit  # noqa: E402

CSV_HEADER = ["kind", "workbook", "function", "entry", "expected", "lost", "caught", "hint", "message"]


@dataclass
class Row:
    kind: str               # "mistake" or "correct"
    workbook: str
    function: str
    entry: str              # mistake name, or "A: idiom" for a correct answer
    expected: list          # test cells that must lose points (mistakes), or [] (correct answers)
    lost: list = field(default_factory=list)     # test cells that lost points
    caught: str = "no"      # mistakes: yes/no; correct answers: accepted yes/no
    hint: str = "n.a."      # mistakes: yes/no/n.a.
    message: str = ""       # the failing cells' feedback (mistakes), or why it was rejected
    visible: list = field(default_factory=list)  # test cells whose visible check raised


@dataclass
class Result:
    rows: list
    leaks: dict             # {feedback page: [hidden lines it shows]}
    skipped: list           # workbooks left out: no release notebook
    seconds: float
    grading_seconds: float
    problems: list          # submissions that were not graded, malformed entries

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
# Building the class


def correct_student(variant):
    return f"correct-{variant}"


def release_path(assignment_id, releases):
    return Path(releases or WORKBOOKS_DIR) / f"{assignment_id}.ipynb"


def answered(assignment_id, answers, releases=None):
    """The release notebook answered with the reference, except the cells in `answers`."""
    if releases is None:
        return complete_notebook(assignment_id, **answers)
    release = nbformat.read(release_path(assignment_id, releases), as_version=4)
    return with_answers(with_answers(release, reference_answers(assignment_id)), answers)


def build_class(submitted, workbooks, releases=None):
    """Write one submission per mistake and per (workbook, variant) of correct answers.
    Returns {(student_id, assignment_id): notebook path}."""
    paths = {}
    for m in catalogue.mistakes(workbooks):
        paths[(m.name, m.workbook)] = submit(submitted, m.name, m.workbook,
                                             answered(m.workbook, {m.function: m.code}, releases))
    variants = defaultdict(dict)
    for c in catalogue.corrects(workbooks):
        variants[(c.workbook, c.variant)][c.function] = c.code
    for (workbook, variant), answers in sorted(variants.items()):
        student = correct_student(variant)
        paths[(student, workbook)] = submit(submitted, student, workbook, answered(workbook, answers, releases))
    return paths


def generate_releases(folder):
    """Release notebooks generated by nbgrader from the master notebooks, into `folder`."""
    from autograder.release import generated_workbooks
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for assignment_id, text in generated_workbooks().items():
        (folder / f"{assignment_id}.ipynb").write_text(text, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------------------
# Running notebooks in a child process: which visible checks raise (or, for --dry-run, which
# test cells fail with the master's hidden tests included)


def probe(jobs, with_hidden=False, timeout=1200):
    """Run probe_main in a child process on [(student, assignment_id, path)], one at a time.
    Returns {(student, assignment_id): {grade_id: error message or None}}."""
    request = json.dumps({"jobs": [[s, a, str(p)] for s, a, p in jobs], "with_hidden": with_hidden})
    run = subprocess.run([sys.executable, __file__, "--probe"], input=request, capture_output=True,
                         text=True, timeout=timeout, cwd=HERE.parent)
    if run.returncode != 0:
        raise RuntimeError(f"the probe failed:\n{run.stderr[-3000:]}")
    results = json.loads(run.stdout.strip().splitlines()[-1])
    return {(s, a): cells for s, a, cells in results}


def _run_notebook(path, assignment_id, with_hidden):
    """Execute a submitted notebook's setup, given, solution and test cells (demonstrations are
    skipped) in a fresh namespace; return {test grade_id: error message, or None if it passed}."""
    master = {}
    if with_hidden:
        for cell in nbformat.read(source_notebook(assignment_id), as_version=4).cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade") and not meta.get("solution"):
                master[meta["grade_id"]] = cell.source
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


CELL_START = '<div class="cell border-box-sizing'


def feedback_outputs(page):
    """{grade_id: text of the cell's output} of a feedback page, tags stripped."""
    outputs = {}
    for chunk in page.read_text(encoding="utf-8").split(CELL_START)[1:]:
        anchor = re.search(r'<a name="([^"]+)"></a>', chunk)
        if not anchor:
            continue
        start = chunk.find('class="output_wrapper"')
        text = chunk[chunk.find(">", start) + 1:] if start >= 0 else ""
        outputs[anchor.group(1)] = html.unescape(re.sub(r"<[^>]+>", " ", text))
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


def function_of_cells(assignment_id):
    """{test grade_id: the graded function it tests}: the longest f with test_f or test_f_*."""
    functions = sorted(reference_answers(assignment_id), key=len, reverse=True)
    owners = {}
    for grade_id, _ in autograded_cells(assignment_id):
        owners[grade_id] = next((f for f in functions if grade_id == f"test_{f}"
                                 or grade_id.startswith(f"test_{f}_")), None)
    return owners


# ---------------------------------------------------------------------------------------------
# The table


def evaluate(workbooks, scores, statuses, outputs, visible):
    """Rows of the catch table from the grades ({(student, aid): {grade_id: (score, max)}}), the
    submissions' statuses, the feedback outputs and the visible-check probe."""
    rows, problems = [], []
    for m in catalogue.mistakes(workbooks):
        key = (m.name, m.workbook)
        cells = scores.get(key, {})
        lost = sorted(g for g, (score, points) in cells.items() if score < points)
        row = Row("mistake", m.workbook, m.function, m.name, sorted(m.fails), lost)
        if statuses.get(key, "missing") != "graded":
            problems.append(f"{m.workbook}/{m.name}: {statuses.get(key, 'not graded')}")
        row.caught = "yes" if cells and set(lost) == m.fails else "no"
        row.visible = sorted(g for g, error in visible.get(key, {}).items() if error)
        shown = [g for g in lost if g in row.visible]
        texts = [" ".join(outputs.get(key, {}).get(g, "").split()) for g in (shown or lost)]
        row.message = " | ".join(t for t in texts if t)[:600]
        if not row.visible and m.hint is None:
            row.hint = "n.a."
        elif m.hint is not None and shown and any(re.search(m.hint, t, re.IGNORECASE) for t in texts):
            row.hint = "yes"
        else:
            row.hint = "no"
        rows.append(row)
    owners = {aid: function_of_cells(aid) for aid in workbooks}
    for c in catalogue.corrects(workbooks):
        key = (correct_student(c.variant), c.workbook)
        cells = scores.get(key, {})
        mine = [g for g, f in owners[c.workbook].items() if f == c.function]
        lost = sorted(g for g in mine if g in cells and cells[g][0] < cells[g][1])
        row = Row("correct", c.workbook, c.function, f"{c.variant}: {c.idiom}", [], lost)
        row.caught = "yes" if cells and not lost and all(g in cells for g in mine) else "no"
        row.message = " | ".join(" ".join(outputs.get(key, {}).get(g, "").split()) for g in lost)[:600]
        if statuses.get(key, "missing") != "graded":
            problems.append(f"{c.workbook}/{key[0]}: {statuses.get(key, 'not graded')}")
        rows.append(row)
    for (student, workbook) in {(correct_student(c.variant), c.workbook) for c in catalogue.corrects(workbooks)}:
        others = [g for g, f in owners[workbook].items()
                  if f not in {c.function for c in catalogue.corrects([workbook]) if correct_student(c.variant) == student}]
        bad = [g for g in others if g in scores.get((student, workbook), {})
               and scores[(student, workbook)][g][0] < scores[(student, workbook)][g][1]]
        if bad:
            problems.append(f"{workbook}/{student}: reference-answered cells lost points: {bad}")
    return rows, sorted(set(problems))


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
        if row.kind == "mistake" and (row.caught != "yes" or row.hint == "no"):
            out.append(f"    -> lost {row.lost or 'nothing'}; visible check raised in {row.visible or 'no cell'}; "
                       f"feedback: {row.message[:300] or '-'}")
        if row.kind == "correct" and row.caught != "yes":
            out.append(f"    -> REJECTED in {row.lost}: {row.message[:300]}")
    out.append("")
    out.append("(for a correct answer, \"caught\" says whether it was accepted: full marks in its function's tests)")
    out.append("Totals: " + result.totals())
    if result.skipped:
        out.append("Left out (no release notebook in workbooks/): " + ", ".join(result.skipped))
    for page, lines_ in result.leaks.items():
        out.append(f"HIDDEN TEST CODE in {page}: {lines_[:3]}")
    for problem in result.problems:
        out.append(f"problem: {problem}")
    out.append(f"Run time {result.seconds:.0f} s, of which grading {result.grading_seconds:.0f} s")
    return "\n".join(out)


def write_csv(result, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for r in result.rows:
            writer.writerow([r.kind, r.workbook, r.function, r.entry, " ".join(r.expected), " ".join(r.lost),
                             r.caught, r.hint if r.kind == "mistake" else "", r.message])


# ---------------------------------------------------------------------------------------------
# Everything


def run_catalogue(out, jobs=2, workbooks=None, releases=None, dry_run=False, reuse=False, log=print):
    """Build, grade and evaluate the catalogue in folder `out`; returns a Result."""
    start = time.perf_counter()
    out = Path(out)
    all_mistakes, all_corrects = catalogue.mistakes(), catalogue.corrects()
    catalogue.validate(all_mistakes, all_corrects)
    wanted = [a for a in assignments() if workbooks is None or a in workbooks]
    released = [a for a in wanted if release_path(a, releases).is_file()]
    skipped = [a for a in wanted if a not in released]
    submitted = out / "submitted"
    shutil.rmtree(submitted, ignore_errors=True)  # entries removed from the catalogue go too
    paths = build_class(submitted, released, releases)
    log(f"{len(paths)} submissions ({len(catalogue.mistakes(released))} mistakes, "
        f"{len(paths) - len(catalogue.mistakes(released))} notebooks of correct answers) in {submitted}")
    jobs_list = [(s, a, p) for (s, a), p in paths.items()]
    visible = probe(jobs_list)
    log(f"visible checks probed in {time.perf_counter() - start:.0f} s")
    graded_at = time.perf_counter()
    outputs, statuses, leaks = {}, {}, {}
    if dry_run:
        results = probe(jobs_list, with_hidden=True)
        points = {a: dict(autograded_cells(a)) for a in released}
        scores = {key: {g: (0.0 if error else points[key[1]][g], points[key[1]][g]) for g, error in cells.items()}
                  for key, cells in results.items()}
        statuses = {key: "graded" for key in results}
        outputs = {key: {g: error or "" for g, error in cells.items()} for key, cells in results.items()}
    else:
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
        statuses = {k: ("graded" if v == "graded" else v) for k, v in statuses.items()}
        hidden = {a: hidden_test_lines(a) for a in released}
        for (student, assignment_id), path in paths.items():
            page = out / "graded" / "feedback" / student / assignment_id / f"{assignment_id}.html"
            if page.is_file():
                outputs[(student, assignment_id)] = feedback_outputs(page)
                found = leaked_lines(page, path, hidden[assignment_id])
                if found:
                    leaks[str(page.relative_to(out))] = found
    grading_seconds = time.perf_counter() - graded_at
    rows, problems = evaluate(released, scores, statuses, outputs, visible)
    result = Result(rows, leaks, skipped, time.perf_counter() - start, grading_seconds, problems)
    write_csv(result, out / "catch_table.csv")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--out", default="artifacts/catch-table",
                        help="working folder (default artifacts/catch-table, which git ignores)")
    parser.add_argument("--workbook", action="append", help="only this workbook (repeatable)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--releases", help="read the release notebooks from this folder, not workbooks/")
    where.add_argument("--generate", action="store_true",
                       help="generate the release notebooks from the master notebooks (into OUT/releases)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the grades of unchanged submissions from an earlier run into OUT")
    parser.add_argument("--dry-run", action="store_true", help="no nbgrader: run the master's tests in-process")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return probe_main()
    out = Path(args.out)
    releases = args.releases
    if args.generate:
        releases = generate_releases(out / "releases")
    result = run_catalogue(out, jobs=args.jobs, workbooks=args.workbook, releases=releases, dry_run=args.dry_run,
                           reuse=args.reuse, log=lambda message: print(message, file=sys.stderr, flush=True))
    print(format_table(result))
    print(f"\nCSV: {out / 'catch_table.csv'}")
    ok = (all(r.caught == "yes" for r in result.rows) and result.hint_fraction >= 0.8 and not result.leaks
          and not result.problems)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
