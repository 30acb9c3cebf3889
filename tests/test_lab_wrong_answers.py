"""Every task's tests give no points to a plausible wrong answer, and take no points from other tasks.

Each lab lists its wrong answers in tests/labs/<lab>_wrong_answers.py as WRONG_ANSWERS. Every one is
handed in as a submission (the instructor's answers with that one cell wrong) and graded by the real
autograder, sandbox and judge, once per lab: the outcome each test asserts is the one nbgrader gives
(the wrong task scores 0, every other task in full), so this is also the judge's parity test across
the labs' tests and over a hundred plausible answers.
"""

import json

import pytest
from labharness import LABS, ROOT, WRONG, wrong_student

from grading.autograde import autograded_folder
from grading.notebooks import grade_cells, read_notebook


@pytest.mark.parametrize("lab", LABS)
def test_every_graded_test_of_a_lab_has_a_wrong_answer_it_catches(lab):
    tests = set(grade_cells(read_notebook(ROOT / "source" / lab / f"{lab}.ipynb")))
    covered = {wrong.loses for wrong_lab, wrong in WRONG if wrong_lab == lab}
    assert tests - covered == set(), f"{lab}: tests without a wrong answer in tests/labs/{lab}_wrong_answers.py"
    assert covered - tests == set(), f"{lab}: wrong answers name tests that do not exist"


@pytest.mark.parametrize("index", range(len(WRONG)), ids=[f"{lab}-{w.cell}-{i}" for i, (lab, w) in enumerate(WRONG)])
def test_wrong_answer_loses_its_task_points_and_only_those(lab_batch, index):
    lab, wrong = WRONG[index]
    settings, summary, _, _ = lab_batch(lab)
    assert summary["errors"] == {}
    records = json.loads((autograded_folder(settings.course_dir, wrong_student(index), lab) / "tests.json").read_text())
    assert not records[wrong.loses]["passed"], f"{lab}: {wrong} still scores on {wrong.loses}"
    others = {grade_id: r["error"] for grade_id, r in records.items() if grade_id != wrong.loses and not r["passed"]}
    assert others == {}, f"{lab}: {wrong} also cost points on {others}"
