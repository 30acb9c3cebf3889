"""The check cell that closes every lab, run for real in a student's kernel (lab 1): Run All, save, then
the check; with a good notebook, a stale save, cells run out of order, a renamed test cell, another
lab's notebook and a file that is not a notebook at all."""

import re
import shutil
from datetime import datetime, timezone

import nbformat
import pytest
from autograde_fixtures import answered, make_course, released, solutions
from check_fixtures import Session, cell_index
from labharness import ROOT

from grading.cells.check_cell import CHECK_ID, SETUP_ID
from grading.notebooks import nbgrader_meta, solution_cells

TASKS_PASS = [f"\u2713 Task {n} ({p} point{'s' if p > 1 else ''}): answered; its visible tests pass."
              for n, p in enumerate([2, 1, 1, 2, 2, 1, 1], start=1)]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("course"))


def checked(nb, path, before_check=None) -> list[str]:
    """Run All, save, (do ``before_check``), run the check cell; its lines."""
    with Session(nb, path) as session:
        session.run_all()
        session.save()
        if before_check:
            before_check(session)
        return session.check().splitlines()


def test_a_good_notebook_passes_every_line_and_gets_the_deadline_with_its_date(course, tmp_path):
    lines = checked(answered(course), tmp_path / "lab1.ipynb")
    assert lines[0] == "Running your saved notebook again from the top, carrying on past errors as the marker does ..."
    assert lines[1].startswith("Check of lab1.ipynb")
    assert lines[2:9] == TASKS_PASS
    assert lines[9:12] == [
        "\u2713 The cells ran top to bottom in one kernel run.",
        next(line for line in lines if line.startswith("\u2713 The saved file (saved ")),
        "\u2713 Upload this file, lab1.ipynb.",
    ]
    assert lines[11 + 1].startswith('Deadline: upload lab1.ipynb to the Blackboard assignment "Lab 1" by '
                                    "Thursday 14 January 2027 at 15:45 London time (GMT)")


def test_a_notebook_saved_before_the_last_answer_is_caught_and_checked_as_saved(course, tmp_path):
    """The student saved with task 7 undone (Run All stopped there), then answered it without saving."""
    nb = answered(course, {"correlation": solution_cells(released(course))["correlation"].source})

    def answer_task_7(session):
        index = cell_index(session.nb, "correlation")
        session.nb.cells[index].source = solutions()["correlation"]
        assert session.run(index) and session.run(index + 1)

    lines = checked(nb, tmp_path / "lab1.ipynb", answer_task_7)
    assert lines[2:8] == TASKS_PASS[:6]
    assert lines[8] == "\u2717 Task 7 (1 point): not answered yet (the cell still raises NotImplementedError)."
    stopped = next(line for line in lines if "Run All stopped" in line)
    assert stopped.startswith("\u2713 The cells ran top to bottom in one kernel run, until Run All stopped at cell [")
    saved = next(line for line in lines if "saving" in line or "saved file" in line)
    assert saved.startswith("\u2717 You ran cells after saving (saved ")
    assert "the last began `assert -1 <= corr_Ea_mass <= 1`" in saved


def test_cells_run_out_of_order_are_caught_from_the_saved_execution_counts(course, tmp_path):
    """Task 1's answer run again after the others, then saved: one kernel run, but not top to bottom."""
    nb = answered(course)
    path = tmp_path / "lab1.ipynb"
    with Session(nb, path) as session:
        session.run_all()
        session.run(cell_index(nb, "arrhenius"))
        session.save()
        lines = session.check().splitlines()
    order = next(line for line in lines if "top to bottom" in line)
    assert re.match(r"\u2717 The cells did not run top to bottom in one kernel run \(they ran as \[1\] \[2\] \[\d\d\] \[4\] \[5\]", order)
    assert order.endswith("Kernel > Restart Kernel and Run All Cells, then save.")
    assert "\u2713 The saved file (saved " in "\n".join(lines)  # saved after that run: only the order is wrong
    assert lines[2:9] == TASKS_PASS


