"""`labgrade check NOTEBOOK [--lab LAB]`: what the lab's check cell says, with visible tests judged in the
sandbox, plus whether collect would take the file; on a good notebook, a stale save, cells run out of
order, a renamed test cell, another lab's notebook, a PDF and broken JSON."""

import shutil
from datetime import datetime, timezone

import nbformat
import pytest
from autograde_fixtures import answered, make_course, released
from labharness import ROOT

from grading.cells.check_cell import CHECK_ID
from grading.check import check_notebook, which_lab
from grading.collect import released_fingerprints
from grading.cli import main
from grading.notebooks import nbgrader_meta, solution_cells

NOW = datetime(2027, 1, 14, 15, 30, tzinfo=timezone.utc)
PASS = "\u2713 Task {n} ({p}): answered; its visible tests pass."
POINTS = ["2 points", "1 point", "1 point", "2 points", "2 points", "1 point", "1 point"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Lab 1 made and released; lab 2's release beside it, so that collect knows its cells."""
    settings = make_course(tmp_path_factory.mktemp("course"))
    shutil.copytree(ROOT / "release" / "lab2", settings.course_dir / "release" / "lab2")
    return settings


def saved_after_run_all(nb, order=None):
    """The notebook as saved after one clean Run All: its code cells numbered 1, 2, ... top to bottom
    (or in ``order``, the positions of the code cells in the order they ran)."""
    code = [cell for cell in nb.cells if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") != CHECK_ID]
    for count, index in enumerate(order or range(len(code)), start=1):
        code[index].execution_count = count
    return nb


def hand_in(folder, nb, name="lab1.ipynb"):
    path = folder / name
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_a_good_notebook_is_taken_and_every_visible_test_passes_in_the_sandbox(course, tmp_path):
    report = check_notebook(course, hand_in(tmp_path, saved_after_run_all(answered(course))), now=NOW)
    assert report.collected and report.lab == "lab1"
    assert report.lines[0] == f"{tmp_path / 'lab1.ipynb'}: labgrade collect takes it as lab1."
    assert report.lines[1:8] == [PASS.format(n=n, p=p) for n, p in enumerate(POINTS, start=1)]
    assert report.lines[8:11] == [
        "\u2713 The cells ran top to bottom in one kernel run.",
        "\u2713 Upload this file, lab1.ipynb.",
        'Deadline: upload lab1.ipynb to the Blackboard assignment "Lab 1" by Thursday 14 January 2027 at 15:45 '
        "London time (GMT), 15 minutes from now.",
    ]


def test_a_stale_save_shows_the_task_answered_after_it_as_not_answered(course, tmp_path):
    nb = answered(course, {"correlation": solution_cells(released(course))["correlation"].source})
    report = check_notebook(course, hand_in(tmp_path, saved_after_run_all(nb)), now=NOW)
    assert report.collected
    assert report.lines[1:7] == [PASS.format(n=n, p=p) for n, p in enumerate(POINTS[:6], start=1)]
    assert report.lines[7] == "\u2717 Task 7 (1 point): not answered yet (the cell still raises NotImplementedError)."


def test_a_wrong_answer_fails_its_visible_test_with_the_line(course, tmp_path):
    nb = answered(course, {"diffusion_length": "def diffusion_length_um(D, t_hours):\n    return -1.0"})
    report = check_notebook(course, hand_in(tmp_path, saved_after_run_all(nb)), now=NOW)
    assert report.lines[3] == ("\u2717 Task 3 (1 point): answered, but its visible tests fail: AssertionError at line 1 "
                               "(`assert diffusion_length_um(1e-13, 1.0) > 0`)")


def test_cells_run_out_of_order_are_reported_from_the_execution_counts(course, tmp_path):
    nb = answered(course)
    code = [cell for cell in nb.cells if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") != CHECK_ID]
    order = [0, 1, 3, 2, *range(4, len(code))]
    report = check_notebook(course, hand_in(tmp_path, saved_after_run_all(nb, order)), now=NOW)
    assert report.collected
    assert ("\u2717 The cells did not run top to bottom in one kernel run (they ran as [1] [2] [4] [3] [5] [6] [7] [8] [9] "
            "[10] [11] [12] ...): Kernel > Restart Kernel and Run All Cells, then save.") in report.lines


def test_a_renamed_test_cell_is_taken_but_named_and_its_task_still_judged(course, tmp_path):
    nb = answered(course)
    test = next(cell for cell in nb.cells if nbgrader_meta(cell).get("grade_id") == "test_fit")
    nbgrader_meta(test)["grade_id"] = "test_fit_2"
    report = check_notebook(course, hand_in(tmp_path, saved_after_run_all(nb), "lab1 (2).ipynb"), now=NOW)
    assert report.collected
    assert report.lines[0] == (f"{tmp_path / 'lab1 (2).ipynb'}: labgrade collect takes it as lab1 "
                               "(lab1 (2).ipynb has 13 of the 14 answer and test cells of lab1).")
    assert PASS.format(n=4, p="2 points") in report.lines
    assert ("\u2717 The test cell of task 4 (test_fit) has lost its name (now 'test_fit_2'): marking uses the original, "
            "but holds the notebook back for review; download lab1.ipynb again and copy your answers into it.") in report.lines
    assert "\u2717 This notebook is saved as 'lab1 (2).ipynb': rename it lab1.ipynb (File > Rename) and upload that." in report.lines


def test_another_labs_notebook_is_not_taken_as_this_lab_but_recognised_as_its_own(course, tmp_path):
    path = hand_in(tmp_path, nbformat.read(ROOT / "release" / "lab2" / "lab2.ipynb", as_version=4))
    report = check_notebook(course, path, lab="lab1", now=NOW)
    assert not report.collected
    assert report.lines == [f"{path}: labgrade collect would not take it as lab1 (lab1.ipynb is the lab2 notebook, not lab1)."]
    assert which_lab(path.name, path.read_bytes(), released_fingerprints(course)) == ("lab2", "")


def test_a_pdf_and_broken_json_are_refused_by_name_through_the_command(course, tmp_path, capsys):
    pdf = tmp_path / "lab1.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert main(["check", str(pdf), "--lab", "lab1", "--course-dir", str(course.course_dir)]) == 1
    assert capsys.readouterr().out == f"{pdf}: labgrade collect would not take it as lab1 (lab1.pdf is a PDF export, not the lab1 notebook).\n"
    broken = tmp_path / "lab1.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    assert main(["check", str(broken), "--course-dir", str(course.course_dir)]) == 1
    assert capsys.readouterr().out == (f"{broken}: labgrade collect would not take it as lab1 "
                                       "(lab1.ipynb: not a notebook: invalid JSON at line 1: Expecting value).\n")
    assert main(["check", str(tmp_path / "missing.ipynb"), "--course-dir", str(course.course_dir)]) == 2
    assert "missing.ipynb: cannot be read: No such file or directory" in capsys.readouterr().err
