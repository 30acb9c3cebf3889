"""Grading on a real Dask cluster on 127.0.0.1 (a `dask scheduler` and `dask worker` processes) gives
exactly the local grades, survives a worker killed mid-submission, refuses unfit workers by name,
and says at once when there is no scheduler."""

import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from autograde_fixtures import LAB, make_course, released, submit
from dask_fixtures import DaskCluster, checkout, descendants, gone_within
from labharness import ROOT
from nbgrader.api import Gradebook

from grading import autograde as autograde_module
from grading.autograde import FLAGS_FILE, LOG_FILE, TESTS_FILE, autograde
from grading.cli import main
from grading import cluster as cluster_module
from grading.cluster import Environment, WorkerReport, environment, pinned_libraries, refusals
from grading.sandbox import Sandbox

# Six of the lab 1 batch conftest's lab_batch grades locally: full marks, nothing, and four notebooks
# with stubs or wrong answers in half the tasks.
STUDENTS = sorted(["instructor", "untouched", "stub-0", "stub-3", "rebinds-1", "rebinds-4"])


def same_batch(folder, lab_batch):
    """A new course with the same six hand-ins as the locally graded batch, and that batch's settings."""
    local = lab_batch(LAB).settings
    folder.mkdir()
    settings = make_course(folder)
    for student in STUDENTS:
        shutil.copytree(local.course_dir / "submitted" / student / LAB, folder / "submitted" / student / LAB)
    return settings, local


def graded(settings) -> dict[str, tuple]:
    """Per student: the score in the gradebook and the judge's record and flags as written."""
    folder = settings.course_dir / "autograded"
    with Gradebook(settings.gradebook_url) as gb:
        return {
            s.student.id: (s.score, (folder / s.student.id / LAB / TESTS_FILE).read_text(), (folder / s.student.id / LAB / FLAGS_FILE).read_text())
            for s in gb.find_assignment(LAB).submissions
        }


def graders(settings, students=STUDENTS) -> list[str]:
    """The first line of each student's autograde.log: when, and on which worker, it was graded."""
    return [(settings.course_dir / "autograded" / student / LAB / LOG_FILE).read_text().splitlines()[0] for student in students]


def test_a_batch_graded_on_a_dask_cluster_scores_exactly_as_graded_locally(tmp_path, lab_batch):
    settings, local = same_batch(tmp_path / "course", lab_batch)
    with DaskCluster(tmp_path / "cluster") as cluster:
        cluster.add_worker("one")
        cluster.add_worker("two")
        workers = cluster.workers(2)
        summary = autograde(settings, LAB, scheduler=cluster.address, require_sandbox=True, progress=False)
        left_running = [process for _, pid in workers.values() for process in descendants(pid)]
    assert summary.graded == STUDENTS and summary.errors == {} and summary.refused_workers == []
    expected = {student: result for student, result in graded(local).items() if student in STUDENTS}
    assert graded(settings) == expected
    lines = graders(settings)
    assert all(any(f"on dask worker {address}," in line for address, _ in workers.values()) for line in lines)
    assert {address for address, _ in workers.values() if any(address in line for line in lines)} == {a for a, _ in workers.values()}
    assert gone_within(left_running, 30) == [], "a stopped worker left its sandbox or judge running"

    again = autograde(settings, LAB, scheduler="tcp://127.0.0.1:1", progress=False)  # nothing to grade: no cluster needed
    assert again.graded == [] and again.up_to_date == STUDENTS


def test_a_worker_killed_mid_submission_costs_nothing_and_each_submission_is_recorded_once(tmp_path, lab_batch, monkeypatch):
    settings, local = same_batch(tmp_path / "course", lab_batch)
    recorded, record = [], autograde_module.record

    def counted(settings, lab, timestamp, result, notes=()):
        recorded.append(result.student)
        record(settings, lab, timestamp, result, notes)

    monkeypatch.setattr(autograde_module, "record", counted)
    with DaskCluster(tmp_path / "cluster") as cluster, concurrent.futures.ThreadPoolExecutor(1) as background:
        cluster.add_worker("doomed")
        cluster.add_worker("survivor")
        workers = cluster.workers(2)
        run = background.submit(autograde, settings, LAB, scheduler=cluster.address, require_sandbox=True, progress=False)
        doomed_address, doomed_pid = workers["doomed"]
        deadline = time.monotonic() + 300
        while not any("grading.student_side.launcher" in " ".join(p.cmdline()) for p in descendants(doomed_pid)):  # its first submission has begun
            assert time.monotonic() < deadline and not run.done(), "the doomed worker never started a submission"
            time.sleep(0.1)
        orphans = descendants(doomed_pid)
        os.kill(doomed_pid, signal.SIGKILL)
        summary = run.result(timeout=600)
    assert (summary.graded, summary.errors, summary.refused_workers) == (STUDENTS, {}, [])
    assert sorted(recorded) == STUDENTS, "a submission was recorded twice, or not at all"
    assert graded(settings) == {student: result for student, result in graded(local).items() if student in STUDENTS}
    survivor_address, _ = workers["survivor"]
    assert all(f"on dask worker {survivor_address}," in line for line in graders(settings))
    assert gone_within(orphans, 30) == [], "the killed worker's sandbox or judge outlived it"


