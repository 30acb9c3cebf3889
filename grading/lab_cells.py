"""The cells every lab shares, kept in step with their master copies by ``labgrade release``.

Each lab opens with the set-up cell (grading/cells/setup_cell.py) and closes with the check cell
(grading/cells/check_cell.py), after a short "Before you hand in" text. The cells must be
self-contained (a student downloads one notebook), so each lab holds a copy; release writes each copy
from its master with the lab's constants filled in: the library versions from
``requirements-student.txt``, the deadline from the settings, the tasks from the released notebook.
A lab without these cells in their places fails the release check.
"""

from __future__ import annotations

import importlib.metadata
import pprint
import re
import sys
from decimal import Decimal
from pathlib import Path

import nbformat

from .cells import check_cell
from .files import write_atomically
from .notebooks import grade_cells, nbgrader_meta, read_notebook, solution_cells
from .settings import CourseError, CourseSettings
from .tamper import libraries

STUDENT_REQUIREMENTS = "requirements-student.txt"
MASTERS = Path(__file__).resolve().parent / "cells"
SETUP_ID, CHECK_ID, HANDIN_ID = check_cell.SETUP_ID, check_cell.CHECK_ID, "labgrade-handin"
BLOCK_BEGIN, BLOCK_END = "# labgrade release sets these", "# (end of what labgrade release sets)"
REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)((?:==|>=|<=)[^,\s]+(?:,(?:==|>=|<=)[^,\s]+)*)")

HANDIN = """## Before you hand in

Hand in by {deadline}: upload `{lab}.ipynb` to the Blackboard assignment **{assignment}**.

1. *Kernel → Restart Kernel and Run All Cells* (Colab: *Runtime → Restart session and run all*).
   Run All stops at the first cell that raises an error, such as a task you have not done: that is
   fine, the marker carries on past errors.
2. Save (*File → Save*; on Colab, *File → Download → Download .ipynb*).
3. Run the cell below. It runs your saved notebook again from the top, carrying on past errors, and
   tells you, task by task, whether each is answered and passes its visible tests; whether the cells
   ran top to bottom in one run; whether the file holds your latest run; and the time left."""


def student_requirements(course_dir: Path) -> dict[str, str]:
    """``requirements-student.txt`` of the course: library -> versions ("==2026.10.24", ">=1.26.4,<=2.4.6")."""
    path = course_dir / STUDENT_REQUIREMENTS
    if not path.is_file():
        raise CourseError(f"{path}: missing; it lists the lab libraries students install (copy it from the repository)")
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = REQUIREMENT.fullmatch(line.replace(" ", ""))
        if not match or not re.search(r"==|<=", match.group(2)):
            raise CourseError(f"{path}, line {number}: {line!r} is not NAME==VERSION or NAME>=LOWEST,<=GRADED")
        found[match.group(1)] = match.group(2)
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lab_libraries(source, requirements: dict[str, str], where: Path) -> dict[str, str]:
    """The student requirements of the libraries a lab's own code imports (tamper.libraries);
    a library it imports that the file lacks is an error naming both."""
    distributions = importlib.metadata.packages_distributions()
    by_name = {canonical(name): name for name in requirements}
    wanted = set()
    for module in {name.split(".")[0] for name in libraries(source)} - set(sys.stdlib_module_names):
        names = [by_name[canonical(d)] for d in distributions.get(module, []) if canonical(d) in by_name]
        if not names:
            raise CourseError(f"{where} imports {module}, which {STUDENT_REQUIREMENTS} does not list: add it there")
        wanted.update(names)
    return {name: versions for name, versions in requirements.items() if name in wanted}


def render(master: str, constants: dict) -> str:
    """A master cell with its release-time constants replaced by these values."""
    text, constants = (MASTERS / master).read_text(encoding="utf-8"), dict(constants)
    head, _, rest = text.partition(BLOCK_BEGIN)
    block, _, tail = rest.partition(BLOCK_END)
    lines = []
    for line in block.splitlines():
        name = line.split(" = ", 1)[0]
        lines.append(f"{name} = {pprint.pformat(constants.pop(name), width=110, sort_dicts=False)}" if name in constants else line)
    if constants:
        raise CourseError(f"{MASTERS / master}: has no constant {sorted(constants)} between {BLOCK_BEGIN!r} and {BLOCK_END!r}")
    return (head + BLOCK_BEGIN + "\n".join(lines) + "\n" + BLOCK_END + tail).rstrip("\n")


