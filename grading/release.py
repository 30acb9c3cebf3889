"""Release: generate the student version of each lab with nbgrader, then prove it is safe to hand out.

The checks are ours because nbgrader's are not enough: it would happily release a notebook whose
solution leaked into a markdown cell, or one whose tests fail against the instructor's own answers.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps import NbGraderAPI

from .notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    execute,
    read_notebook,
    region_lines,
    score,
    solution_cells,
)
from .settings import CONFIG_FILE, CourseError, CourseSettings, load_course


@dataclass
class ReleaseCheck:
    """What the checks found for one lab; ``problems`` empty means it may be released."""

    lab: str
    released: Path
    tasks: int = 0
    points: str = "0"
    problems: list[str] = field(default_factory=list)


def source_notebook(settings: CourseSettings, lab: str) -> Path:
    path = settings.course_dir / "source" / lab / f"{lab}.ipynb"
    if not path.is_file():
        raise CourseError(f"{path}: no source notebook for {lab}")
    return path


def released_notebook(course_dir: Path, lab: str) -> Path:
    return course_dir / "release" / lab / f"{lab}.ipynb"


def labs_with_source(settings: CourseSettings) -> list[str]:
    return [lab for lab in settings.labs if (settings.course_dir / "source" / lab / f"{lab}.ipynb").is_file()]


def generate(settings: CourseSettings, lab: str) -> Path:
    """Run nbgrader generate_assignment for one lab into ``release/``; return the released notebook."""
    source_notebook(settings, lab)
    api = NbGraderAPI(config=settings.nbgrader_config())
    result = api.generate_assignment(lab, force=True, create=True)
    if not result["success"]:
        raise CourseError(f"nbgrader could not generate {lab}:\n{result.get('log', '')}{result.get('error', '')}")
    return released_notebook(settings.course_dir, lab)


def generate_elsewhere(settings: CourseSettings, lab: str, workdir: Path) -> Path:
    """Generate a lab in a scratch copy of the course, leaving ``release/`` and the gradebook alone."""
    shutil.copy2(settings.course_dir / CONFIG_FILE, workdir / CONFIG_FILE)
    shutil.copytree(settings.course_dir / "source" / lab, workdir / "source" / lab)
    return generate(load_course(workdir), lab)


def check_text(source_path: Path, released_path: Path) -> list[str]:
    """Solution and hidden-test text must not reach the released notebook; every stub must raise."""
    problems = []
    source, released = read_notebook(source_path), read_notebook(released_path)
    released_text = "\n".join(cell.source for cell in released.cells)
    for marker in (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END):
        if marker in released_text:
            problems.append(f"{released_path}: marker {marker!r} is still present")
    released_lines = {line.strip() for line in released_text.splitlines()}
    for begin, end, what in ((SOLUTION_BEGIN, SOLUTION_END, "solution"), (HIDDEN_BEGIN, HIDDEN_END, "hidden test")):
        inside, outside = set(), set()
        for cell in source.cells:
            cell_inside, cell_outside = region_lines(cell.source, begin, end)
            inside |= cell_inside
            outside |= cell_outside
        # A line the instructor also wrote outside every region (provided code, "}") gives nothing away.
        secret = {line for line in inside - outside if any(ch.isalnum() for ch in line) and not line.startswith("#")}
        problems += [f"{released_path}: {what} line leaked: {line!r}" for line in sorted(secret & released_lines)]
    for grade_id, cell in solution_cells(released).items():
        if "raise NotImplementedError" not in cell.source:
            problems.append(f"{released_path}: answer cell {grade_id!r} has no stub raising NotImplementedError")
    return problems


def check_execution(source_path: Path, released_path: Path) -> tuple[list[str], int, str]:
    """The instructor's notebook must pass every test; the untouched student copy must score exactly 0."""
    problems = []
    solved = score(execute(read_notebook(source_path), cwd=source_path.parent))
    for grade_id, error in solved.errors.items():
        problems.append(f"{source_path}: test {grade_id!r} fails on the solution: {error}")
    with tempfile.TemporaryDirectory(prefix="labgrade-release-") as scratch:
        copy = Path(scratch) / released_path.parent.name
        shutil.copytree(released_path.parent, copy)
        stub = score(execute(read_notebook(copy / released_path.name), cwd=copy))
    if stub.total != 0:
        gained = sorted(grade_id for grade_id, points in stub.points.items() if points)
        problems.append(f"{released_path}: the unchanged student copy scores {stub.total}, from tests {gained}")
    return problems, len(solved.max_points), str(solved.max_total)


def release(settings: CourseSettings, labs: list[str] | None = None) -> list[ReleaseCheck]:
    """Generate and check the given labs (default: every lab with a source notebook)."""
    labs = labs or labs_with_source(settings)
    for lab in labs:
        settings.require_lab(lab)
    checks = []
    for lab in labs:
        released = generate(settings, lab)
        check = ReleaseCheck(lab=lab, released=released)
        check.problems += check_text(source_notebook(settings, lab), released)
        problems, check.tasks, check.points = check_execution(source_notebook(settings, lab), released)
        check.problems += problems
        checks.append(check)
    return checks
