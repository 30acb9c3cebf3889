"""Time `labgrade autograde` against serial `nbgrader autograde` on the same synthetic batch of lab 1.

Builds N submissions (a mix of correct and plausibly wrong answers) in two identical scratch courses,
grades one with nbgrader (serial, as it ships) and one with labgrade (sandboxed, parallel), checks the
scores are identical, and prints the speed-up and labgrade's overhead per notebook over executing
the same notebooks bare (nbclient, no sandbox, no grading) with the same parallelism.

    .venv/bin/python benchmarks/autograde.py --submissions 40 --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from autograde_fixtures import LAB, make_course, mixed_batch  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402
from nbgrader.apps import NbGraderAPI  # noqa: E402

from grading.autograde import autograde  # noqa: E402
from grading.notebooks import execute, read_notebook  # noqa: E402


def scores(course_dir: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(LAB).submissions}


def run_bare(path: str) -> None:
    path = Path(path)
    execute(read_notebook(path), cwd=path.parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    from grading.settings import load_course

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as scratch:
        ours, theirs = Path(scratch) / "labgrade", Path(scratch) / "nbgrader"
        for folder in (ours, theirs):
            folder.mkdir()
            mixed_batch(make_course(folder), args.submissions)
        students = sorted(p.name for p in (theirs / "submitted").iterdir())

        started = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            list(pool.map(run_bare, [str(ours / "submitted" / s / LAB / f"{LAB}.ipynb") for s in students]))
        bare = time.perf_counter() - started

        api = NbGraderAPI(config=load_course(theirs).nbgrader_config())
        started = time.perf_counter()
        for student in students:
            assert api.autograde(LAB, student, force=True, create=True)["success"], student
        nbgrader_seconds = time.perf_counter() - started

        started = time.perf_counter()
        summary = autograde(load_course(ours), LAB, workers=args.workers, require_sandbox=True, progress=False)
        labgrade_seconds = time.perf_counter() - started
        assert not summary.failed, summary.describe()

        same = scores(ours) == scores(theirs)
        n = len(students)
        print(f"lab1, {n} submissions, {args.workers} workers, {os.cpu_count()} cores")
        print(f"bare execution ({args.workers} in parallel): {bare:7.1f} s  {bare / n:5.2f} s/notebook")
        print(f"nbgrader autograde (serial):     {nbgrader_seconds:7.1f} s  {nbgrader_seconds / n:5.2f} s/notebook")
        print(f"labgrade autograde (sandboxed):  {labgrade_seconds:7.1f} s  {labgrade_seconds / n:5.2f} s/notebook")
        print(f"speed-up over nbgrader: {nbgrader_seconds / labgrade_seconds:.2f}x (target >= 3x)")
        print(f"overhead over bare execution: {100 * (labgrade_seconds / bare - 1):+.1f}% (target <= 15%)")
        print(f"scores identical to nbgrader: {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