def setup_code(lab_requirements: dict[str, str], requirements: dict[str, str]) -> str:
    return render("setup_cell.py", {"LAB_LIBRARIES": lab_requirements, "PINS": [n + v for n, v in requirements.items()]})


def check_constants(settings: CourseSettings, lab: str, released) -> dict:
    """What the check cell knows of a lab: its deadline, and its tasks as released."""
    deadline = settings.deadline_for(lab)
    city = settings.timezone.key.rsplit("/", 1)[-1].replace("_", " ")
    tasks, answers, stubs = [], [], {}
    answer_ids, test_ids = set(solution_cells(released)), set(grade_cells(released))
    for cell in released.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answer_ids:
            answers.append(grade_id)
            stubs[grade_id] = check_cell.fingerprint(cell.source)
        elif grade_id in test_ids:
            points = Decimal(str(nbgrader_meta(cell).get("points", 0)))
            tasks.append((grade_id, int(points) if points == points.to_integral() else float(points), answers,
                          check_cell.fingerprint(cell.source)))
            answers = []
    return {
        "LAB": lab,
        "ASSIGNMENT": settings.blackboard_columns[lab],
        "DEADLINE": deadline.isoformat(),
        "DEADLINE_TEXT": f"{deadline:%A} {deadline.day} {deadline:%B %Y} at {deadline:%H:%M} {city} time ({deadline.tzname()})",
        "TASKS": tasks,
        "STUBS": stubs,
    }


def handin_text(constants: dict) -> str:
    return HANDIN.format(deadline=constants["DEADLINE_TEXT"], lab=constants["LAB"], assignment=constants["ASSIGNMENT"])


def placement_problems(source, path: Path) -> list[str]:
    """The set-up cell must be the first code cell, the check cell the last cell with the hand-in text
    just above it; all three locked, so that marking always takes them from source/."""
    ids = [nbgrader_meta(cell).get("grade_id") for cell in source.cells]
    code = [nbgrader_meta(cell).get("grade_id") for cell in source.cells if cell.cell_type == "code"]
    problems = []
    if SETUP_ID not in ids:
        problems.append(f"{path}: no set-up cell ({SETUP_ID!r}): add it as the first code cell (see grading/lab_cells.py)")
    elif code[:1] != [SETUP_ID]:
        problems.append(f"{path}: the set-up cell ({SETUP_ID!r}) must be the first code cell")
    if CHECK_ID not in ids:
        problems.append(f"{path}: no check cell ({CHECK_ID!r}): add it as the last cell (see grading/lab_cells.py)")
    elif ids[-2:] != [HANDIN_ID, CHECK_ID]:
        problems.append(f"{path}: the check cell ({CHECK_ID!r}) must be the last cell, just after the hand-in text ({HANDIN_ID!r})")
    for cell in source.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade_id") in (SETUP_ID, CHECK_ID, HANDIN_ID) and (not meta.get("locked") or meta.get("solution") or meta.get("grade")):
            problems.append(f"{path}: cell {meta['grade_id']!r} must be read-only (nbgrader locked), not an answer or test")
    return problems


def wanted_sources(settings: CourseSettings, lab: str, source, released, path: Path) -> dict[str, str]:
    """The three shared cells of one lab as release makes them, by nbgrader name."""
    requirements = student_requirements(settings.course_dir)
    constants = check_constants(settings, lab, released)
    return {
        SETUP_ID: setup_code(lab_libraries(source, requirements, path), requirements),
        HANDIN_ID: handin_text(constants),
        CHECK_ID: render("check_cell.py", constants),
    }


def bring_up_to_date(settings: CourseSettings, lab: str, path: Path, released) -> bool:
    """Write the shared cells of a source notebook from their masters; True when that changed it."""
    source = read_notebook(path)
    wanted = wanted_sources(settings, lab, source, released, path)
    changed = False
    for cell in source.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in wanted and cell.source != wanted[grade_id]:
            cell.source, changed = wanted[grade_id], True
    if changed:
        write_atomically(path, nbformat.writes(source) + "\n")
    return changed
