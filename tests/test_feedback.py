"""`labgrade feedback`: students see their answers, the visible tests and their points; never the hidden tests."""

import html
import re
import shutil

import pytest
from autograde_fixtures import answered, enrol, graded_once, make_course, submit
from labharness import ROOT

from grading.cli import main
from grading.feedback import HIDDEN_FAILURE, write_feedback
from grading.settings import load_course
from grading.markers import HIDDEN_BEGIN, HIDDEN_END, region_lines
from grading.notebooks import grade_cells, read_notebook

SOURCE = ROOT / "source" / "lab1" / "lab1.ipynb"
RELEASED = ROOT / "release" / "lab1" / "lab1.ipynb"
# A student's honest attempts: arrhenius has the sign wrong (a visible test fails), the unit
# conversion uses a rounded factor (only the hidden tests catch it), the metrics are left as released.
STUDENT_ANSWERS = {
    "arrhenius": "def arrhenius(D0, Ea, T):\n    return -D0 * np.exp(-Ea / (k_B * T))  # a student's honest attempt",
    "ea_units": 'dopants["Ea_kJ_mol"] = dopants["Ea_eV"] * 96',
}
# Another student's kernel stops in the fit task: that test and every later one never ran.
KERNEL_STOPS = {"fit": "import os\nos._exit(3)"}


def stub(grade_id: str) -> str:
    return next(cell.source for cell in read_notebook(RELEASED).cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture
def graded_lab1(tmp_path_factory, tmp_path):
    """Lab 1 released and two students' submissions graded by the real autograder, once per test run;
    each test gets its own copy of the course (feedback writes into it)."""
    def submit_all(folder):
        settings = make_course(folder)
        enrol(settings, {"s.oneil-2": ("Seán", "O'Neil, Jr."), "kd_07": ("Kay", "Dee")})
        submit(settings, "s.oneil-2", answered(settings, {**STUDENT_ANSWERS, "metrics": stub("metrics")}),
               timestamp="2027-01-14T15:30:00+00:00")
        submit(settings, "kd_07", answered(settings, KERNEL_STOPS), timestamp="2027-01-14T15:31:00+00:00")
        return settings

    graded, summary, _, _ = graded_once(tmp_path_factory, "feedback-cohort", submit_all, workers=1)
    assert summary["graded"] == ["kd_07", "s.oneil-2"] and summary["errors"] == {}
    shutil.copytree(graded.course_dir, tmp_path / "course")
    return load_course(tmp_path / "course")


def page_text(path) -> str:
    """What a reader of the page sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def feedback_text(settings, student: str) -> str:
    write_feedback(settings, "lab1")
    return page_text(settings.course_dir / "feedback" / student / "lab1" / "lab1.html")


def test_feedback_shows_answers_visible_tests_and_points_but_no_hidden_test(graded_lab1):
    run = write_feedback(graded_lab1, "lab1", students=["s.oneil-2"])
    assert run.written == [graded_lab1.course_dir / "feedback" / "s.oneil-2" / "lab1" / "lab1.html"]
    text = page_text(run.written[0])
    assert "Seán O'Neil, Jr." in text and "return -D0 * np.exp(-Ea / (k_B * T))  # a student's honest attempt" in text
    for grade_id, cell in grade_cells(read_notebook(SOURCE)).items():
        hidden, visible = region_lines(cell.source, HIDDEN_BEGIN, HIDDEN_END)
        assert hidden and visible
        assert all(line in text for line in visible if not line.startswith("#")), grade_id
        leaked = [line for line in hidden - visible if line in text]
        assert not leaked, f"{grade_id} hidden test shown: {leaked}"


def test_each_task_is_passed_not_answered_failed_visible_or_failed_hidden_from_the_judges_record(graded_lab1):
    text = feedback_text(graded_lab1, "s.oneil-2")
    visible_line = grade_cells(read_notebook(RELEASED))["test_arrhenius"].source.splitlines()[2].strip()
    assert visible_line.startswith("assert arrhenius(")  # the third line of the test the student was given
    assert f"failed a visible test: line 3 `{visible_line}`: AssertionError" in text
    assert text.count(HIDDEN_FAILURE) == 1  # ea_units, failed in the hidden tests and nothing more said
    assert "not answered: the answer cell is as released" in text  # metrics, handed in as the stub
    rows = dict(re.findall(r"(test_\w+)(passed|not answered|failed a visible test|failed a hidden test|did not run)", text))
    assert rows == {"test_arrhenius": "failed a visible test", "test_ea_units": "failed a hidden test",
                    "test_diffusion_length": "passed", "test_fit": "passed", "test_metrics": "not answered",
                    "test_groupby": "passed", "test_correlation": "passed"}
    assert "test_arrhenius" + "failed a visible test" + "0.00 / 2.00" in text and "test_fit" + "passed" + "2.00 / 2.00" in text


def test_tests_the_kernel_never_reached_say_they_did_not_run_and_why(graded_lab1):
    text = feedback_text(graded_lab1, "kd_07")
    rows = dict(re.findall(r"(test_\w+)(passed|not answered|failed a visible test|failed a hidden test|did not run)", text))
    assert [rows[t] for t in ("test_arrhenius", "test_ea_units", "test_diffusion_length")] == ["passed"] * 3
    assert [rows[t] for t in ("test_fit", "test_metrics", "test_groupby", "test_correlation")] == ["did not run"] * 4
    assert HIDDEN_FAILURE not in text
    assert re.search(r"did not run: .*kernel", text), text


def test_feedback_lists_points_and_the_lab_mark(graded_lab1):
    text = feedback_text(graded_lab1, "s.oneil-2")
    assert "5.00 / 10.00" in text  # points of the whole lab; the lab mark is 2 x 5/10 = 1.00
    assert "1.00 of 2" in text and "on time" in text


def test_feedback_without_autograded_notebook_still_gives_points(graded_lab1, capsys):
    shutil.rmtree(graded_lab1.course_dir / "autograded")
    assert main(["--course-dir", str(graded_lab1.course_dir), "feedback", "lab1"]) == 0
    assert "no autograded notebook (points only): kd_07, s.oneil-2" in capsys.readouterr().out
    text = page_text(graded_lab1.course_dir / "feedback" / "s.oneil-2" / "lab1" / "lab1.html")
    assert "not found" in text and "test_fit" + "passed" in text
    assert "failed: the grader's record of where is missing" in text and HIDDEN_FAILURE not in text
