"""Running a lab's source notebook with some answers swapped, to prove what its tests catch."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grading.notebooks import Score, execute, read_notebook, score, solution_cells

ROOT = Path(__file__).resolve().parent.parent
# Every lab with a source notebook: what the lab tests cover.
LABS = sorted(p.parent.name for p in (ROOT / "source").glob("lab*/lab*.ipynb"))


@dataclass(frozen=True)
class WrongAnswer:
    """A mistake students really make in one task, and the test cell that must give it no points."""

    cell: str  # grade id of the answer cell to replace
    code: str  # the student's plausible wrong code, replacing the whole cell
    loses: str  # grade id of the test cell that must score 0
    why: str  # the mistake, in words

    def __str__(self) -> str:
        return f"{self.cell}: {self.why}"


def run_with_answers(lab: str, answers: dict[str, str], course_dir: Path = ROOT) -> Score:
    """Execute the lab's source notebook (hidden tests included) with the given answer cells replaced."""
    source = course_dir / "source" / lab / f"{lab}.ipynb"
    nb = read_notebook(source)
    cells = solution_cells(nb)
    unknown = set(answers) - set(cells)
    assert not unknown, f"{source}: no answer cells {sorted(unknown)}; answer cells are {sorted(cells)}"
    for grade_id, code in answers.items():
        cells[grade_id].source = code
    with tempfile.TemporaryDirectory(prefix=f"{lab}-") as scratch:
        workdir = Path(scratch) / lab
        shutil.copytree(source.parent, workdir)
        return score(execute(nb, cwd=workdir))
