"""What changed since the last `labgrade marks`: the marks staff must upload again, and why.

After a hidden test is fixed and the lab regraded, a review decision, a late mitigation or a newly
marked research assignment, some uploaded marks change. The last run's ``marks.csv`` (one row per
student and lab) is the baseline: each student whose lab mark, lab total or module mark differs from
it is listed with the fields behind the difference (score, lateness, exemption, flags, assignment).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .settings import CourseError

MARKS = ("lab_mark",)  # per lab
TOTALS = ("labs_total", "module_mark")  # per student, repeated on each of their rows
REASONS = ("score", "status", "minutes_late", "exemption", "flags")  # why a lab mark moves
TOTAL_REASONS = ("assignment_cell",)  # why a module mark moves beyond the labs


@dataclass
class StudentChange:
    username: str
    lines: list[str] = field(default_factory=list)


def read_baseline(path: Path) -> list[dict] | None:
    """The previous run's marks.csv rows, or None before the first run."""
    if not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        raise CourseError(f"{path}: the last run's breakdown cannot be read ({error}); move it away to start afresh") from None


def _text(row: dict, name: str) -> str:
    """A breakdown field as marks.csv holds it (this run's rows still hold numbers)."""
    value = row.get(name)
    return "" if value is None else str(value)


def _moved(before: dict, after: dict, fields) -> list[str]:
    return [f"{name} {_text(before, name) or '-'} -> {_text(after, name) or '-'}" for name in fields
            if _text(before, name) != _text(after, name)]


def changes(baseline: list[dict], current: list[dict], reviews: dict[tuple[str, str], str] | None = None) -> list[StudentChange]:
    """Students whose uploaded marks differ from the baseline's, each change with its reasons.
    ``reviews``: (student, lab) -> the review decision behind a score, if any."""
    before = {(row["username"], row["lab"]): row for row in baseline}
    seen_before = {row["username"] for row in baseline}
    found: dict[str, StudentChange] = {}
    for row in current:
        key = (row["username"], row["lab"])
        student = found.setdefault(row["username"], StudentChange(row["username"]))
        old = before.get(key)
        if old is None:
            why = "first marks for this student" if row["username"] not in seen_before else "first marks for this lab"
            student.lines.append(f"{row['lab']}: {_text(row, 'lab_mark') or '-'} ({why})")
            continue
        for name in MARKS:
            if _text(old, name) != _text(row, name):
                reasons = _moved(old, row, REASONS)
                if key in (reviews or {}):
                    reasons.append(f"review: {reviews[key]}")
                student.lines.append(f"{row['lab']}: {_text(old, name) or '-'} -> {_text(row, name) or '-'}"
                                     + (f" ({'; '.join(reasons)})" if reasons else ""))
    first_before, first_now = {}, {}  # totals are repeated on each of a student's rows: read the first
    for rows, firsts in ((baseline, first_before), (current, first_now)):
        for row in rows:
            firsts.setdefault(row["username"], row)
    for username, row in first_now.items():
        old = first_before.get(username)
        for name in TOTALS if old is not None else ():
            if _text(old, name) != _text(row, name):
                reasons = _moved(old, row, TOTAL_REASONS)
                found[username].lines.append(f"{name}: {_text(old, name) or '-'} -> {_text(row, name) or '-'}"
                                             + (f" ({'; '.join(reasons)})" if reasons else ""))
    return [student for student in found.values() if student.lines]