def test_a_renamed_test_cell_is_named_and_its_visible_tests_still_checked(course, tmp_path):
    nb = answered(course)
    nbgrader_meta(nb.cells[cell_index(nb, "test_fit")])["grade_id"] = "test_fit_mine"
    lines = checked(nb, tmp_path / "lab1.ipynb")
    assert lines[2:9] == TASKS_PASS
    assert ("\u2717 The test cell of task 4 (test_fit) has lost its name (now 'test_fit_mine'): marking uses the original, "
            "but holds the notebook back for review; download lab1.ipynb again and copy your answers into it.") in lines


def test_a_failing_visible_test_is_reported_with_its_line(course, tmp_path):
    nb = answered(course, {"diffusion_length": "def diffusion_length_um(D, t_hours):\n    return -1.0"})
    lines = checked(nb, tmp_path / "lab1.ipynb")
    assert lines[4] == ("\u2717 Task 3 (1 point): answered, but its visible tests fail: AssertionError at line 1 "
                        "(`assert diffusion_length_um(1e-13, 1.0) > 0`)")


def test_a_notebook_saved_under_another_name_is_told_the_name_to_upload(course, tmp_path):
    lines = checked(answered(course), tmp_path / "lab1 (1).ipynb")
    assert "\u2717 This notebook is saved as 'lab1 (1).ipynb': rename it lab1.ipynb (File > Rename) and upload that." in lines


def test_another_labs_notebook_in_the_file_is_said_to_be_not_this_lab(course, tmp_path):
    """The kernel runs lab 1, but the file Jupyter saves it to holds lab 2's notebook."""
    path = tmp_path / "lab1.ipynb"

    def other_file(session):
        shutil.copy(ROOT / "release" / "lab2" / "lab2.ipynb", path)

    lines = checked(answered(course), path, other_file)
    assert lines[0] == "\u2717 The saved file lab1.ipynb is not the lab1 notebook: none of its test cells is in it."
    assert lines[1].startswith("Deadline: ")
    assert len(lines) == 2


def test_a_file_that_is_not_a_notebook_is_said_so(course, tmp_path):
    path = tmp_path / "lab1.ipynb"
    lines = checked(answered(course), path, lambda session: path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
    assert lines[0].startswith("\u2717 The saved notebook could not be read (")
    assert lines[0].endswith("save it as lab1.ipynb, then run this cell again.")


def test_a_notebook_never_run_is_told_to_run_all(course, tmp_path):
    nb = answered(course)
    path = tmp_path / "lab1.ipynb"
    nbformat.write(nb, path)
    with Session(nb, path) as session:
        lines = session.check().splitlines()
    assert ("\u2717 No cell has run in this saved notebook: Kernel > Restart Kernel and Run All Cells, then save.") in lines
    assert lines[2:9] == TASKS_PASS  # the check itself runs it


def test_when_marked_the_shared_cells_print_nothing(lab_batch):
    """Graded by the real autograder (sandbox and judge), the set-up and check cells have no output."""
    batch = lab_batch("lab1")
    settings, scores = batch.settings, batch.scores
    graded = nbformat.read(settings.course_dir / "autograded" / "instructor" / "lab1" / "lab1.ipynb", as_version=4)
    shared = [cell for cell in graded.cells if nbgrader_meta(cell).get("grade_id") in (SETUP_ID, CHECK_ID)]
    assert len(shared) == 2 and [cell.outputs for cell in shared] == [[], []]
    assert scores["instructor"] == 10


def test_the_deadline_line_counts_down_and_says_when_it_has_passed(course):
    from grading.lab_cells import check_constants, render
    from grading.notebooks import read_notebook

    namespace = {"__name__": "check_cell"}
    released = read_notebook(course.course_dir / "release" / "lab1" / "lab1.ipynb")
    exec(render("check_cell.py", check_constants(course, "lab1", released)), namespace)
    before = namespace["deadline_line"](datetime(2027, 1, 14, 15, 20, tzinfo=timezone.utc))
    after = namespace["deadline_line"](datetime(2027, 1, 14, 17, 0, tzinfo=timezone.utc))
    assert before.endswith("by Thursday 14 January 2027 at 15:45 London time (GMT), 25 minutes from now.")
    assert after == ('Deadline: Thursday 14 January 2027 at 15:45 London time (GMT) has passed (1 hour, 15 minutes ago); '
                     'the Blackboard assignment "Lab 1" marks an upload now as late.')
