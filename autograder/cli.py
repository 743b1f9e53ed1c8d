"""The `backprop-grade` command: release, collect, grade, report, bundle and demo."""
import argparse
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="backprop-grade", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate workbooks/ from the master notebooks")
    release.add_argument("--check", action="store_true",
                         help="write nothing; exit 1 if the committed workbooks differ")

    grade = commands.add_parser("grade", help="grade a class of submissions")
    grade.add_argument("submitted", type=Path,
                       help="folder in nbgrader's layout: <student_id>/<assignment_id>/<assignment_id>.ipynb")
    grade.add_argument("--out", type=Path, required=True, help="folder for grades, summary and feedback")
    grade.add_argument("--jobs", type=_positive(int), default=1, help="submissions graded at once (default 1)")
    grade.add_argument("--timeout", type=_positive(float), default=600.0,
                       help="wall-time cap on one notebook, in seconds (default 600)")
    grade.add_argument("--force", action="store_true", help="regrade submissions graded before")

    collect = commands.add_parser(
        "collect", help="sort an LMS zip download into nbgrader's submitted layout",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=COLLECT_PATTERNS)
    collect.add_argument("archive", type=Path, help="the zip of submissions downloaded from the LMS")
    collect.add_argument("--out", type=Path, required=True,
                         help="folder for <student_id>/<assignment_id>/<assignment_id>.ipynb; "
                              "collect_report.csv is written beside it")
    collect.add_argument("--unplaced", type=Path,
                         help="folder for the files that cannot be placed (default: unplaced/ beside --out)")
    collect.add_argument("--pattern", action="append", default=[], metavar="REGEX",
                         help="a file-name pattern to try before the built-in ones (repeatable; see below)")
    collect.add_argument("--assignment", metavar="ID",
                         help="the assignment of notebooks whose file name names none (e.g. 01_sigmoid)")

    report = commands.add_parser("report", help="write the class report and lms.csv of a graded class")
    report.add_argument("out", type=Path, help="the --out folder of `backprop-grade grade`")

    bundle = commands.add_parser("bundle", help="write the student bundle: workbooks, their package, "
                                                "pyproject.toml, binder/ and a README, no answers")
    bundle.add_argument("out", type=Path, help="a new or empty folder for the bundle")

    demo = commands.add_parser("demo", help="grade a small made-up class and print its scores")
    demo.add_argument("--out", type=Path, default=Path("backprop-demo"),
                      help="folder for the demo class and its grades (default ./backprop-demo)")

    args = parser.parse_args(argv)
    if args.command == "release":
        from .release import release as run_release
        stale = run_release(check=args.check)
        if args.check and stale:
            print("workbooks/ is out of date with autograder/source/: " + ", ".join(stale)
                  + "\nRun `backprop-grade release` and commit the result.", file=sys.stderr)
            return 1
        print("workbooks/ is up to date" if args.check else "workbooks/ regenerated")
        return 0
    if args.command == "grade":
        return _grade(grade, args)
    if args.command == "collect":
        return _collect(parser, args)
    if args.command == "report":
        from .report import write_report
        try:
            folder = write_report(args.out)
        except FileNotFoundError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"Class report: {folder / 'index.html'}; for the LMS gradebook: {folder / 'lms.csv'}")
        return 0
    if args.command == "bundle":
        from .bundle import bundle as write_bundle
        try:
            write_bundle(args.out)
        except (FileExistsError, FileNotFoundError) as error:
            print(error, file=sys.stderr)
            return 1
        print(f"Wrote the student bundle to {args.out}: see {args.out / 'README.md'}")
        return 0
    from .demo import demo as run_demo
    run_demo(args.out)
    return 0


def _grade(parser, args):
    """Grade the class after checking its folders: exit 2 on a usage mistake, 130 when stopped
    by Ctrl-C or SIGTERM (what finished is written)."""
    mistake = _grade_folders_mistake(args.submitted, args.out)
    if mistake:
        parser.error(mistake)
    from .grade import Interrupted, find_submissions, grade
    if not find_submissions(args.submitted):
        parser.error(_no_submissions(args.submitted))
    try:
        grade(args.submitted, args.out, jobs=args.jobs, timeout=args.timeout, force=args.force)
    except Interrupted:
        print(f"Interrupted. {args.out / 'summary.csv'} and the report hold what was graded, status `interrupted` "
              "for the rest: run the same command again to grade the rest (what was graded is reused).",
              file=sys.stderr)
        return 130
    print(f"Wrote {args.out / 'grades.csv'}, {args.out / 'summary.csv'} and {args.out / 'feedback'}")
    print(f"Class report: {args.out / 'report' / 'index.html'}; for the LMS gradebook: "
          f"{args.out / 'report' / 'lms.csv'}")
    print(f"To grade the free-text answers: cd {args.out} && jupyter lab, then Nbgrader > Formgrader")
    return 0


