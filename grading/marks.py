"""Marks: from the gradebook to each student's lab marks, in exact decimal arithmetic.

Rounding rule (the only one): half up, to two decimals for lab marks.
"""

from __future__ import annotations

import csv
import os
import tempfile
from datetime import timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .deadlines import minutes_late, student_deadline
from .settings import CourseSettings

CENT = Decimal("0.01")


def lab_mark(score: Decimal, max_score: Decimal, weight: Decimal, late: bool, late_policy: str) -> Decimal:
    """The lab's share of the module mark: weight x score / max, zero when late under the 'zero' policy."""
    if late and late_policy == "zero":
        return Decimal("0.00")
    return (weight * score / max_score).quantize(CENT, rounding=ROUND_HALF_UP)


def write_atomically(path: Path, rows: list[dict], fieldnames: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=fieldnames, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def marks_rows(settings: CourseSettings) -> list[dict]:
    rows = []
    with Gradebook(settings.nbgrader_config().CourseDirectory.get("db_url") or
                   f"sqlite:///{settings.course_dir / 'gradebook.db'}") as gradebook:
        for student in sorted(gradebook.students, key=lambda s: s.id):
            row = {"username": student.id}
            total = Decimal("0.00")
            for lab in settings.labs:
                try:
                    submission = gradebook.find_submission(lab, student.id)
                except MissingEntry:
                    row[f"{lab}_score"], row[f"{lab}_mark"] = "", "0.00"
                    continue
                submitted = submission.timestamp.replace(tzinfo=timezone.utc) if submission.timestamp else None
                late = bool(submitted and minutes_late(submitted, student_deadline(settings, lab), settings.grace_minutes))
                mark = lab_mark(Decimal(str(submission.score)), Decimal(str(submission.max_score)),
                                settings.lab_weight, late, settings.late_policy)
                row[f"{lab}_score"] = f"{submission.score:g}/{submission.max_score:g}" + (" late" if late else "")
                row[f"{lab}_mark"] = str(mark)
                total += mark
            row["labs_total"] = str(total)
            rows.append(row)
    return rows


def write_marks(settings: CourseSettings, out: str | None = None) -> Path:
    path = Path(out) if out else settings.course_dir / "marks.csv"
    fields = ["username", *[f"{lab}_{part}" for lab in settings.labs for part in ("score", "mark")], "labs_total"]
    write_atomically(path, marks_rows(settings), fields)
    return path
