"""Reading nbgrader notebooks and scoring executed ones: the rules every stage shares.

A graded test cell scores its points when executing it raised no error. Output on stderr (a
DeprecationWarning, say) does not matter: nbgrader zeroes such cells, we do not.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .cells.setup_cell import GRADING_MARKER
from .markers import SOLUTION_BEGIN, SOLUTION_END
from .settings import CourseError

HIDDEN_FAILURE = "failed in the hidden tests (they are not shown)"  # all a student is told of such a failure


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a version-4 notebook, or raise CourseError naming the file and what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CourseError(f"{path}: cannot be read: {error}") from error
    return parse_notebook(text, path)


def parse_notebook(text: str, path) -> nbformat.NotebookNode:
    """A version-4 notebook from its text; ``path`` only names it in the CourseError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CourseError(f"{path}: not a notebook: invalid JSON at line {error.lineno}: {error.msg}") from None
    except RecursionError:  # a hostile file nests lists in lists deeper than the parser goes
        raise CourseError(f"{path}: not a notebook: its JSON is nested too deeply to read") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        found = data.get("nbformat") if isinstance(data, dict) else type(data).__name__
        raise CourseError(f"{path}: not an nbformat 4 notebook (nbformat is {found!r})")
    try:
        return nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as error:  # malformed cells: missing keys, wrong types
        raise CourseError(f"{path}: malformed notebook: {error}") from error


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Autograded test cells by grade id, in notebook order."""
    return {
        nbgrader_meta(cell)["grade_id"]: cell
        for cell in nb.cells
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution")
    }


def solution_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Cells students write their answers in, by grade id."""
    return {
        nbgrader_meta(cell)["grade_id"]: cell
        for cell in nb.cells
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution")
    }


def max_points(nb) -> dict[str, Decimal]:
    return {grade_id: Decimal(str(nbgrader_meta(cell).get("points", 0))) for grade_id, cell in grade_cells(nb).items()}


@dataclass(frozen=True)
class Score:
    """One executed notebook's result: points per graded test cell and the error that lost any."""

    points: dict[str, Decimal]
    max_points: dict[str, Decimal]
    errors: dict[str, str]

    @property
    def total(self) -> Decimal:
        return sum(self.points.values(), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum(self.max_points.values(), Decimal(0))


def score(nb) -> Score:
    """Score an executed notebook: full points for each test cell without an error output, else 0."""
    points, errors = {}, {}
    maxima = max_points(nb)
    for grade_id, cell in grade_cells(nb).items():
        failures = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        points[grade_id] = Decimal(0) if failures else maxima[grade_id]
        if failures:
            errors[grade_id] = f"{failures[0].get('ename', 'Error')}: {failures[0].get('evalue', '')}"
    return Score(points=points, max_points=maxima, errors=errors)


def execute(nb, cwd: Path, timeout: int = 60) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel in ``cwd``, carrying on past errors so each task scores alone,
    as when marked (the labs' shared set-up and check cells stand aside)."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute(env={**os.environ, GRADING_MARKER: "1"})
    return nb


def answer_code(solution_source: str) -> str:
    """The instructor's answer as a student would hand it in: without the nbgrader markers."""
    return "\n".join(
        line for line in solution_source.splitlines() if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END)
    )


def task_answers(nb) -> dict[str, list[str]]:
    """Each graded test cell's task: the grade ids of the answer cells since the previous test cell."""
    tasks, pending = {}, []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and not meta.get("grade"):
            pending.append(meta["grade_id"])
        elif meta.get("grade") and cell.cell_type == "code":
            tasks[meta["grade_id"]], pending = pending, []
    return tasks
