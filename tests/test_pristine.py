"""Hidden tests take their references from ``pristine``: the lab's marked data cells, run again by the
judge itself. Whatever an answer rebinds, changes in place or hands in instead of those cells, the
references stay the instructor's; and a test can see that a function changed its input.

The lab here is a small one of its own (under the name lab1, so the real settings apply), graded by
the real autograder, sandbox and judge.
"""

import json
import shutil

import nbformat
import pytest

from autograde_fixtures import graded_once, submit
from grading.autograde import autograded_folder
from grading.release import generate
from grading.settings import CONFIG_FILE, load_course
from labharness import ROOT

DATA = "import numpy as np\n\nsamples = np.arange(1.0, 11.0)\nscale = 2.0"
DOUBLED = "def doubled(x):\n    ### BEGIN SOLUTION\n    return x * scale\n    ### END SOLUTION"
TEST_DOUBLED = (
    "assert np.shape(doubled(np.ones(3))) == (3,)\n"
    "### BEGIN HIDDEN TESTS\n"
    "_x = pristine.samples.copy()\n"
    "assert np.allclose(doubled(_x), 2.0 * pristine.samples)\n"
    "assert np.array_equal(_x, pristine.samples), 'doubled changed its input'\n"
    "### END HIDDEN TESTS"
)
TOTAL = "### BEGIN SOLUTION\ntotal = samples.sum()\n### END SOLUTION"
TEST_TOTAL = "assert np.ndim(total) == 0\n### BEGIN HIDDEN TESTS\nassert np.isclose(total, pristine.samples.sum())\n### END HIDDEN TESTS"


def cell(kind, source, grade_id, **nbgrader):
    made = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    made.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "solution": False, "grade": False, "locked": True, **nbgrader}
    return made


def small_lab() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    data = cell("code", DATA, "data")
    data.metadata["labgrade"] = {"pristine": True}
    nb.cells = [
        cell("markdown", "# A small lab", "intro"),
        data,
        cell("code", DOUBLED, "doubled", solution=True, locked=False),
        cell("code", TEST_DOUBLED, "test_doubled", grade=True, points=1),
        cell("code", TOTAL, "total", solution=True, locked=False),
        cell("code", TEST_TOTAL, "test_total", grade=True, points=1),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def handed_in(answers: dict[str, str], data: str = DATA) -> nbformat.NotebookNode:
    nb = small_lab()
    for made in nb.cells:
        grade_id = made.metadata["nbgrader"]["grade_id"]
        if grade_id in answers:
            made.source = answers[grade_id]
        elif grade_id == "data":
            made.source = data
    return nb


HONEST = {"doubled": "def doubled(x):\n    return x * scale", "total": "total = samples.sum()"}
SUBMISSIONS = {
    "honest": handed_in(HONEST),
    # The right function, then the data spoiled in place and rebound: the references stay the lab's.
    "spoils_the_data": handed_in({"doubled": HONEST["doubled"] + "\n\nsamples *= 0\nscale = 2.0", "total": HONEST["total"]}),
    # A wrong total, with a `pristine` of the student's own that agrees with it.
    "forges_pristine": handed_in({
        "doubled": HONEST["doubled"],
        "total": "import types\ntotal = 0.0\npristine = types.SimpleNamespace(samples=np.zeros(10))",
    }),
    # The data cell rewritten in the submission so that a wrong total (0) would match it.
    "edits_the_data_cell": handed_in({"doubled": HONEST["doubled"], "total": "total = 0.0"}, data="import numpy as np\n\nsamples = np.zeros(10)\nscale = 2.0"),
    # Right values, but the input changed in place.
    "mutates_its_input": handed_in({"doubled": "def doubled(x):\n    x *= scale\n    return x", "total": HONEST["total"]}),
}


def make_small_course(folder):
    shutil.copy2(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    (folder / "source" / "lab1").mkdir(parents=True)
    nbformat.write(small_lab(), folder / "source" / "lab1" / "lab1.ipynb")
    settings = load_course(folder)
    generate(settings, "lab1")
    for student, nb in SUBMISSIONS.items():
        submit(settings, student, nb)
    return settings


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_once(tmp_path_factory, "pristine-lab", make_small_course)


def passed(settings, student: str) -> dict[str, bool]:
    records = json.loads((autograded_folder(settings.course_dir, student, "lab1") / "tests.json").read_text())
    return {grade_id: record["passed"] for grade_id, record in records.items()}


def test_the_honest_answers_pass_against_the_pristine_references(graded):
    settings, summary, _, _ = graded
    assert summary["errors"] == {}
    assert passed(settings, "honest") == {"test_doubled": True, "test_total": True}


def test_data_spoiled_in_place_after_an_answer_leaves_the_references_as_the_lab_made_them(graded):
    settings, *_ = graded
    # doubled is right whatever the student did to samples afterwards; total, computed from the
    # spoiled samples, is wrong against the pristine sum.
    assert passed(settings, "spoils_the_data") == {"test_doubled": True, "test_total": False}


def test_a_pristine_of_the_students_own_is_never_what_the_tests_read(graded):
    settings, *_ = graded
    assert passed(settings, "forges_pristine")["test_total"] is False


def test_a_data_cell_rewritten_in_the_submission_changes_no_reference(graded):
    settings, *_ = graded
    assert passed(settings, "edits_the_data_cell") == {"test_doubled": True, "test_total": False}


def test_a_function_that_changes_its_input_in_place_is_caught(graded):
    settings, *_ = graded
    records = json.loads((autograded_folder(settings.course_dir, "mutates_its_input", "lab1") / "tests.json").read_text())
    assert records["test_doubled"]["passed"] is False
    assert "doubled changed its input" in records["test_doubled"]["error"]
    assert records["test_total"]["passed"] is True
