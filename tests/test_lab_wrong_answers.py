"""Every task's tests give no points to a plausible wrong answer, and take no points from other tasks.

Each lab lists its wrong answers in tests/labs/<lab>_wrong_answers.py as WRONG_ANSWERS. Every one is
handed in as a submission (the instructor's answers with that one cell wrong) and graded by the real
autograder, sandbox and judge, once per lab: the outcome each test asserts is the one nbgrader gives
(the wrong task scores 0, every other task in full), so this is also the judge's parity test across
the labs' tests and over a hundred plausible answers.
"""

import importlib.util
import json

import pytest
from autograde_fixtures import answered, graded_once, make_course, submit
from labharness import LABS, ROOT

from grading.autograde import autograded_folder
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


def student_for(index: int) -> str:
    return f"wrong{index:03d}"


@pytest.fixture(scope="module")
def graded_labs(tmp_path_factory):
    """lab -> course graded with every wrong answer of that lab, once per lab and test session."""
    courses = {}

    def grade(lab):
        if lab not in courses:
            def submit_all(folder):
                settings = make_course(folder, lab)
                for index, (wrong_lab, wrong) in enumerate(WRONG):
                    if wrong_lab == lab:
                        submit(settings, student_for(index), answered(settings, {wrong.cell: wrong.code}, lab), lab=lab)
                return settings

            courses[lab] = graded_once(tmp_path_factory, f"wrong-answers-{lab}", submit_all, lab=lab)
        return courses[lab]

    return grade


@pytest.mark.parametrize("index", range(len(WRONG)), ids=[f"{lab}-{w.cell}-{i}" for i, (lab, w) in enumerate(WRONG)])
def test_wrong_answer_loses_its_task_points_and_only_those(graded_labs, index):
    lab, wrong = WRONG[index]
    settings, summary, _, _ = graded_labs(lab)
    assert summary["errors"] == {}
    records = json.loads((autograded_folder(settings.course_dir, student_for(index), lab) / "tests.json").read_text())
    assert not records[wrong.loses]["passed"], f"{lab}: {wrong} still scores on {wrong.loses}"
    others = {grade_id: r["error"] for grade_id, r in records.items() if grade_id != wrong.loses and not r["passed"]}
    assert others == {}, f"{lab}: {wrong} also cost points on {others}"
