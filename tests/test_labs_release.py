"""Every lab in source/ is sound, and what is in release/ is exactly what nbgrader makes of it."""

import json

import nbformat
import pytest
from autograde_fixtures import make_course, released_course
from labharness import LABS, ROOT

from grading.autograde import autograded_folder, test_records as records_of
from grading.notebooks import grade_cells, max_points, read_notebook
from grading.release import check_execution, check_text, generate, released_notebook, source_notebook



@pytest.mark.parametrize("lab", LABS)
def test_solution_scores_full_unflagged_through_the_judge_and_unchanged_release_scores_zero(lab_batch, lab):
    """Graded by the autograder in the sandbox (the lab's shared batch): every test works through the
    judge's boundary. ``labgrade release`` makes the same check (check_execution, tested below)."""
    batch = lab_batch(lab)
    settings, summary, scores, flags = batch.settings, batch.summary, batch.scores, batch.flags
    maxima = max_points(read_notebook(source_notebook(settings, lab)))
    assert 5 <= len(maxima) <= 8, f"{lab} has {len(maxima)} graded tests; a lab has 5 to 8 tasks"
    assert summary["errors"] == {}
    failed = {g: r["error"] for g, r in records_of(settings.course_dir, "instructor", lab).items() if not r["passed"]}
    assert failed == {} and "instructor" not in flags
    assert scores["instructor"] == sum(maxima.values())
    assert [g for g, r in records_of(settings.course_dir, "untouched", lab).items() if r["passed"]] == []
    assert scores["untouched"] == 0


@pytest.mark.parametrize("lab", LABS)
def test_every_plot_the_lab_draws_is_an_image_in_the_autograded_notebook(lab_batch, lab):
    """Staff and students see the plots of a graded notebook: each code cell of the lab that draws a
    figure has it as a PNG in the instructor's autograded notebook (the sandbox's kernel drew it)."""
    batch = lab_batch(lab)
    drawing = ("plt.subplots(", "plt.figure(", "plot_tree(", "ConfusionMatrixDisplay.from_")
    source = read_notebook(source_notebook(batch.settings, lab))
    plots = [cell.id for cell in source.cells if cell.cell_type == "code" and any(call in cell.source for call in drawing)]
    graded = read_notebook(autograded_folder(batch.settings.course_dir, "instructor", lab) / f"{lab}.ipynb")
    images = {cell.id for cell in graded.cells if cell.cell_type == "code"
              and any("image/png" in output.get("data", {}) for output in cell.outputs)}
    assert plots and [cell for cell in plots if cell not in images] == [], f"{lab}: plots missing from the autograded notebook"


def test_release_check_reports_a_test_the_solution_fails_with_its_line_and_one_a_stub_passes(tmp_path):
    """check_execution grades the instructor's answers and the untouched copy itself; a lab whose
    test cannot pass, and one whose test gives points for nothing, are both reported."""
    settings = make_course(tmp_path)
    path = source_notebook(settings, "lab1")
    nb = read_notebook(path)
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in nb.cells}
    cells["test_arrhenius"].source += '\nassert arrhenius(1.0, 0.0, 300.0) == 2.0, "made-up expectation"'
    cells["test_correlation"].source = "assert 1 + 1 == 2"
    nbformat.write(nb, path)
    generate(settings, "lab1")
    problems, tasks, points = check_execution(settings, "lab1", require_sandbox=True)
    line = len(cells["test_arrhenius"].source.splitlines())
    assert problems == [
        f"{path}: test 'test_arrhenius' fails on the solution at line {line} "
        "(`assert arrhenius(1.0, 0.0, 300.0) == 2.0, \"made-up expectation\"`): AssertionError: made-up expectation",
        f"{released_notebook(settings.course_dir, 'lab1')}: the unchanged student copy scores points, from tests ['test_correlation']",
    ]
    assert (tasks, points) == (7, "10")


@pytest.mark.parametrize("lab", LABS)
def test_no_solution_or_hidden_test_text_reaches_release(course, lab):
    assert check_text(source_notebook(course, lab), released_notebook(ROOT, lab)) == []


@pytest.mark.parametrize("lab", LABS)
def test_committed_release_is_what_nbgrader_generates_from_source(lab):
    fresh = read_notebook(released_notebook(released_course(lab), lab))  # generated from source/ in this run
    committed = read_notebook(released_notebook(ROOT, lab))
    assert json.dumps(committed, sort_keys=True) == json.dumps(fresh, sort_keys=True), (
        f"release/{lab} is stale: run `make release` and commit release/{lab}"
    )


@pytest.mark.parametrize("lab", LABS)
def test_released_lab_keeps_every_graded_test_cell_with_its_points(course, lab):
    source_tests = grade_cells(read_notebook(source_notebook(course, lab)))
    released_tests = grade_cells(read_notebook(released_notebook(ROOT, lab)))
    assert list(released_tests) == list(source_tests)
    for grade_id, cell in source_tests.items():
        assert released_tests[grade_id].metadata.nbgrader["points"] == cell.metadata.nbgrader["points"]


def doctored_release(tmp_path, change):
    """A copy of lab 1's released notebook with ``change`` applied to its cells."""
    import nbformat

    nb = read_notebook(released_notebook(ROOT, "lab1"))
    change(nb.cells)
    path = tmp_path / "lab1.ipynb"
    nbformat.write(nb, path)
    return path


def test_release_check_catches_a_solution_line_copied_into_a_markdown_cell(course, tmp_path):
    leak = "return D0 * np.exp(-Ea / (k_B * np.asarray(T, dtype=float)))"
    path = doctored_release(tmp_path, lambda cells: cells[0].__setitem__("source", cells[0].source + "\n" + leak))
    problems = check_text(source_notebook(course, "lab1"), path)
    assert any("solution line leaked" in problem and leak in problem for problem in problems)


def test_release_check_catches_hidden_test_text_and_a_stub_that_does_not_raise(course, tmp_path):
    hidden = "assert Ea_controlled_by == \"mechanism\""

    def change(cells):
        by_id = {cell.id: cell for cell in cells}
        by_id["test_correlation"].source += "\n" + hidden
        by_id["correlation"].source = "corr_Ea_mass = 0.0"

    problems = check_text(source_notebook(course, "lab1"), doctored_release(tmp_path, change))
    assert any("hidden test line leaked" in problem for problem in problems)
    assert any("'correlation' has no stub" in problem for problem in problems)


def test_release_check_refuses_a_pristine_mark_on_an_answer_or_test_cell_and_takes_one_on_a_data_cell(tmp_path):
    """The judge runs pristine cells as the instructor's code: a mark on a cell a student writes, or on
    a test, must stop the release rather than be ignored."""
    from grading.release import pristine_problems

    nb = read_notebook(ROOT / "source" / "lab1" / "lab1.ipynb")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("code-08", "arrhenius", "test_fit"):
            cell.metadata["labgrade"] = {"pristine": True}
    path = tmp_path / "lab1.ipynb"
    nbformat.write(nb, path)
    problems = pristine_problems(path)
    assert len(problems) == 2
    assert "(arrhenius) is marked pristine" in problems[0] and "(test_fit) is marked pristine" in problems[1]
