"""Roster: the students of the course, imported into nbgrader's gradebook from a Grade Center download.

The Blackboard Username is the student id everywhere (folders, gradebook, upload file). The
university's Student ID goes into nbgrader's ``lms_user_id``: nbgrader's Student has only id, names,
email and lms_user_id, and an ID number is not an email address. Re-importing only adds students and
updates names and IDs; grades live in other tables and are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import open_gradebook
from .gradecenter import read_grade_center
from .settings import CourseError, CourseSettings

# Usernames become folder names under submitted/: letters, digits and . _ - @ only, never "." or "..".
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
ROSTER_COLUMNS = ("Username", "First Name", "Last Name")


@dataclass(frozen=True)
class RosterStudent:
    username: str
    first_name: str
    last_name: str
    student_id: str


@dataclass
class RosterImport:
    path: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_download: list[str] = field(default_factory=list)  # in the gradebook, kept

    def describe(self) -> str:
        total = len(self.added) + len(self.updated) + len(self.unchanged)
        lines = [
            f"roster from {self.path}: {total} students; {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        ]
        if self.not_in_download:
            lines.append(
                f"  {len(self.not_in_download)} student(s) in the gradebook are not in this download "
                f"(kept, with their grades): {', '.join(self.not_in_download)}"
            )
        return "\n".join(lines)


def is_safe_username(username: str) -> bool:
    return bool(USERNAME.fullmatch(username))


def read_roster(path: str | Path) -> list[RosterStudent]:
    """The students of a Grade Center download, all text; refuses usernames unfit for folder names."""
    grade_center = read_grade_center(path)
    table = grade_center.table
    missing = [column for column in ROSTER_COLUMNS if column not in table.columns]
    if missing:
        raise CourseError(f"{grade_center.path}: no {missing} column(s); is this a full Grade Center download?")
    bad = [(int(row) + 2, name) for row, name in table["Username"].items() if not is_safe_username(name)]
    if bad:
        shown = ", ".join(f"line {line}: {name!r}" for line, name in bad[:5])
        raise CourseError(
            f"{grade_center.path}: username(s) with characters other than letters, digits, '.', '_', '-', '@': {shown}"
        )
    ids = table["Student ID"] if "Student ID" in table.columns else [""] * len(table)
    return [
        RosterStudent(username, first, last, student_id)
        for username, first, last, student_id in zip(table["Username"], table["First Name"], table["Last Name"], ids)
    ]


def import_roster(settings: CourseSettings, path: str | Path) -> RosterImport:
    """Add new students and update the names and IDs of known ones; nobody is removed."""
    students = read_roster(path)
    result = RosterImport(Path(path))
    with open_gradebook(settings) as gradebook:
        known = {student.id: student for student in gradebook.students}
        for student in students:
            fields = {"first_name": student.first_name, "last_name": student.last_name, "lms_user_id": student.student_id}
            before = known.get(student.username)
            if before is None:
                result.added.append(student.username)
            elif any(getattr(before, name) != value for name, value in fields.items()):
                result.updated.append(student.username)
            else:
                result.unchanged.append(student.username)
                continue
            gradebook.update_or_create_student(student.username, **fields)
        listed = {student.username for student in students}
        result.not_in_download = sorted(set(known) - listed)
    return result


def roster_usernames(settings: CourseSettings) -> dict[str, str]:
    """Usernames in the gradebook with each student's full name; empty when no roster was imported."""
    with open_gradebook(settings) as gradebook:
        return {
            student.id: " ".join(part for part in (student.first_name, student.last_name) if part)
            for student in gradebook.students
        }
