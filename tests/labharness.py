"""What the lab tests share: the labs there are, and the shape of a wrong answer a lab's tests must catch."""

from __future__ import annotations

import importlib.util
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


def wrong_answers() -> list[tuple[str, WrongAnswer]]:
    """(lab, wrong answer) for every entry of tests/labs/<lab>_wrong_answers.py."""
    found = []
    for path in sorted((ROOT / "tests" / "labs").glob("lab*_wrong_answers.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found += [(path.stem.removesuffix("_wrong_answers"), wrong) for wrong in module.WRONG_ANSWERS]
    return found


WRONG = wrong_answers()


def wrong_student(index: int) -> str:
    """The student who hands in WRONG[index]."""
    return f"wrong{index:03d}"
