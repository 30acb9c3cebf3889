"""Time and peak memory of `collect` on a large synthetic Blackboard download.

Usage: .venv/bin/python benchmarks/collect.py [STUDENTS]   (default 300 students, 3 attempts each)
Builds a scratch course (the real settings and release/lab1), imports a Grade Center for the cohort,
then collects the zip twice: the first run writes everything, the second must write nothing.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from grading.blackboard_files import STUDENT_HEADER, BlackboardZip, grade_center_bytes
from grading.collect import collect
from grading.roster import import_roster
from grading.settings import CONFIG_FILE, load_course

ROOT = Path(__file__).resolve().parent.parent


def main(students: int) -> None:
    with tempfile.TemporaryDirectory(prefix="collect-bench-") as scratch:
        folder = Path(scratch) / "course"
        folder.mkdir()
        shutil.copy(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
        shutil.copytree(ROOT / "release" / "lab1", folder / "release" / "lab1")
        course = load_course(folder)
        usernames = [f"s.student_{n:04d}" for n in range(students)]
        roster = folder / "gradecenter.csv"
        rows = [["Student", "A", username, f"{n:08d}", "", "Yes"] for n, username in enumerate(usernames)]
        roster.write_bytes(grade_center_bytes(STUDENT_HEADER, rows))
        import_roster(course, roster)
        notebook = (ROOT / "release" / "lab1" / "lab1.ipynb").read_bytes()
        deadline = course.deadline_for("lab1").replace(tzinfo=None)
        download = BlackboardZip()
        for n, username in enumerate(usernames):
            for minutes in (-120, -10, 30):  # two on time, one late
                download.attempt(username, deadline + timedelta(minutes=minutes, seconds=n % 60), {"lab1.ipynb": notebook})
        path = download.write(Path(scratch) / "lab1.zip")
        print(f"zip: {students} students x 3 attempts, {path.stat().st_size / 2**20:.1f} MB")
        for run in ("first", "rerun"):
            start = time.perf_counter()
            report = collect(course, "lab1", path)
            seconds = time.perf_counter() - start
            written = sum(line.written for line in report.students)
            print(f"{run}: {seconds:.2f} s, {written} submissions written")
        print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
