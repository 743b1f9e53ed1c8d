"""The `backprop-grade` command: release, grade and demo."""
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
        if not args.submitted.is_dir():
            parser.error(f"{args.submitted} is not a folder")
        from .grade import grade as run_grade
        run_grade(args.submitted, args.out, jobs=args.jobs, timeout=args.timeout, force=args.force,
                  log=lambda line: print(line, file=sys.stderr))
        print(f"Wrote {args.out / 'grades.csv'}, {args.out / 'summary.csv'} and {args.out / 'feedback'}")
        return 0
    from .demo import demo as run_demo
    run_demo(args.out)
    return 0


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
        return value
    return parse
