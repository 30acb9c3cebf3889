"""The set-up cell that opens every lab, as released (lab 4: pymatgen, SMACT, numpy, matplotlib, scipy),
with its surroundings faked at the edge: Colab or not, marked or not, what is installed, and pip."""

import pytest
from labharness import ROOT

from grading.lab_cells import SETUP_ID, student_requirements
from grading.notebooks import nbgrader_meta, read_notebook

REQUIREMENTS = student_requirements(ROOT)
COLAB = {"COLAB_RELEASE_TAG": "release-colab-20270101"}


def released_setup_cell(lab: str) -> dict:
    """The lab's released set-up cell, loaded as a module (it runs main() only as a notebook cell)."""
    nb = read_notebook(ROOT / "release" / lab / f"{lab}.ipynb")
    code = next(cell.source for cell in nb.cells if nbgrader_meta(cell).get("grade_id") == SETUP_ID)
    namespace = {"__name__": "setup_cell"}
    exec(compile(code, "setup_cell", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def cell():
    return released_setup_cell("lab4")


def graded(name: str) -> str:
    """The version the grader runs (the pin, or the top of the range)."""
    return REQUIREMENTS[name].rsplit("=", 1)[1]


class Machine:
    """Installed libraries and a pip that installs what it is asked for at the graded versions."""

    def __init__(self, installed: dict[str, str | None]):
        self.installed, self.calls = dict(installed), []

    def version_of(self, name):
        return self.installed.get(name)

    def install(self, requirements, pins):
        self.calls.append((requirements, pins))
        for requirement in requirements:
            name = requirement.split("=")[0].rstrip("<>")
            self.installed[name] = graded(name)
        return ""


def as_graded(*names) -> dict[str, str]:
    return {name: graded(name) for name in names or REQUIREMENTS}


def test_lab4_checks_the_libraries_it_imports_at_the_versions_of_the_student_requirements(cell):
    assert cell["LAB_LIBRARIES"] == {name: REQUIREMENTS[name] for name in
                                     ("pymatgen", "pymatgen-core", "SMACT", "numpy", "scipy", "matplotlib")}
    assert cell["PINS"] == [name + versions for name, versions in REQUIREMENTS.items()]


def test_on_colab_missing_materials_libraries_are_installed_quietly_with_every_pin_held(cell, capsys):
    machine = Machine({**as_graded(), "pymatgen": None, "pymatgen-core": None, "SMACT": None, "matminer": None})
    cell["main"](environ=COLAB, modules={}, version_of=machine.version_of, install=machine.install)
    assert machine.calls == [(["pymatgen==2026.10.24", "pymatgen-core==2026.10.16", "SMACT==4.0.2"], cell["PINS"])]
    said = capsys.readouterr().out
    assert "Installing pymatgen==2026.10.24, pymatgen-core==2026.10.16, SMACT==4.0.2" in said
    assert "restart" not in said.lower()
    assert "as in the grading environment" in said.splitlines()[-1]


def test_on_colab_a_library_of_another_version_is_replaced_and_the_student_told_to_restart(cell, capsys):
    machine = Machine({**as_graded(), "numpy": "2.5.1"})
    cell["main"](environ={}, modules={"google.colab": object()}, version_of=machine.version_of, install=machine.install)
    assert [requirements for requirements, _ in machine.calls] == [[f"numpy{REQUIREMENTS['numpy']}"]]
    said = capsys.readouterr().out
    assert f"Replaced numpy 2.5.1 -> {graded('numpy')}: restart now (Runtime > Restart session)" in said


def test_on_colab_a_library_pip_replaced_alongside_also_asks_for_a_restart(cell, capsys):
    """Installing pymatgen may move pandas (not a lab 4 library) to its pin: imported already, so restart."""
    machine = Machine({**as_graded(), "pymatgen": None, "pandas": "3.0.0"})

    def install(requirements, pins):
        machine.install(requirements, pins)
        machine.installed["pandas"] = graded("pandas")
        return ""

    cell["main"](environ=COLAB, modules={}, version_of=machine.version_of, install=install)
    assert f"Replaced pandas 3.0.0 -> {graded('pandas')}: restart now" in capsys.readouterr().out


def test_on_colab_what_pip_could_not_install_is_said_with_pips_reason(cell, capsys):
    machine = Machine({**as_graded(), "SMACT": None})
    cell["main"](environ=COLAB, modules={}, version_of=machine.version_of,
                 install=lambda requirements, pins: "ERROR: No matching distribution found for SMACT==4.0.2")
    said = capsys.readouterr().out
    assert "pip could not install them: ERROR: No matching distribution found for SMACT==4.0.2" in said
    assert "SMACT is not installed." in said


def test_elsewhere_nothing_is_installed_and_a_missing_library_is_named_with_the_line_to_type(cell, capsys):
    machine = Machine({**as_graded(), "SMACT": None})
    cell["main"](environ={}, modules={}, version_of=machine.version_of, install=machine.install)
    assert machine.calls == []
    said = capsys.readouterr().out
    assert 'SMACT is not installed: run %pip install "SMACT==4.0.2" in a new cell, then restart the kernel.' in said


def test_elsewhere_a_version_outside_the_tested_range_is_said_plainly_with_the_graded_one(cell, capsys):
    machine = Machine({**as_graded(), "numpy": "1.24.0", "matplotlib": "3.12.0"})
    cell["main"](environ={}, modules={}, version_of=machine.version_of, install=machine.install)
    assert machine.calls == []
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"numpy is 1.24.0 here, but the lab is graded with {graded('numpy')} "
                               f"(and tested on {REQUIREMENTS['numpy']}); your results may differ from the marker's")
    assert lines[1].startswith(f"matplotlib is 3.12.0 here, but the lab is graded with {graded('matplotlib')}")
    assert lines[2:] == [f"As graded: pymatgen 2026.10.24, pymatgen-core 2026.10.16, SMACT 4.0.2, scipy {graded('scipy')}."]


def test_versions_at_the_bottom_of_each_range_are_named_but_not_a_problem(cell, capsys):
    low = {name: versions.split(">=")[1].split(",")[0] for name, versions in REQUIREMENTS.items() if ">=" in versions}
    machine = Machine({**as_graded(), **low})
    cell["main"](environ={}, modules={}, version_of=machine.version_of, install=machine.install)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" is ")[0] for line in lines[:-1]] == ["numpy", "scipy", "matplotlib"]
    assert all("so that should make no difference" in line for line in lines[:-1])
    assert lines[-1] == "As graded: pymatgen 2026.10.24, pymatgen-core 2026.10.16, SMACT 4.0.2."


