"""Course folders, nbgrader gradebooks and Grade Center downloads built the way the real tools build them."""

from __future__ import annotations

import codecs
import functools
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from labharness import ROOT
from nbgrader.api import Gradebook

from grading.settings import CONFIG_FILE, CourseSettings, load_course

# Lab tasks as generate_assignment records them: graded test cell -> points.
TASKS = {"test_a": 2, "test_b": 1, "test_c": 1}
COLUMN_IDS = {f"Lab {n}": str(1234566 + n) for n in range(1, 9)} | {
    "Computer Labs": "1234580", "Research Assignment": "1234575", "Module Mark": "1234590"}


def make_course(tmp_path: Path, extra: str = "") -> CourseSettings:
    """A course folder with the repository's settings, plus any override lines."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / CONFIG_FILE, tmp_path / CONFIG_FILE)
    if extra:
        with open(tmp_path / CONFIG_FILE, "a") as handle:
            handle.write("\n" + extra + "\n")
    return load_course(tmp_path)


def local(course: CourseSettings, text: str) -> datetime:
    """A wall-clock time in the course's zone, e.g. '2027-01-14 15:40'."""
    return datetime.fromisoformat(text).replace(tzinfo=course.timezone)


@functools.cache
def empty_gradebook() -> Path:
    """A new gradebook file, made once per test process: nbgrader spends seconds running alembic on each new one."""
    path = Path(tempfile.mkdtemp(prefix="gradebook-")) / "gradebook.db"
    Gradebook(f"sqlite:///{path}").close()
    return path


def make_gradebook(course: CourseSettings, students: dict[str, tuple[str, str]], labs: list[str],
                   submissions: list[tuple[str, str, datetime, dict[str, float]]], tasks: dict[str, int] = TASKS,
                   autograde: bool = True) -> None:
    """A gradebook as release + autograde leave it: labs with graded cells, submissions with timestamps and scores.

    ``students``: username -> (first name, last name); ``submissions``: (username, lab, when, scores by task).
    """
    database = course.course_dir / "gradebook.db"
    if not database.exists():
        shutil.copy(empty_gradebook(), database)
    with Gradebook(course.gradebook_url) as gradebook:
        for username, (first, last) in students.items():
            gradebook.update_or_create_student(username, first_name=first, last_name=last)
        for lab in labs:
            gradebook.update_or_create_assignment(lab)
            gradebook.add_notebook(lab, lab)
            for task, points in tasks.items():
                gradebook.add_grade_cell(task, lab, lab, max_score=points, cell_type="code")
        for username, lab, when, scores in submissions:
            gradebook.add_submission(lab, username, timestamp=when)
            if autograde:
                for task in tasks:
                    gradebook.find_grade(task, lab, lab, username).auto_score = scores.get(task, 0)
        gradebook.db.commit()


def grade_column(name: str, points, display: str | None = "Score") -> str:
    shown = f"{points} {display}" if display else f"{points}"
    return f"{name} [Total Pts: {shown}] |{COLUMN_IDS[name]}"


def standard_columns(labs: range = range(1, 9)) -> list[str]:
    return [*(grade_column(f"Lab {n}", 2) for n in labs), grade_column("Computer Labs", 16),
            grade_column("Research Assignment", 100), grade_column("Module Mark", 100)]


def write_grade_center(path: Path, grade_columns: list[str], rows: list[dict[str, str]], tab: bool = False) -> Path:
    """A download as Blackboard writes it: quoted UTF-8 CSV with a BOM, or an .xls that is UTF-16 tab text."""
    header = ["Last Name", "First Name", "Username", "Student ID", "Last Access", "Availability", *grade_columns]
    lines = [header] + [[row.get(column, "") for column in header] for row in rows]
    if tab:
        text = "\r\n".join("\t".join(line) for line in lines) + "\r\n"
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    else:
        quoted = ['"' + value.replace('"', '""') + '"' for line in lines for value in line]
        width = len(header)
        text = "\r\n".join(",".join(quoted[i:i + width]) for i in range(0, len(quoted), width)) + "\r\n"
        path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    return path


def student_row(username: str, first: str, last: str, **cells: str) -> dict[str, str]:
    """A download row; ``cells`` maps a column header to the cell's text."""
    return {"Last Name": last, "First Name": first, "Username": username, "Student ID": "00123456",
            "Last Access": "2027-01-20 10:00:00", "Availability": "Yes", **cells}
