"""Course folders, notebooks and Blackboard downloads for the collect and roster tests.

The download formats themselves are written by grading.blackboard_files, from
/work/shared/reference/blackboard-formats.md.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from labharness import ROOT

from grading import blackboard_files
from grading.blackboard_files import BlackboardZip  # noqa: F401 (the tests build zips with it)
from grading.blackboard_files import STUDENT_HEADER, grade_column_header
from grading.settings import CONFIG_FILE

GRADE_HEADERS = [
    *[grade_column_header(f"Lab {n}", 2, 1234560 + n) for n in range(1, 9)],
    grade_column_header("Computer Labs", 16, 1234574, calculated=True),
    grade_column_header("Research Assignment", 100, 1234575),
    grade_column_header("Module Mark", 100, 1234576, calculated=True),
]


def grade_center_bytes(students: list[tuple[str, str, str, str]], fmt: str = "csv", bom: bool = True) -> bytes:
    """A Grade Center download; students are (last name, first name, username, student id)."""
    rows = [[*student, "2027-01-20 10:00:00", "Yes"] + [""] * len(GRADE_HEADERS) for student in students]
    return blackboard_files.grade_center_bytes(STUDENT_HEADER + GRADE_HEADERS, rows, fmt, bom)


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
