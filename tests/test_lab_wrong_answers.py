"""Every task's tests give no points to a plausible wrong answer, and take no points from other tasks.

Each lab lists its wrong answers in tests/labs/<lab>_wrong_answers.py as WRONG_ANSWERS.
"""

import importlib.util

import pytest
from labharness import LABS, ROOT, WrongAnswer, run_with_answers

from grading.notebooks import grade_cells, read_notebook


def wrong_answer_modules():
    for path in sorted((ROOT / "tests" / "labs").glob("lab*_wrong_answers.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield path.stem.removesuffix("_wrong_answers"), module.WRONG_ANSWERS


WRONG = [(lab, wrong) for lab, answers in wrong_answer_modules() for wrong in answers]


@pytest.mark.parametrize("lab", LABS)
def test_every_graded_test_of_a_lab_has_a_wrong_answer_it_catches(lab):
    tests = set(grade_cells(read_notebook(ROOT / "source" / lab / f"{lab}.ipynb")))
    covered = {wrong.loses for wrong_lab, wrong in WRONG if wrong_lab == lab}
    assert tests - covered == set(), f"{lab}: tests without a wrong answer in tests/labs/{lab}_wrong_answers.py"
    assert covered - tests == set(), f"{lab}: wrong answers name tests that do not exist"


@pytest.mark.parametrize("lab,wrong", WRONG, ids=[f"{lab}-{w.cell}-{i}" for i, (lab, w) in enumerate(WRONG)])
def test_wrong_answer_loses_its_task_points_and_only_those(lab, wrong: WrongAnswer):
    result = run_with_answers(lab, {wrong.cell: wrong.code})
    assert result.points[wrong.loses] == 0, f"{lab}: {wrong} still scores on {wrong.loses}"
    others = {g: p for g, p in result.points.items() if g != wrong.loses and p != result.max_points[g]}
    assert others == {}, f"{lab}: {wrong} also cost points on {others}: {result.errors}"
