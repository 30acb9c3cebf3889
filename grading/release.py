"""Release: generate the student version of each lab with nbgrader, then prove it is safe to hand out.

The checks are ours because nbgrader's are not enough: it would happily release a notebook whose
solution leaked into a markdown cell, or one whose tests fail against the instructor's own answers.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI

from .gradebook import check_gradebook
from .lab_cells import bring_up_to_date, placement_problems
from .markers import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END, region_lines
from .notebooks import (
    answer_code,
    grade_cells,
    max_points,
    nbgrader_meta,
    read_notebook,
    solution_cells,
)
from .settings import CourseError, CourseSettings, copy_settings, load_course
from .tamper import lab_code, marked_pristine


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
    check_gradebook(settings)  # generate_assignment records the lab there
    api = NbGraderAPI(config=settings.nbgrader_config())
    result = api.generate_assignment(lab, force=True, create=True)
    if not result["success"]:
        raise CourseError(f"nbgrader could not generate {lab}:\n{result.get('log', '')}{result.get('error', '')}")
    return released_notebook(settings.course_dir, lab)


def generate_elsewhere(settings: CourseSettings, lab: str, workdir: Path) -> Path:
    """Generate a lab in a scratch copy of the course, leaving ``release/`` and the gradebook alone."""
    scratch = copy_settings(settings, workdir)
    shutil.copytree(settings.course_dir / "source" / lab, workdir / "source" / lab)
    return generate(scratch, lab)


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


@contextlib.contextmanager
def graded_in_scratch(settings: CourseSettings, lab: str, handed_in: dict[str, str | bytes], workers: int = 2,
                      require_sandbox: bool = False):
    """Grade notebooks (student -> the file's content) with the autograder itself, sandbox and judge,
    in a scratch course holding this lab's committed release; yields that course and the summary."""
    from .autograde import autograde

    with tempfile.TemporaryDirectory(prefix="labgrade-scratch-") as scratch:
        generate_elsewhere(settings, lab, Path(scratch))  # a gradebook that knows the lab
        course = load_course(Path(scratch))
        released = released_notebook(settings.course_dir, lab)
        shutil.copytree(released.parent, course.course_dir / "release" / lab, dirs_exist_ok=True)  # what is checked
        for student, content in handed_in.items():
            folder = course.course_dir / "submitted" / student / lab
            folder.mkdir(parents=True)
            (folder / f"{lab}.ipynb").write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        yield course, autograde(course, lab, workers=workers, require_sandbox=require_sandbox, progress=False)


def check_execution(settings: CourseSettings, lab: str, require_sandbox: bool = False) -> tuple[list[str], int, str]:
    """The instructor's answers must score in full, unflagged, and the untouched student copy exactly 0,
    both graded by the autograder itself (sandbox and judge) in a scratch course: so a test that cannot
    work through the judge's boundary is found here, with its line and why, before the term."""
    from .autograde import review_flags, test_records

    source_path, released_path = source_notebook(settings, lab), released_notebook(settings.course_dir, lab)
    source = read_notebook(source_path)
    maxima = max_points(source)
    instructor, answers = read_notebook(released_path), solution_cells(source)
    for grade_id, cell in solution_cells(instructor).items():
        cell.source = answer_code(answers[grade_id].source)
    handed_in = {"instructor": nbformat.writes(instructor), "untouched": released_path.read_bytes()}
    with graded_in_scratch(settings, lab, handed_in, require_sandbox=require_sandbox) as (course, summary):
        problems = [f"{source_path}: could not be graded: {error}" for error in summary.errors.values()]
        for grade_id, record in test_records(course.course_dir, "instructor", lab).items():
            if not record["passed"]:
                line = test_line(grade_cells(source)[grade_id].source, record["line"])
                problems.append(f"{source_path}: test {grade_id!r} fails on the solution{line}: {record['error']}")
        problems += [f"{source_path}: the solution is flagged: {flag}" for flag in review_flags(course.course_dir, lab).get("instructor", [])]
        gained = sorted(g for g, r in test_records(course.course_dir, "untouched", lab).items() if r["passed"])
        if gained:
            problems.append(f"{released_path}: the unchanged student copy scores points, from tests {gained}")
    return problems, len(maxima), str(sum(maxima.values()))


def test_line(code: str, number: int | None) -> str:
    """' at line N (`the line`)' of a test cell, or '' when the failure has no line."""
    lines = code.splitlines()
    return f" at line {number} (`{lines[number - 1].strip()}`)" if number and 0 < number <= len(lines) else ""


def pristine_problems(source_path: Path) -> list[str]:
    """Cells marked pristine must be the lab's own locked code (the judge runs them as the instructor's):
    a marked answer, test or unlocked cell would be ignored or run what a student wrote."""
    problems = []
    for index, cell in enumerate(read_notebook(source_path).cells, start=1):
        if not marked_pristine(cell):
            continue
        meta = nbgrader_meta(cell)
        if not lab_code(cell) or meta.get("grade") or not meta.get("locked"):
            problems.append(f"{source_path}: cell {index} ({meta.get('grade_id', 'no grade id')}) is marked pristine but is not "
                            "a locked code cell of the lab's own (not an answer, a test or a shared cell)")
    return problems


def release(settings: CourseSettings, labs: list[str] | None = None) -> list[ReleaseCheck]:
    """Generate and check the given labs (default: every lab with a source notebook)."""
    labs = labs or labs_with_source(settings)
    for lab in labs:
        settings.require_lab(lab)
    checks = []
    for lab in labs:
        path = source_notebook(settings, lab)
        shared_cells = placement_problems(read_notebook(path), path)
        released = generate(settings, lab)
        if not shared_cells and bring_up_to_date(settings, lab, path, read_notebook(released)):
            released = generate(settings, lab)  # the shared cells changed: release them as they now are
        check = ReleaseCheck(lab=lab, released=released, problems=shared_cells)
        check.problems += check_text(path, released) + pristine_problems(path)
        problems, check.tasks, check.points = check_execution(settings, lab)
        check.problems += problems
        checks.append(check)
    return checks
