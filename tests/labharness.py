"""What the lab tests share: the labs there are, the answers each lab's tests must judge right, and the
batch that hands them all in at once.

Each lab lists in tests/labs/<lab>_answers.py correct alternatives (CORRECT_ANSWERS: they must score
full) and plausible mistakes (WRONG_ANSWERS: they must score nothing on the test they name). They are
handed in together, several answers per notebook, so that one batch also proves the tasks independent:
``batch_plan`` gives every pair of tasks (k, j) a notebook where k holds its stub while j holds a correct
answer, the same with a wrong answer of k's that defines k's names (``rebinds``), and places every other
wrong answer and every correct alternative in notebooks where about half the other tasks are right, in
as few notebooks as that allows (each notebook is a whole run of the lab).
A test scores as its own answers say, whatever the other tasks' answers are: that is independence.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every lab with a source notebook: what the lab tests cover.
LABS = sorted(p.parent.name for p in (ROOT / "source").glob("lab*/lab*.ipynb"))


@dataclass(frozen=True)
class Answer:
    """A correct answer to one task, written differently from the solution (another library the text
    allows, a loop, a list, another valid order): every test of the task must give it full points."""

    cell: str  # grade id of the answer cell to replace
    code: str  # the whole cell, as a student would write it
    why: str  # how it differs from the solution

    def __str__(self) -> str:
        return f"{self.cell} (correct: {self.why})"


@dataclass(frozen=True)
class WrongAnswer:
    """A mistake students really make in one task, and the test cell that must give it no points."""

    cell: str  # grade id of the answer cell to replace
    code: str  # the student's plausible wrong code, replacing the whole cell
    loses: str  # grade id of the test cell that must score 0
    why: str  # the mistake, in words
    rebinds: bool = False  # it defines the task's names (wrongly) as a finished cell would, and may rebind the lab's data

    def __str__(self) -> str:
        return f"{self.cell} (wrong: {self.why})"


@dataclass(frozen=True)
class Stub:
    """The released stub of an answer cell: the task not done."""

    cell: str
    code: str

    def __str__(self) -> str:
        return f"{self.cell} (stub)"


def _lab_module(lab: str):
    path = ROOT / "tests" / "labs" / f"{lab}_answers.py"
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers(lab: str) -> tuple[list[Answer], list[WrongAnswer]]:
    """The correct alternatives and wrong answers of tests/labs/<lab>_answers.py."""
    module = _lab_module(lab)
    return list(module.CORRECT_ANSWERS), list(module.WRONG_ANSWERS)


def is_correct(answer) -> bool:
    """Whether an answer cell's content must score: the solution (None) or a correct alternative."""
    return answer is None or isinstance(answer, Answer)


@dataclass
class Handed:
    """One notebook of a lab's batch: the answer in each answer cell (None: the instructor's)."""

    student: str
    cells: dict[str, object] = field(default_factory=dict)  # grade id -> Answer | WrongAnswer | Stub | None

    def codes(self) -> dict[str, str]:
        return {cell: answer.code for cell, answer in self.cells.items() if answer is not None}

    def expected(self, tests: dict[str, list[str]]) -> dict[str, bool]:
        """test -> whether it must pass (True) or score 0 (False); tests left out depend on a wrong answer
        that names another test of the same cell."""
        outcome = {}
        for test, cells in tests.items():
            held = [self.cells.get(cell) for cell in cells]
            if all(is_correct(answer) for answer in held):
                outcome[test] = True
            elif any(isinstance(answer, Stub) or (isinstance(answer, WrongAnswer) and answer.loses == test) for answer in held):
                outcome[test] = False
        return outcome

    def describe(self, cells: list[str]) -> str:
        return "; ".join(str(self.cells[cell]) if self.cells.get(cell) is not None else f"{cell} (solution)" for cell in cells)


def failing_sets(tasks: int, notebooks: int, size: int) -> list[frozenset[int]]:
    """For each task, the ``size`` notebooks (of ``notebooks``) it fails in: distinct sets while there
    are enough, each chosen where the fewest tasks fail so far, so every notebook has about as many."""
    load = [0] * notebooks
    options = [frozenset(c) for c in itertools.combinations(range(notebooks), size)]
    chosen = []
    for _ in range(tasks):
        unused = [o for o in options if o not in chosen] or options
        best = min(unused, key=lambda o: (sum(load[n] for n in o), sorted(o)))
        chosen.append(best)
        for n in best:
            load[n] += 1
    return chosen


def separating_notebooks(tasks: int) -> int:
    """The fewest notebooks in which every ordered pair of tasks (k, j) can have k failing while j holds
    a correct answer: distinct half-size sets do it (Sperner), and need C(m, m // 2) >= tasks."""
    count = 1
    while math.comb(count, count // 2) < tasks:
        count += 1
    return count


def batch_plan(cells: list[str], stubs: dict[str, str], correct: list[Answer], wrong: list[WrongAnswer]) -> list[Handed]:
    """The notebooks of one lab's batch (besides the instructor's and the untouched release).

    Round "stub": each task holds its stub in the notebooks of its failing set (failing_sets: distinct
    half-size sets, so any two tasks are apart) and a correct answer in the others; round "rebinds": the
    same with each task's first wrong answer that defines its names; round "wrong": each task's other
    wrong answers, one per notebook, in notebooks where about half the tasks fail. Correct answers (the
    solution and the alternatives) take turns wherever a task does not fail."""
    count = separating_notebooks(len(cells))
    apart = failing_sets(len(cells), count, max(1, count // 2))
    correct_of = {cell: [None, *[a for a in correct if a.cell == cell]] for cell in cells}
    turns = {cell: itertools.cycle(options) for cell, options in correct_of.items()}
    rebinding = {cell: next((w for w in wrong if w.cell == cell and w.rebinds), None) for cell in cells}
    rest = {cell: [w for w in wrong if w.cell == cell and w is not rebinding[cell]] for cell in cells}
    most = max((len(v) for v in rest.values()), default=0)
    rounds = [("stub", count, apart, lambda cell, n: Stub(cell, stubs[cell])),
              ("rebinds", count, apart, lambda cell, n: rebinding[cell] or Stub(cell, stubs[cell]))]
    if most:
        spread = max(2, 2 * most - 1)  # each task fails in ``most`` of them: about half
        rounds.append(("wrong", spread, failing_sets(len(cells), spread, most),
                       lambda cell, n: rest[cell][n] if n < len(rest[cell]) else Stub(cell, stubs[cell])))
    plan = []
    for name, notebooks, failing, answer in rounds:
        for notebook in range(notebooks):
            handed = Handed(f"{name}-{notebook}")
            for i, cell in enumerate(cells):
                place = sorted(failing[i]).index(notebook) if notebook in failing[i] else None
                handed.cells[cell] = answer(cell, place) if place is not None else next(turns[cell])
            plan.append(handed)
    return plan
