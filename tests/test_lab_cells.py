"""The cells every lab shares stay as their masters make them: placed, up to date with the settings and
requirements-student.txt, whose numbers are the grader's own; a lab without them fails the release."""

import re
import shutil

import nbformat
import pytest
from autograde_fixtures import make_course
from labharness import LABS, ROOT

from grading.lab_cells import (
    CHECK_ID, HANDIN_ID, SETUP_ID, STUDENT_REQUIREMENTS, bring_up_to_date, lab_libraries, placement_problems,
    student_requirements, wanted_sources,
)  # fmt: skip
from grading.notebooks import nbgrader_meta, read_notebook
from grading.release import generate, release, released_notebook, source_notebook
from grading.settings import CONFIG_FILE, CourseError, load_course


def shared(nb) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if nbgrader_meta(c).get("grade_id") in (SETUP_ID, HANDIN_ID, CHECK_ID)}


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_the_shared_cells_placed_and_as_release_writes_them(course, lab):
    path = source_notebook(course, lab)
    source = read_notebook(path)
    assert placement_problems(source, path) == []
    wanted = wanted_sources(course, lab, source, read_notebook(released_notebook(ROOT, lab)), path)
    assert shared(source) == wanted, f"source/{lab}'s shared cells are stale: run `make release` and commit"


def test_materials_libraries_are_pinned_as_the_grader_pins_them_and_ranges_top_out_at_the_graders_versions():
    grader = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().split())
    for name, versions in student_requirements(ROOT).items():
        if versions.startswith("=="):
            assert name in ("pymatgen", "pymatgen-core", "matminer", "SMACT")
            assert versions == "==" + grader[name]
        else:
            lowest, top = re.fullmatch(r">=([^,]+),<=(.+)", versions).groups()
            assert top == grader[name], f"{name}: the range should end at the graded {grader[name]}"


def test_each_set_up_cell_checks_just_the_libraries_its_lab_imports(course):
    requirements = student_requirements(ROOT)
    imported = {lab: set(lab_libraries(read_notebook(source_notebook(course, lab)), requirements, ROOT)) for lab in LABS}
    assert imported["lab1"] == {"numpy", "pandas", "scipy", "scikit-learn", "matplotlib"}
    assert {"SMACT", "pymatgen", "pymatgen-core"} <= imported["lab4"] and "matminer" not in imported["lab4"]
    assert sum("pymatgen" in libraries for libraries in imported.values()) == 7
    assert sum("matminer" in libraries for libraries in imported.values()) == 5
    assert sum("SMACT" in libraries for libraries in imported.values()) == 1


def test_a_lab_importing_a_library_students_are_not_told_to_install_is_refused(course):
    source = read_notebook(source_notebook(course, "lab1"))
    source.cells.insert(3, nbformat.v4.new_code_cell("import tabulate", metadata={"nbgrader": {"locked": True, "grade_id": "extra"}}))
    with pytest.raises(CourseError, match=f"lab1.ipynb imports tabulate, which {STUDENT_REQUIREMENTS} does not list"):
        lab_libraries(source, student_requirements(ROOT), ROOT / "source" / "lab1" / "lab1.ipynb")


def test_a_bad_line_in_the_student_requirements_is_named_with_its_file_and_line(tmp_path):
    (tmp_path / STUDENT_REQUIREMENTS).write_text("numpy==2.4.6\npandas>=2.1\n")
    with pytest.raises(CourseError, match=rf"{STUDENT_REQUIREMENTS}, line 2: 'pandas>=2.1' is not NAME==VERSION"):
        student_requirements(tmp_path)


@pytest.mark.parametrize("missing", [SETUP_ID, CHECK_ID])
def test_a_lab_without_a_shared_cell_or_with_it_out_of_place_is_named(course, missing):
    path = source_notebook(course, "lab1")
    nb = read_notebook(path)
    without = nbformat.v4.new_notebook(cells=[c for c in nb.cells if nbgrader_meta(c).get("grade_id") != missing])
    assert placement_problems(without, path) == [
        f"{path}: no {'set-up' if missing == SETUP_ID else 'check'} cell ({missing!r}): add it as the "
        f"{'first code' if missing == SETUP_ID else 'last'} cell (see grading/lab_cells.py)"
    ]
    moved = nbformat.v4.new_notebook(cells=[*nb.cells[-1:], *nb.cells[:-1]])
    assert any("must be the last cell" in problem for problem in placement_problems(moved, path))


def test_the_deadline_in_the_settings_reaches_the_released_check_cell(tmp_path):
    """Moving a lab's date and releasing again moves the date the notebook tells students."""
    settings = make_course(tmp_path)
    shutil.copy(ROOT / STUDENT_REQUIREMENTS, tmp_path / STUDENT_REQUIREMENTS)
    config = tmp_path / CONFIG_FILE
    config.write_text(config.read_text().replace('"lab1": "2027-01-14"', '"lab1": "2027-06-03"'))
    settings = load_course(tmp_path)
    path = source_notebook(settings, "lab1")
    assert bring_up_to_date(settings, "lab1", path, read_notebook(released_notebook(tmp_path, "lab1")))
    cells = shared(read_notebook(generate(settings, "lab1")))
    assert "DEADLINE = '2027-06-03T15:45:00+01:00'" in cells[CHECK_ID]
    assert "Thursday 3 June 2027 at 15:45 London time (BST)" in cells[HANDIN_ID]
    assert not bring_up_to_date(settings, "lab1", path, read_notebook(released_notebook(tmp_path, "lab1")))


def test_labgrade_release_fails_a_lab_without_the_check_cell(tmp_path):
    settings = make_course(tmp_path)
    shutil.copy(ROOT / STUDENT_REQUIREMENTS, tmp_path / STUDENT_REQUIREMENTS)
    path = source_notebook(settings, "lab1")
    nb = read_notebook(path)
    nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != CHECK_ID]
    nbformat.write(nb, path)
    [check] = release(settings, ["lab1"])
    assert check.problems == [f"{path}: no check cell ({CHECK_ID!r}): add it as the last cell (see grading/lab_cells.py)"]


@pytest.mark.parametrize("lab", LABS)
def test_the_shared_cells_imports_are_no_lab_library_the_judge_takes_objects_of(course, lab):
    """The judge uses its own copy of an object from a lab library: os or subprocess must never be one."""
    from grading.tamper import libraries, trusted_names

    source = read_notebook(source_notebook(course, lab))
    own = nbformat.v4.new_notebook(cells=[c for c in source.cells if nbgrader_meta(c).get("grade_id") not in (SETUP_ID, CHECK_ID)])
    assert libraries(source) == libraries(own) and trusted_names(source) == trusted_names(own)
    assert not {"os", "subprocess", "tempfile", "sys", "IPython"} & {name.split(".")[0] for name in libraries(source)}


def test_the_judge_preloads_what_the_tests_read_and_the_codecs_libraries_but_not_plotting(course):
    """Lab 1's tests read np, pd, constants, mean_squared_error and r2_score; it plots with pyplot and
    fits with LinearRegression only in its own cells, so the judge need not import those."""
    from grading.tamper import judged_libraries, libraries

    source = read_notebook(source_notebook(course, "lab1"))
    judged = judged_libraries(source)
    assert {"numpy", "pandas", "scipy.constants", "sklearn.metrics.mean_squared_error", "sklearn.metrics.r2_score"} <= set(judged)
    assert not {"matplotlib.pyplot", "sklearn.linear_model.LinearRegression"} & set(judged)
    assert set(judged) <= set(libraries(source))
