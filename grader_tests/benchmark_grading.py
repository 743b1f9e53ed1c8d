"""Benchmark: how fast `backprop-grade grade` is, against bare notebook execution.

    python grader_tests/benchmark_grading.py [--students 30] [--scheduler]

Builds a class of synthetic students (each hands in every workbook: answered with the
reference, or blank for every fifth student), grades it with --jobs 1 and --jobs 2, and
executes the same code with bare nbclient: each submission as the grader runs it, with
the master's test cells (hidden tests included), one after another in this process, with
the same kernel, one BLAS thread, the course's execution settings (nbgrader_config.py:
timeouts, cells skipped when grading) and the grader's immediate kernel shutdown, without
nbgrader or the sandbox. Prints notebooks per minute, the speed-up of 2 jobs over 1, and
the grader's cost per notebook relative to bare execution. With --scheduler it grades the
class instead with --jobs 2 and through a Dask cluster on 127.0.0.1 (`dask scheduler` and
two single-thread `dask worker` processes, on the same two cores), and prints the cluster's
speed relative to --jobs 2. Numbers, not asserts: machines are shared and noisy, so compare
the ratios within one run.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config, PyFileConfigLoader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import complete_notebook, release_notebook, submit  # noqa: E402
from dask_cluster import DaskCluster  # noqa: E402

from autograder.course import CONFIG_FILE, assignments, nbgrader_meta, source_notebook, with_answers  # noqa: E402
from autograder.worker import SINGLE_THREADED  # noqa: E402


def build_class(submitted, students):
    notebooks = []
    for i in range(students):
        for assignment_id in assignments():
            nb = release_notebook(assignment_id) if i % 5 == 4 else complete_notebook(assignment_id)
            notebooks.append(submit(submitted, f"student{i:03d}", assignment_id, nb))
    return notebooks


def time_grading(submitted, out, *options):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), *options,
                    "--force"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def as_graded(path):
    """The submission at `path` with its master's test cells, hidden tests included: what
    the grader executes."""
    master = nbformat.read(source_notebook(path.parent.name), as_version=4)
    tests = {nbgrader_meta(cell)["grade_id"]: cell.source for cell in master.cells
             if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution")}
    return with_answers(nbformat.read(path, as_version=4), tests)


def execution_settings():
    """The course's settings for nbgrader's Execute, as a NotebookClient config."""
    course = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    return Config(NotebookClient=course.Execute)


def time_bare(notebooks):
    graded = [(as_graded(path), path.parent) for path in notebooks]
    settings = execution_settings()
    start = time.perf_counter()
    for nb, folder in graded:
        NotebookClient(nb, config=settings, allow_errors=True, kernel_name="python3", shutdown_kernel="immediate",
                       resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--scheduler", action="store_true",
                        help="compare grading through a local Dask cluster of two single-thread workers with --jobs 2")
    args = parser.parse_args()
    os.environ.update(SINGLE_THREADED)
    with tempfile.TemporaryDirectory() as tmp:
        submitted = Path(tmp, "submitted")
        notebooks = build_class(submitted, args.students)
        n = len(notebooks)
        print(f"{args.students} students x {len(assignments())} workbooks = {n} notebooks")
        if args.scheduler:
            with DaskCluster(2, tmp) as cluster:
                seconds = {"grade --jobs 2": time_grading(submitted, Path(tmp, "out2"), "--jobs", "2"),
                           "grade --scheduler": time_grading(submitted, Path(tmp, "outc"),
                                                             "--scheduler", cluster.address)}
        else:
            seconds = {"bare nbclient": time_bare(notebooks),
                       "grade --jobs 1": time_grading(submitted, Path(tmp, "out1"), "--jobs", "1"),
                       "grade --jobs 2": time_grading(submitted, Path(tmp, "out2"), "--jobs", "2")}
    for name, s in seconds.items():
        print(f"{name:>17}: {s:7.1f} s  {60 * n / s:6.1f} notebooks/min  {s / n:5.2f} s/notebook")
    if args.scheduler:
        print(f"cluster of two single-thread workers over --jobs 2: "
              f"{seconds['grade --jobs 2'] / seconds['grade --scheduler']:.2f}x (target >= 0.9x)")
        return
    print(f"speed-up of 2 jobs over 1: {seconds['grade --jobs 1'] / seconds['grade --jobs 2']:.2f}x (target >= 1.7x)")
    print(f"grading cost per notebook over bare execution: "
          f"{seconds['grade --jobs 1'] / seconds['bare nbclient']:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
