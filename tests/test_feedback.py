"""`labgrade feedback`: students see their answers, the visible tests and their points; never the hidden tests."""

import html
import re
import shutil

import nbformat
import pytest
from labharness import ROOT
from markfixtures import local, make_course, make_gradebook

from grading.cli import main
from grading.feedback import HIDDEN_FAILURE, write_feedback
from grading.notebooks import HIDDEN_BEGIN, HIDDEN_END, grade_cells, max_points, read_notebook, region_lines, solution_cells

SOURCE = ROOT / "source" / "lab1" / "lab1.ipynb"
STUDENT_ANSWER = "def arrhenius(D0, Ea, T):\n    return D0 * Ea * T  # a student's honest attempt"


def error_output(line: int, ename: str, evalue: str):
    """An error output as IPython records it, ANSI colours and all, failing at ``line`` of the cell."""
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[
        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
        f"\x1b[0;31m{ename}\x1b[0m                                 Traceback (most recent call last)",
        f"Cell \x1b[0;32mIn[7], line {line}\x1b[0m\n\x1b[1;32m----> {line}\x1b[0m secret code line",
        f"\x1b[0;31m{ename}\x1b[0m: {evalue}",
    ])


def line_of(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), start=1) if text in line)


@pytest.fixture
def graded_lab1(tmp_path):
    """Lab 1 released and one student's submission autograded: arrhenius fails a visible test, ea_units a hidden one."""
    course = make_course(tmp_path / "course")
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder / "lab1", course.course_dir / folder / "lab1")
    points = {grade_id: int(value) for grade_id, value in max_points(read_notebook(SOURCE)).items()}
    scores = {**points, "test_arrhenius": 0, "test_ea_units": 0}
    make_gradebook(course, {"s.oneil-2": ("Seán", "O'Neil, Jr.")}, ["lab1"],
                   [("s.oneil-2", "lab1", local(course, "2027-01-14 15:30"), scores)], tasks=points)
    nb = read_notebook(SOURCE)  # autograded notebooks hold the hidden tests: feedback must not pass them on
    solution_cells(nb)["arrhenius"].source = STUDENT_ANSWER
    tests = grade_cells(nb)
    visible_line = line_of(tests["test_arrhenius"].source, "np.isfinite")
    tests["test_arrhenius"].outputs = [error_output(visible_line, "AssertionError", "not finite")]
    hidden_line = line_of(tests["test_ea_units"].source, HIDDEN_BEGIN) + 1
    tests["test_ea_units"].outputs = [error_output(hidden_line, "AssertionError", "expected 42.0 eV")]
    folder = course.course_dir / "autograded" / "s.oneil-2" / "lab1"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "lab1.ipynb")
    return course


def page_text(path) -> str:
    """What a reader of the page sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_feedback_shows_answers_visible_tests_and_points_but_no_hidden_test(graded_lab1):
    run = write_feedback(graded_lab1, "lab1")
    assert run.written == [graded_lab1.course_dir / "feedback" / "s.oneil-2" / "lab1" / "lab1.html"]
    text = page_text(run.written[0])
    assert "Seán O'Neil, Jr." in text and "return D0 * Ea * T  # a student's honest attempt" in text
    for grade_id, cell in grade_cells(read_notebook(SOURCE)).items():
        hidden, visible = region_lines(cell.source, HIDDEN_BEGIN, HIDDEN_END)
        assert hidden and visible
        assert all(line in text for line in visible if not line.startswith("#")), grade_id
        leaked = [line for line in hidden - visible if line in text]
        assert not leaked, f"{grade_id} hidden test shown: {leaked}"
    assert "AssertionError: not finite" in text  # failed on a line the student can see
    assert "expected 42.0" not in text and HIDDEN_FAILURE in text
    assert "secret code line" not in text


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