def _grade_folders_mistake(submitted, out):
    """What is wrong with grading the folder `submitted` into `out`, or None: a zip or a missing
    folder to grade, or two folders inside one another (grading writes an nbgrader course into
    OUT, whose source/ and release/ folders a later run would take for students)."""
    if submitted.is_file() and submitted.suffix.lower() == ".zip":
        return (f"{submitted} is a zip file: sort it into nbgrader's submitted layout first, then grade that "
                f"folder:\n  backprop-grade collect {submitted} --out SUBMITTED\n"
                f"  backprop-grade grade SUBMITTED --out {out}")
    if not submitted.is_dir():
        return f"{submitted} is not a folder"
    submitted, out = submitted.resolve(), out.resolve()
    if out.is_relative_to(submitted):
        where = "the submissions folder itself" if out == submitted else f"inside the submissions folder {submitted}"
        return (f"--out {out} is {where}: grading writes a course there that the next run would grade as "
                "students; choose a folder outside it")
    if submitted.is_relative_to(out):
        return f"the submissions {submitted} are inside --out {out}, which grading writes into; choose another --out"
    return None


def _no_submissions(submitted):
    """The message for a folder holding no submission in nbgrader's submitted layout."""
    from .course import assignments
    return (f"no submissions in {submitted}: grade expects nbgrader's submitted layout,\n"
            f"  {submitted}/<student_id>/<assignment_id>/<assignment_id>.ipynb\n"
            f"with the assignment ids {', '.join(assignments())}. If this is an LMS download (or a folder "
            "unzipped from one), sort its zip into that layout first:\n"
            f"  backprop-grade collect LMS.zip --out SUBMITTED")


def _collect(parser, args):
    import zipfile

    from .collect import collect, compile_patterns
    from .course import assignments
    if not args.archive.is_file():
        parser.error(f"{args.archive} is not a file")
    if args.assignment is not None and args.assignment not in assignments():
        parser.error(f"{args.assignment} is not an assignment of this course ({', '.join(assignments())})")
    try:
        compile_patterns(args.pattern)
    except ValueError as error:
        parser.error(str(error))
    try:
        collect(args.archive, args.out, unplaced=args.unplaced, patterns=args.pattern, assignment=args.assignment)
    except zipfile.BadZipFile:
        parser.error(f"{args.archive} is not a zip file")
    return 0


COLLECT_PATTERNS = r"""
file-name patterns:
  Each file in the zip is matched, by its path inside the zip (folders separated by /),
  against your --pattern regexes, then the built-in ones, and the first that matches the
  whole path is used. A pattern is a Python regular expression with the named group
  (?P<student_id>...); it may also have (?P<file>...), the student's own file name (else
  the last part of the path), and (?P<stamp>...), an attempt time or submission number
  whose digits order resubmissions (else the date stored in the zip does). Built in:

    Moodle      <Full Name>_<participant id>_assignsubmission_file_/<file>  (or flattened)
    Blackboard  <Assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>
    Canvas      <studentname>_<user id>_<submission id>_<file>, and <studentname>_LATE_<user id>_...
    plain       <student_id>/<file>

  For example, a zip of folders inside one top folder, such as class/<student_id>/<file>:
    --pattern '[^/]+/(?P<student_id>[^/]+)/(?P<file>[^/]+)'

  The assignment is the notebook's file name (01_sigmoid.ipynb, also 01_sigmoid (1).ipynb
  or 01_sigmoid-2.ipynb), else --assignment. Of several files of one student for one
  assignment the latest is kept. Files that cannot be placed, and older resubmissions, are
  copied to the unplaced folder; collect_report.csv lists every file and where it went.
"""


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
        return value
    return parse