def test_unfit_workers_are_refused_by_name_and_the_fit_one_grades(tmp_path, lab_batch):
    settings, _ = same_batch(tmp_path / "course", lab_batch)
    other_version = tmp_path / "other-labgrade"
    shutil.copytree(ROOT / "grading", other_version / "grading", ignore=shutil.ignore_patterns("__pycache__"))
    with open(other_version / "grading" / "judge.py", "a") as judge:
        judge.write("\n# a later change\n")
    with DaskCluster(tmp_path / "cluster") as cluster:
        cluster.add_worker("fit")
        cluster.add_worker("threaded", "--nthreads", "2")
        cluster.add_worker("unsandboxed", environment={"PATH": str(tmp_path / "no-programs-here")})
        cluster.add_worker("changed", environment={"PYTHONPATH": str(other_version)})
        workers = cluster.workers(4)
        summary = autograde(settings, LAB, students=STUDENTS[:2], scheduler=cluster.address, require_sandbox=True, progress=False)
    assert summary.graded == STUDENTS[:2] and summary.errors == {}
    refused = {name: line for name in ("threaded", "unsandboxed", "changed") for line in summary.refused_workers if workers[name][0] in line}
    assert "2 threads" in refused["threaded"]
    assert "no sandbox" in refused["unsandboxed"]
    assert "grading package differs" in refused["changed"]
    assert len(summary.refused_workers) == 3 and not any(workers["fit"][0] in line for line in summary.refused_workers)
    assert all(f"on dask worker {workers['fit'][0]}," in line for line in graders(settings, STUDENTS[:2]))


def test_grading_processes_side_by_side_on_one_machine_never_share_a_sandbox_slot():
    claim = "from grading.worker import claim_slot; print(claim_slot(), flush=True); input()"
    holders = [subprocess.Popen([sys.executable, "-c", claim], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env=checkout()) for _ in range(3)]
    try:
        slots = [int(holder.stdout.readline()) for holder in holders]
    finally:
        for holder in holders:
            holder.communicate("\n")
    assert len(set(slots)) == 3, f"slots {slots} shared"


def test_a_worker_with_other_library_versions_or_no_sandbox_is_refused_saying_what_differs():
    here = environment(pinned_libraries())
    assert {"nbgrader", "numpy", "pandas", "scikit-learn", "pymatgen", "distributed"} <= set(here.packages)
    fit = WorkerReport(here, Sandbox("/usr/bin/bwrap"), threads=1)
    assert refusals(here, fit, require_sandbox=True, synthetic=False) == []
    older = WorkerReport(replace(here, packages={**here.packages, "numpy": "1.26.4", "pymatgen": None}), fit.sandbox, 1)
    reasons = " ".join(refusals(here, older, require_sandbox=False, synthetic=False))
    assert f"numpy 1.26.4 (here {here.packages['numpy']})" in reasons and f"pymatgen missing (here {here.packages['pymatgen']})" in reasons
    other_python = WorkerReport(Environment("3.12.1", here.packages, here.code), fit.sandbox, 1)
    assert "Python 3.12.1" in " ".join(refusals(here, other_python, require_sandbox=False, synthetic=False))
    unprotected = WorkerReport(here, Sandbox(None, missing=["no bubblewrap"]), 1)
    assert "no sandbox" in " ".join(refusals(here, unprotected, require_sandbox=True, synthetic=False))


@pytest.mark.parametrize("listening", [False, True], ids=["nothing-listening", "listening-but-silent"])
def test_a_scheduler_that_cannot_be_reached_is_an_error_naming_it_not_a_hang(tmp_path, listening, capsys, monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 2)  # the real 10 s would only make the test slower
    settings = make_course(tmp_path)
    submit(settings, "ada", released(settings))
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        if listening:
            silent.listen()  # connections are queued, never answered
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        if not listening:
            silent.close()
        started = time.monotonic()
        assert main(["--course-dir", str(tmp_path), "autograde", LAB, "--scheduler", address, "--no-progress"]) == 2
    assert time.monotonic() - started < 2 + 10
    assert f"cannot reach the Dask scheduler at {address} within 2 s" in capsys.readouterr().err


def test_labgrades_dask_settings_name_only_settings_dask_has():
    """A misspelt key in grading/dask-config would be ignored by Dask without a word."""
    import dask.config
    import distributed  # noqa: F401 (its defaults join Dask's config)
    import yaml

    ours = yaml.safe_load((ROOT / "grading" / "dask-config" / "labgrade.yaml").read_text())

    def leaves(tree, prefix=""):
        for key, value in tree.items():
            yield from leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]

    defaults = dask.config.merge(*dask.config.defaults)
    unknown = [key for key in leaves(ours) if dask.config.get(key, "missing", config=defaults) == "missing"]
    assert unknown == []
    assert dask.config.get("distributed.worker.profile.enabled", config=defaults) is True  # ours really changes it
