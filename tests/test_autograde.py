"""Autograde writes what nbgrader writes, resumes after being killed, and refuses to run unprotected in CI."""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from autograde_fixtures import LAB, answered, make_course, submit
from labharness import ROOT

from grading import autograde as autograde_module
from grading.autograde import STATE_FILE, autograde
from grading.notebooks import nbgrader_meta, read_notebook
from grading.sandbox import Sandbox
from grading.tamper import pristine_cells, pristine_code
from grading.settings import CourseError, load_course
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI

WRONG = {
    "arrhenius": "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(Ea / (k_B * T))",
    "groupby": "mean_Ea_by_mechanism = dopants.groupby('mechanism')['Ea_eV'].median()",
}


def grades(course_dir):
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {
            (s.student.id, g.name): (g.auto_score, s.timestamp)
            for s in gb.find_assignment(LAB).submissions
            for nb in s.notebooks
            for g in nb.grades
        }


def with_pristine_for_nbgrader(settings, student):
    """nbgrader runs the hidden tests in the student's kernel, where the judge's ``pristine`` does not
    exist. For nbgrader's side of the comparison only, a cell after the first of the lab's pristine cells makes it as
    the judge does: those cells run again in a namespace of their own."""
    source = read_notebook(settings.course_dir / "source" / LAB / f"{LAB}.ipynb")
    marked = {nbgrader_meta(cell).get("grade_id") for cell in pristine_cells(source)}
    path = settings.course_dir / "submitted" / student / LAB / f"{LAB}.ipynb"
    nb = read_notebook(path)
    first = min(i for i, cell in enumerate(nb.cells) if nbgrader_meta(cell).get("grade_id") in marked)
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(
        f"_names = {{}}\nexec({pristine_code(source)!r}, _names)\n"
        "pristine = __import__('types').SimpleNamespace(**{k: v for k, v in _names.items() if not k.startswith('__')})"))
    nbformat.write(nb, path)


def cohort(settings):
    submit(settings, "ada", answered(settings))
    submit(settings, "bo", answered(settings, {"arrhenius": WRONG["arrhenius"]}), "2027-01-14T16:10:00+01:00")
    submit(settings, "cy", answered(settings, WRONG))


def test_scores_and_records_match_nbgrader_autograde_for_honest_work(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    for folder in (ours, theirs):
        cohort(make_course(folder))
    autograde(load_course(ours), LAB, workers=2, require_sandbox=True, progress=False)
    api = NbGraderAPI(config=load_course(theirs).nbgrader_config())
    for student in ("ada", "bo", "cy"):
        with_pristine_for_nbgrader(load_course(theirs), student)
        assert api.autograde(LAB, student, force=True, create=True)["success"]
    assert grades(ours) == grades(theirs)
    assert {key[0] for key in grades(ours)} == {"ada", "bo", "cy"}


def test_a_killed_run_resumes_without_losing_or_repeating_grades(tmp_path):
    settings = make_course(tmp_path)
    cohort(settings)
    command = [sys.executable, "-m", "grading", "--course-dir", str(tmp_path), "autograde", LAB, "--workers", "1", "--no-progress"]
    run = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    states = lambda: list((tmp_path / "autograded").glob(f"*/{LAB}/{STATE_FILE}"))  # noqa: E731
    deadline = time.monotonic() + 300
    while not states() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    done_before = {p.parent.parent.name for p in states()}
    assert 1 <= len(done_before) < 3, "the run should be killed part-way"

    summary = autograde(settings, LAB, workers=2, require_sandbox=True, progress=False)
    assert sorted(summary.up_to_date) == sorted(done_before)
    assert sorted(summary.graded) == sorted({"ada", "bo", "cy"} - done_before)
    scores = {}
    for (student, _), (score, _) in grades(tmp_path).items():
        scores[student] = scores.get(student, 0) + score
    assert scores == {"ada": 10, "bo": 8, "cy": 7}

    again = autograde(settings, LAB, workers=2, require_sandbox=True, progress=False)
    assert again.graded == [] and len(again.up_to_date) == 3
    submit(settings, "ada", answered(settings, {"arrhenius": WRONG["arrhenius"]}))
    changed = autograde(settings, LAB, workers=2, require_sandbox=True, progress=False)
    assert changed.graded == ["ada"]
    forced = autograde(settings, LAB, students=["bo"], force=True, workers=1, require_sandbox=True, progress=False)
    assert forced.graded == ["bo"] and forced.up_to_date == []


def test_a_lock_held_while_grading_is_free_once_closed_though_the_workers_live_on(tmp_path):
    """Workers are kept for later runs: they must hold nothing of the process that started them (a
    forked child would keep this lock, and every other process waiting for it would wait forever)."""
    settings = make_course(tmp_path / "course")
    (settings.course_dir / "release" / LAB / "this-test-only.txt").write_text("lab files no earlier run graded\n")
    submit(settings, "ada", answered(settings))
    with open(tmp_path / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert autograde(settings, LAB, workers=1, require_sandbox=True, progress=False).errors == {}
    probe = "import fcntl, sys; fcntl.flock(open(sys.argv[1], 'w'), fcntl.LOCK_EX | fcntl.LOCK_NB)"
    assert subprocess.run([sys.executable, "-c", probe, str(tmp_path / "lock")], capture_output=True).returncode == 0


def test_without_a_sandbox_ci_refuses_and_others_are_warned(tmp_path, monkeypatch):
    settings = make_course(tmp_path)
    submit(settings, "ada", answered(settings))
    unprotected = Sandbox(None, missing=["no bubblewrap: student code can read source/"])
    monkeypatch.setattr(autograde_module, "find_sandbox", lambda: unprotected)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(CourseError, match="no sandbox"):
        autograde(settings, LAB, progress=False)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(CourseError, match="no sandbox"):
        autograde(settings, LAB, require_sandbox=True, progress=False)
    assert shutil.which("bwrap"), "bubblewrap must be installed where the tests run"


def test_without_a_sandbox_grading_still_works_and_stops_only_its_own_processes(tmp_path, monkeypatch, capsys):
    """The unprotected fallback (a laptop without bubblewrap): loud, correct, and it must not kill
    processes that are not its own, as killing 'everything else' would outside a PID namespace."""
    settings = make_course(tmp_path)
    submit(settings, "ada", answered(settings))
    submit(settings, "bo", answered(settings, {"arrhenius": WRONG["arrhenius"]}))
    unprotected = Sandbox(None, missing=["no bubblewrap: student code can read source/"])
    monkeypatch.setattr(autograde_module, "find_sandbox", lambda: unprotected)
    monkeypatch.setenv("CI", "false")
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        summary = autograde(settings, LAB, workers=1, progress=False)
        assert bystander.poll() is None, "grading killed a process that was not its own"
    finally:
        bystander.kill()
    assert summary.errors == {} and summary.missing_protection == unprotected.missing
    assert "WARNING" in capsys.readouterr().out
    with Gradebook(settings.gradebook_url) as gb:
        assert {s.student.id: s.score for s in gb.find_assignment(LAB).submissions} == {"ada": 10, "bo": 8}
