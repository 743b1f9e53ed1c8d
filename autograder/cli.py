"""The `backprop-grade` command: release, collect, grade, report, bundle and demo."""
import argparse
import importlib.util
import re
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
    grade.add_argument("--jobs", type=_positive(int), help="submissions graded at once on this machine (default 1)")
    grade.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="grade on the Dask cluster whose scheduler is there (needs the `cluster` extra; "
                            "see the README)")
    grade.add_argument("--timeout", type=_positive(float), default=600.0,
                       help="wall-time cap on one notebook, in seconds (default 600)")
    grade.add_argument("--force", action="store_true", help="regrade submissions graded before")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="where bubblewrap is missing, grade anyway: student code runs with YOUR permissions")

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
    collect.add_argument("--max-file-mb", type=_positive(float), default=100.0, metavar="MB",
                         help="extract no file bigger than this, uncompressed (default 100)")
    collect.add_argument("--max-total-mb", type=_positive(float), default=2000.0, metavar="MB",
                         help="extract no more than this in all, the notebooks to place first (default 2000)")
    collect.add_argument("--max-ratio", type=_positive(float), default=200.0, metavar="N",
                         help="extract no file over 1 MB compressed more than N to 1 (default 200)")

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
    mistake = _grade_folders_mistake(args.submitted, args.out) or _scheduler_mistake(args.scheduler, args.jobs)
    if mistake:
        parser.error(mistake)
    from .grade import ClusterError, ClusterUnreachable, Interrupted, SandboxMissing, find_submissions, grade
    if not find_submissions(args.submitted):
        parser.error(_no_submissions(args.submitted))
    resume = (f"{args.out / 'summary.csv'} and the report hold what was graded, status `interrupted` for the rest: "
              "run the same command again to grade the rest (what was graded is reused).")
    try:
        grade(args.submitted, args.out, jobs=args.jobs or 1, timeout=args.timeout, force=args.force,
              sandboxed=not args.no_sandbox, scheduler=args.scheduler)
    except SandboxMissing as error:
        print(error, file=sys.stderr)
        return 2
    except Interrupted:
        print(f"Interrupted. {resume}", file=sys.stderr)
        return 130
    except ClusterUnreachable as error:
        print(error, file=sys.stderr)
        return 2
    except ClusterError as error:
        print(f"Grading stopped: {error}. {resume}", file=sys.stderr)
        return 1
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


def _scheduler_mistake(scheduler, jobs):
    """What is wrong with grading on the Dask cluster at `scheduler` (None: grade here), or None."""
    if scheduler is None:
        return None
    if not re.fullmatch(r"tcp://[^/:\s]+:\d+", scheduler):
        return (f"--scheduler {scheduler}: give the Dask scheduler's address as tcp://HOST:PORT "
                "(e.g. tcp://grading-head:8786)")
    if jobs is not None:
        return "--jobs sets how many submissions this machine grades at once; with --scheduler the cluster's " \
               "workers grade (one submission per Dask thread): give one or the other"
    if importlib.util.find_spec("distributed") is None:
        return "--scheduler needs Dask distributed, not installed here: pip install 'backprop-workbook[cluster]'"
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
    """Check the zip before the slow imports (nbgrader, nbformat), then sort it."""
    import zipfile
    if not args.archive.exists():
        parser.error(f"{args.archive}: no such file. Give the path of the zip of submissions as downloaded "
                     "from the LMS (Canvas, Moodle or Blackboard), or of a zip of <student_id>/<file> folders.")
    if not zipfile.is_zipfile(args.archive):
        parser.error(f"{args.archive} is not a zip file. Give the zip downloaded from the LMS as it is; "
                     "to collect an unzipped folder, zip it first.")

    from .collect import MB, Limits, collect, compile_patterns
    from .course import assignments
    if args.assignment is not None and args.assignment not in assignments():
        parser.error(f"{args.assignment} is not an assignment of this course ({', '.join(assignments())})")
    try:
        compile_patterns(args.pattern)
    except ValueError as error:
        parser.error(str(error))
    limits = Limits(file_bytes=round(args.max_file_mb * MB), total_bytes=round(args.max_total_mb * MB),
                    ratio=args.max_ratio)
    try:
        collect(args.archive, args.out, limits, unplaced=args.unplaced, patterns=args.pattern,
                assignment=args.assignment)
    except zipfile.BadZipFile as error:
        parser.error(f"{args.archive} is a damaged zip file ({error}); download it again")
    return 0


COLLECT_PATTERNS = r"""
file-name patterns:
  Each file in the zip is read by its path inside the zip (folders separated by /): by
  the first of your --pattern regexes that matches the whole path, else by the built-in
  LMS patterns, else as plain <student_id>/<file>. A pattern is a Python regular
  expression with the named group (?P<student_id>...); it may also have (?P<file>...),
  the student's own file name (else the last part of the path), (?P<stamp>...), an attempt
  time or submission number whose digits order resubmissions (else the date stored in the
  zip does), (?P<name>...), the student's name, and (?P<late>...), matched when late.

  The built-in patterns read the part the LMS writes, from the left; a student names only
  the file they upload, so no file name can place a file under another student:

    Canvas      <name>_<user id>_<file id>_<file>, late ones <name>_LATE_<user id>_...
                (<name> as Canvas writes it: lowercase letters and digits only)
    Moodle      <Full Name>_<participant id>_assignsubmission_file_/<file>  (or flattened;
                participant ids differ from one assignment to the next)
    Blackboard  <Assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>: the first
                _attempt_<date> ends the username, which starts after the _ before it

  A path that two LMS patterns read as different students is not placed, and neither
  are the files of one student folder that come from different senders (two names
  with one id, or two ids that become one folder name). Give a --pattern then.

  For example, a zip of folders inside one top folder, such as class/<student_id>/<file>:
    --pattern '[^/]+/(?P<student_id>[^/]+)/(?P<file>[^/]+)'

  The assignment is the notebook's file name (01_sigmoid.ipynb, also 01_sigmoid (1).ipynb
  or 01_sigmoid-2.ipynb), else --assignment. Of several files of one student for one
  assignment the latest is kept, with a collect.json beside it: the student's name, late
  or not, and its path in the zip. Files that cannot be placed, and older resubmissions,
  are copied to the unplaced folder. Files over --max-file-mb, over 1 MB and compressed
  more than --max-ratio, past --max-total-mb in all, or unreadable are not extracted.
  collect_report.csv lists every file, where it went and why, the student's name and
  whether the LMS marked it late.
"""


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
        return value
    return parse
