"""Blackboard downloads built from /work/shared/reference/blackboard-formats.md, for the tests.

Grade Center files (quoted UTF-8 CSV with or without a byte-order mark, or the tab-delimited UTF-16
".xls") and assignment zips (a receipt per attempt plus each attached file, named
``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<file>]``).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from functools import cache

from labharness import ROOT

from grading.settings import CONFIG_FILE

STUDENT_HEADER = ["Last Name", "First Name", "Username", "Student ID", "Last Access", "Availability"]
GRADE_HEADERS = [
    *[f"Lab {n} [Total Pts: 2 Score] |12345{60 + n}" for n in range(1, 9)],
    "Computer Labs [Total Pts: up to 16 Score] |1234574",
    "Research Assignment [Total Pts: 100 Score] |1234575",
    "Module Mark [Total Pts: up to 100 Score] |1234576",
]


def grade_center_bytes(students: list[tuple[str, str, str, str]], fmt: str = "csv", bom: bool = True) -> bytes:
    """A Grade Center download; students are (last name, first name, username, student id)."""
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    else:
        writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(STUDENT_HEADER + GRADE_HEADERS)
    for last, first, username, student_id in students:
        writer.writerow([last, first, username, student_id, "2027-01-20 10:00:00", "Yes"] + [""] * len(GRADE_HEADERS))
    if fmt == "csv":
        return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode("utf-8")
    return codecs.BOM_UTF16_LE + out.getvalue().encode("utf-16-le")


def course_folder(tmp_path: Path, extra: str = "", fake_labs: tuple[str, ...] = ("lab2",)) -> Path:
    """A course folder with the real settings (plus ``extra`` lines), lab1 released, and stand-in
    released notebooks for ``fake_labs``: lab1 with every nbgrader grade id renamed."""
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    if extra:
        with open(folder / CONFIG_FILE, "a") as handle:
            handle.write("\n" + extra + "\n")
    shutil.copytree(ROOT / "release" / "lab1", folder / "release" / "lab1")
    shutil.copy(empty_gradebook(), folder / "gradebook.db")
    for lab in fake_labs:
        (folder / "release" / lab).mkdir(parents=True)
        (folder / "release" / lab / f"{lab}.ipynb").write_bytes(other_lab_notebook(lab))
    return folder


@cache
def empty_gradebook() -> Path:
    """An empty nbgrader gradebook made once per test process (nbgrader makes one slowly, via alembic)."""
    from nbgrader.api import Gradebook

    path = Path(tempfile.mkdtemp(prefix="gradebook-")) / "gradebook.db"
    Gradebook(f"sqlite:///{path}").close()
    return path


def lab1_notebook() -> bytes:
    return (ROOT / "release" / "lab1" / "lab1.ipynb").read_bytes()


def other_lab_notebook(lab: str) -> bytes:
    nb = json.loads(lab1_notebook())
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if meta:
            meta["grade_id"] = f"{lab}-{meta['grade_id']}"
    return json.dumps(nb).encode()


def unmarked_notebook() -> bytes:
    """A notebook with lab1's code but none of nbgrader's metadata (pasted into a new notebook)."""
    nb = json.loads(lab1_notebook())
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return json.dumps(nb).encode()


def receipt(name: str, username: str, assignment: str, when: datetime, stored: list[tuple[str, str]], zone: str = "Europe/London") -> str:
    """Receipt text as Blackboard writes it; ``stored`` is (original name, name in the zip) per file."""
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
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = field(default_factory=list)

    def attempt(self, username: str, when: str, files: dict[str, bytes] | None = None, name: str = "A Student",
                with_receipt: bool = True) -> "BlackboardZip":
        """One attempt at local time ``when`` ("YYYY-MM-DD HH:MM:SS"), with its receipt and files."""
        moment = datetime.fromisoformat(when)
        stem = f"{self.assignment}_{username}_attempt_{moment:%Y-%m-%d-%H-%M-%S}"
        stored = [(original, f"{stem}_{original}") for original in (files or {})]
        if with_receipt:
            self.entries.append((f"{stem}.txt", receipt(name, username, self.assignment, moment, stored).encode()))
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