def test_a_pin_is_met_only_by_its_own_version_and_a_range_by_its_ends_and_between(cell):
    fits = cell["fits"]
    assert fits("2026.10.24", "==2026.10.24") and not fits("2026.10.25", "==2026.10.24")
    assert fits("1.26.4", ">=1.26.4,<=2.4.6") and fits("2.4.6", ">=1.26.4,<=2.4.6") and fits("2.0", ">=1.26.4,<=2.4.6")
    assert not fits("1.26.3", ">=1.26.4,<=2.4.6") and not fits("2.4.7", ">=1.26.4,<=2.4.6")
    assert not fits("2.10.0", ">=1.26.4,<=2.4.6")  # numbers, not text: 2.10 is after 2.4


def test_when_marked_the_cell_reads_nothing_installs_nothing_and_says_nothing(cell, capsys):
    def never(*args):
        raise AssertionError("the set-up cell looked at the machine while being marked")

    cell["main"](environ={**COLAB, "LABGRADE_GRADING": "1"}, modules={"google.colab": object()}, version_of=never, install=never)
    assert capsys.readouterr().out == ""


def test_a_version_inside_the_tested_range_but_not_the_graded_one_is_named_as_harmless(cell, capsys):
    machine = Machine({**as_graded(), "scipy": "1.17.0"})
    cell["main"](environ={}, modules={}, version_of=machine.version_of, install=machine.install)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"scipy is 1.17.0 here, the lab is graded with {graded('scipy')}: this lab's tests pass on both "
        f"({REQUIREMENTS['scipy']}), so that should make no difference.",
        f"As graded: pymatgen 2026.10.24, pymatgen-core 2026.10.16, SMACT 4.0.2, numpy {graded('numpy')}, "
        f"matplotlib {graded('matplotlib')}.",
    ]
