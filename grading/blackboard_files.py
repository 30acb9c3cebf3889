"""Files in Blackboard's own formats, written the way Blackboard writes them: for the demo and the tests.

See /work/shared/reference/blackboard-formats.md: a Grade Center download is a quoted UTF-8 CSV
(often with a byte-order mark) or a tab-delimited UTF-16 ".xls"; an assignment download is a zip with,
for every attempt, a receipt ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.txt`` and each
attached file as ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<original file name>``.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

STUDENT_HEADER = ["Last Name", "First Name", "Username", "Student ID", "Last Access", "Availability"]


def grade_column_header(name: str, points, column_id: int | str, calculated: bool = False) -> str:
    """A gradebook column's header, e.g. ``Lab 1 [Total Pts: 2 Score] |1234561``."""
    return f"{name} [Total Pts: {'up to ' if calculated else ''}{points} Score] |{column_id}"


def grade_center_bytes(header: list[str], rows: list[list[str]], fmt: str = "csv", bom: bool = True) -> bytes:
    """A Grade Center download: ``fmt`` "csv" (every value quoted, UTF-8) or "xls" (tabs, UTF-16LE)."""
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    else:
        writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    if fmt == "csv":
        return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode("utf-8")
    return codecs.BOM_UTF16_LE + out.getvalue().encode("utf-16-le")


def receipt(name: str, username: str, assignment: str, when: datetime, stored: list[tuple[str, str]],
            zone: str = "Europe/London") -> str:
    """Receipt text; ``when`` is naive local time, ``stored`` is (original name, name in the zip) per file."""
    abbreviation = when.replace(tzinfo=ZoneInfo(zone)).tzname()
    lines = [
        f"Name: {name} ({username})",
        f"Assignment: {assignment}",
        f"Date Submitted: {when:%A, %-d %B %Y %H:%M:%S} o'clock {abbreviation}",
        "Current Grade: Needs Grading",
        "",
        "Submission Field:",
        "There is no student submission text data for this assignment.",
        "",
        "Comments:",
        "There are no student comments for this assignment.",
        "",
        "Files:",
    ]
    if not stored:
        lines.append("No files were attached to this submission.")
    for original, zipped in stored:
        lines += [f"\tOriginal filename: {original}", f"\tFilename: {zipped}", ""]
    return "\n".join(lines) + "\n"


@dataclass
class BlackboardZip:
    """An assignment download being assembled; ``write`` gives the zip file."""

    assignment: str = "Lab 1"
    zone: str = "Europe/London"
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = field(default_factory=list)

    def attempt(self, username: str, when: str | datetime, files: dict[str, bytes] | None = None,
                name: str = "A Student", with_receipt: bool = True) -> "BlackboardZip":
        """One attempt at naive local time ``when`` ("YYYY-MM-DD HH:MM:SS"), with its receipt and files."""
        moment = when if isinstance(when, datetime) else datetime.fromisoformat(when)
        stem = f"{self.assignment}_{username}_attempt_{moment:%Y-%m-%d-%H-%M-%S}"
        stored = [(original, f"{stem}_{original}") for original in (files or {})]
        if with_receipt:
            text = receipt(name, username, self.assignment, moment, stored, self.zone)
            self.entries.append((f"{stem}.txt", text.encode()))
        for (original, zipped), data in zip(stored, (files or {}).values()):
            self.entries.append((zipped, data))
        return self

    def raw(self, name: zipfile.ZipInfo | str, data: bytes) -> "BlackboardZip":
        self.entries.append((name, data))
        return self

    def write(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.entries:
                archive.writestr(name, data)
        return path
