"""Scratch courses with a lab released (lab 1 unless told) and submissions written from the instructor's answers."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grading.autograde import autograde, review_flags
from grading.notebooks import answer_code, read_notebook, solution_cells
from grading.release import generate
from grading.settings import CONFIG_FILE, load_course
from labharness import ROOT, answers

LAB = "lab1"
TIMESTAMP = "2027-01-14T15:40:00+00:00"
# The attacks' common starting point: a wrong arrhenius (8 of 10 points), and the answer cell after
# which an attacking cell of the student's own goes.
WRONG_ARRHENIUS = "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(Ea / (k_B * T))"
AFTER_ARRHENIUS = "arrhenius"


@functools.cache
def released_course(lab: str) -> Path:
    """A course folder with the real settings and the lab released, made once per test process:
    nbgrader's generate_assignment and its new gradebook take seconds."""
    folder = Path(tempfile.mkdtemp(prefix=f"course-{lab}-"))
    shutil.copy2(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    shutil.copytree(ROOT / "source" / lab, folder / "source" / lab)
    generate(load_course(folder), lab)
    return folder


def make_course(folder: Path, lab: str = LAB, extra: str = ""):
    """A course folder of its own with the real settings, plus any override lines, and the lab
    released (gradebook included)."""
    shutil.copytree(released_course(lab), folder, dirs_exist_ok=True)
    if extra:
        with open(folder / CONFIG_FILE, "a") as config:
            config.write("\n" + extra + "\n")
    return load_course(folder)


def enrol(settings, students: dict[str, tuple[str, str]]) -> None:
    """Put students in the gradebook with their names (username -> (first, last)), as the roster does."""
    with Gradebook(settings.gradebook_url) as gb:
        for user, (first, last) in students.items():
            gb.update_or_create_student(user, first_name=first, last_name=last)


def solutions(lab: str = LAB) -> dict[str, str]:
    """The instructor's answer for every answer cell of a lab (markers stripped, as a student writes it)."""
    source = read_notebook(ROOT / "source" / lab / f"{lab}.ipynb")
    return {grade_id: answer_code(cell.source) for grade_id, cell in solution_cells(source).items()}


def released(settings, lab: str = LAB) -> nbformat.NotebookNode:
    return read_notebook(settings.course_dir / "release" / lab / f"{lab}.ipynb")


def answered(settings, answers: dict[str, str] | None = None, lab: str = LAB) -> nbformat.NotebookNode:
    """The released notebook with answer cells filled in (default: every answer correct)."""
    nb = released(settings, lab)
    unknown = set(answers or {}) - set(solutions(lab))
    assert not unknown, f"{lab} has no answer cell {sorted(unknown)}"
    chosen = {**solutions(lab), **(answers or {})}
    for grade_id, cell in solution_cells(nb).items():
        cell.source = chosen[grade_id]
    return nb


def submit(settings, student: str, nb, timestamp: str = TIMESTAMP, lab: str = LAB) -> Path:
    """Hand in a notebook (a NotebookNode, or raw text for broken files) as nbgrader's collect would."""
    folder = settings.course_dir / "submitted" / student / lab
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lab}.ipynb"
    path.write_text(nb if isinstance(nb, str) else nbformat.writes(nb), encoding="utf-8")
    (folder / "timestamp.txt").write_text(timestamp + "\n", encoding="utf-8")
    return path


def mixed_batch(settings, count: int) -> None:
    """``count`` lab 1 hand-ins, s000...: every third correct, the others with one or two of the
    wrong answers students really give (the same ones each time)."""
    chooser = random.Random(2027)
    mistakes = answers(LAB)[1]
    for index in range(count):
        chosen = {} if index % 3 == 0 else {w.cell: w.code for w in chooser.sample(mistakes, chooser.choice([1, 2]))}
        submit(settings, f"s{index:03d}", answered(settings, chosen))


def insert_after(nb, grade_id: str, code: str):
    """Add a student's own code cell right after the cell with this grade id."""
    index = next(i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(code))
    return nb


def graded_once(tmp_path_factory, name: str, submit_all, workers: int = 2, lab: str = LAB):
    """Grade a batch once per test session, even when pytest-xdist spreads its tests over processes.

    ``submit_all(folder)`` makes the course in ``folder`` and hands in the batch; returns the settings,
    the summary (graded and errors), the scores and the review flags, by student."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    shared.mkdir(exist_ok=True)
    folder, done = shared / "course", shared / "summary.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir()
            settings = submit_all(folder)
            summary = autograde(settings, lab, workers=workers, require_sandbox=True, progress=False)
            done.write_text(json.dumps({"graded": summary.graded, "errors": summary.errors}))
    summary = json.loads(done.read_text())
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(lab).submissions}
    return load_course(folder), summary, scores, review_flags(folder, lab)


def autograded_text(settings, student: str) -> str:
    """Everything in a student's autograded folder, as one text."""
    folder = settings.course_dir / "autograded" / student / LAB
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()) if path.is_file())
