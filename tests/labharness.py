"""What the lab tests share: the labs there are, and the shape of a wrong answer a lab's tests must catch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
