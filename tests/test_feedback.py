"""`labgrade feedback`: students see their answers, the visible tests and their points; never the hidden tests."""

import html
import re
import shutil

import pytest
from autograde_fixtures import answered, make_course, submit
from labharness import ROOT
from nbgrader.api import Gradebook

from grading.autograde import autograde
from grading.cli import main
from grading.feedback import HIDDEN_FAILURE, write_feedback
from grading.notebooks import HIDDEN_BEGIN, HIDDEN_END, grade_cells, read_notebook, region_lines

SOURCE = ROOT / "source" / "lab1" / "lab1.ipynb"
# A student's honest attempts: arrhenius has the sign wrong (a visible test fails), the unit
# conversion uses a rounded factor (only the hidden tests catch it).
STUDENT_ANSWERS = {
    "arrhenius": "def arrhenius(D0, Ea, T):\n    return -D0 * np.exp(-Ea / (k_B * T))  # a student's honest attempt",
    "ea_units": 'dopants["Ea_kJ_mol"] = dopants["Ea_eV"] * 96',
}


@pytest.fixture
def graded_lab1(tmp_path):
    """Lab 1 released and one student's submission graded by the real autograder."""
    settings = make_course(tmp_path)
    with Gradebook(settings.gradebook_url) as gradebook:
        gradebook.update_or_create_student("s.oneil-2", first_name="Seán", last_name="O'Neil, Jr.")
    submit(settings, "s.oneil-2", answered(settings, STUDENT_ANSWERS), timestamp="2027-01-14T15:30:00+00:00")
    summary = autograde(settings, "lab1", workers=1, progress=False)
    assert summary.graded == ["s.oneil-2"], summary.describe()
    return settings


def page_text(path) -> str:
    """What a reader of the page sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_feedback_shows_answers_visible_tests_and_points_but_no_hidden_test(graded_lab1):
    run = write_feedback(graded_lab1, "lab1")
    assert run.written == [graded_lab1.course_dir / "feedback" / "s.oneil-2" / "lab1" / "lab1.html"]
    text = page_text(run.written[0])
    assert "Seán O'Neil, Jr." in text and "return -D0 * np.exp(-Ea / (k_B * T))  # a student's honest attempt" in text
    for grade_id, cell in grade_cells(read_notebook(SOURCE)).items():
        hidden, visible = region_lines(cell.source, HIDDEN_BEGIN, HIDDEN_END)
        assert hidden and visible
        assert all(line in text for line in visible if not line.startswith("#")), grade_id
        leaked = [line for line in hidden - visible if line in text]
        assert not leaked, f"{grade_id} hidden test shown: {leaked}"
    assert "line 3: AssertionError" in text  # `assert arrhenius(...) > 0`, a line the student can see
    assert text.count(HIDDEN_FAILURE) == 1  # ea_units, failed in the hidden tests


def test_feedback_lists_each_task_with_pass_fail_and_points(graded_lab1):
    text = page_text(write_feedback(graded_lab1, "lab1").written[0])
    rows = dict(re.findall(r"(test_\w+)(pass|fail)", text))
    assert rows["test_arrhenius"] == "fail" and rows["test_ea_units"] == "fail" and rows["test_fit"] == "pass"
    assert "test_arrhenius" + "fail" + "0.00 / 2.00" in text and "test_fit" + "pass" + "2.00 / 2.00" in text
    assert "7.00 / 10.00" in text  # points of the whole lab; the lab mark is 2 x 7/10 = 1.40
    assert "1.40 of 2" in text and "on time" in text


def test_feedback_without_autograded_notebook_still_gives_points(graded_lab1, capsys):
    shutil.rmtree(graded_lab1.course_dir / "autograded")
    assert main(["--course-dir", str(graded_lab1.course_dir), "feedback", "lab1"]) == 0
    assert "no autograded notebook (points only): s.oneil-2" in capsys.readouterr().out
    text = page_text(graded_lab1.course_dir / "feedback" / "s.oneil-2" / "lab1" / "lab1.html")
    assert "not found" in text and HIDDEN_FAILURE in text and "test_fit" + "pass" in text
