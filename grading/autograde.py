"""Autograde: grade every collected submission of a lab into nbgrader's gradebook, fast, safely, fairly.

Each submission is graded by a worker (worker.py): run in a sandboxed kernel, its test cells judged
outside the sandbox where no student code runs. The result is written the way ``nbgrader autograde``
writes it: a submission with its timestamp and an auto score per graded cell in ``gradebook.db``, and
``autograded/<student>/<lab>/<lab>.ipynb``, here without hidden tests, with the judge's record of each
test in ``tests.json``. Submissions run in parallel worker processes, each with one sandbox it resets
between submissions (so the lab's libraries are imported once per worker, not once per notebook),
here or on the workers of a Dask cluster (cluster.py). Like a Dask worker, a local worker process
outlives its run: a later run of the same lab files and limits in the same process (the release
check, a regrade, the test suite) finds its sandbox and judge started. Only the main process writes,
one submission at a time, and a submission counts as done only when its state file (written last)
matches the hash of what was graded, so an interrupted run resumes where it stopped and a changed
submission is regraded.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import concurrent.futures.process
import contextlib
import hashlib
import json
import multiprocessing
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from nbgrader.api import MissingEntry

from . import worker
from .collect import Lab, pick_notebook, released_fingerprints
from .files import remove_tree, write_atomically
from .gradebook import describe, open_gradebook
from .release import released_notebook, source_notebook
from .review import apply_to_gradebook
from .sandbox import Limits, find_sandbox, require
from .settings import CourseError, CourseSettings
from .timestamps import read_submission_time
from .worker import Job, Result

ENGINE = "labgrade-autograde-3"  # part of every submission's hash: bump to regrade everything
STATE_FILE = ".autograde-state.json"
FLAGS_FILE = "flags.json"
TESTS_FILE = "tests.json"  # the judge's record of each test: passed, where it stopped (line, visible or hidden)
LOG_FILE = "autograde.log"


@dataclass
class AutogradeSummary:
    lab: str
    graded: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # assumed time zones, extra notebooks
    missing_protection: list[str] = field(default_factory=list)
    refused_workers: list[str] = field(default_factory=list)  # Dask workers not fit to grade, and why
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def describe(self) -> str:
        lines = [
            f"{self.lab}: {len(self.graded)} graded, {len(self.up_to_date)} already up to date, "
            f"{len(self.errors)} could not be graded, {len(self.flagged)} flagged for review ({self.seconds:.1f} s)"
        ]
        lines += [f"  WARNING, unprotected: {missing}" for missing in self.missing_protection]
        lines += [f"  WARNING, refused: {refused}" for refused in self.refused_workers]
        lines += [f"  {student}: could not be graded: {error}" for student, error in sorted(self.errors.items())]
        lines += [f"  {student}: needs review: {'; '.join(reasons)}" for student, reasons in sorted(self.flagged.items())]
        lines += [f"  {student}: note: {note}" for student, notes in sorted(self.notes.items()) for note in notes]
        return "\n".join(lines)


# --- the main process: find work, hand it out, write results ------------------------------------


def submitted_students(settings: CourseSettings, lab: str) -> list[str]:
    """Everyone with a ``submitted/<student>/<lab>/`` folder, as ``labgrade collect`` and ``nbgrader collect`` write."""
    root = settings.course_dir / "submitted"
    return sorted(p.parent.name for p in root.glob(f"*/{lab}") if p.is_dir()) if root.is_dir() else []


def autograded_folder(course_dir: Path, student: str, lab: str) -> Path:
    return Path(course_dir) / "autograded" / student / lab


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256(ENGINE.encode())
    for path in paths:
        for file in sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()):
            digest.update(str(file.relative_to(path.parent)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def find_notebook(folder: Path, lab: Lab) -> tuple[Path | None, list[str]]:
    """The lab's notebook in a submission folder, by ``labgrade collect``'s rule (it holds the lab's
    cells, whatever its name; <lab>.ipynb wins a tie), and what to tell staff about the other notebooks.
    nbgrader's own collect copies the whole folder, checkpoints and copies included; links are not read."""
    files, notes = [], []
    for path in sorted(folder.glob("*.ipynb")):
        if path.is_symlink() or not path.is_file():
            notes.append(f"{path.name} is not a plain file: not read")
        else:
            files.append((path.name, path.read_bytes()))
    name, _, problems = pick_notebook(lab, files)
    notes += problems
    if name is None and any(file == f"{lab.name}.ipynb" for file, _ in files):
        name = f"{lab.name}.ipynb"  # broken, but it is what was handed in: graded as what it is, and flagged
    if name is None:
        return None, [f"{folder}: no {lab.name} notebook handed in", *notes]
    return folder / name, notes


def graded_in_gradebook(settings: CourseSettings, lab: str) -> set[str]:
    with open_gradebook(settings) as gb:
        try:
            return {s.student.id for s in gb.find_assignment(lab).submissions}
        except MissingEntry:
            raise CourseError(
                f"{describe(settings.gradebook_url)}: no {lab} in the gradebook; run `labgrade release {lab}` first"
            ) from None


@dataclass
class Plan:
    """What one autograde run will do, and what it found on the way."""

    jobs: list[Job] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # student -> why their hand-in cannot be graded
    notes: dict[str, list[str]] = field(default_factory=dict)  # student -> what staff should know about it
    files: worker.LabFiles | None = None  # the lab's files, read once: staged here, sent to a cluster's workers


def plan_jobs(settings, lab, students, force, limits, sandbox) -> Plan:
    source, released = source_notebook(settings, lab), released_notebook(settings.course_dir, lab)
    if not released.is_file():
        raise CourseError(f"{released}: {lab} is not released; run `labgrade release {lab}` first")
    plan = Plan(files=worker.lab_files(settings, lab))
    scratch = worker.staged(plan.files, plan.files.digest, staging_folder())
    in_gradebook = graded_in_gradebook(settings, lab)
    rules = Lab(lab, released_fingerprints(settings))
    for student in students or submitted_students(settings, lab):
        folder = settings.course_dir / "submitted" / student / lab
        if not folder.is_dir():
            plan.errors[student] = f"{folder}: no submission"
            continue
        notebook, notes = find_notebook(folder, rules)
        try:
            handed_in = read_submission_time(folder, settings.timezone)
        except CourseError as error:
            handed_in, notebook, notes = None, None, [str(error), *notes]
        if handed_in and handed_in.note:
            notes.append(f"{folder / 'timestamp.txt'}: {handed_in.note}")
        if notebook is None:
            plan.errors[student] = "; ".join(notes)
            continue
        plan.notes[student] = notes
        key = _digest(notebook, folder / "timestamp.txt", source, released.parent)
        state = autograded_folder(settings.course_dir, student, lab) / STATE_FILE
        if not force and student in in_gradebook and state.is_file() and json.loads(state.read_text()).get("key") == key:
            plan.up_to_date.append(student)
            continue
        timestamp = handed_in.utc_naive.isoformat() if handed_in else None
        plan.jobs.append(Job(student, lab, notebook, source, released, key, timestamp, limits, sandbox, scratch))
    return plan


def record(settings: CourseSettings, lab: str, job_timestamp: str | None, result: Result, notes=()) -> None:
    """Write one result: files first, then the gradebook, then the state file that says it is done."""
    folder = autograded_folder(settings.course_dir, result.student, lab)
    write_atomically(folder / f"{lab}.ipynb", result.notebook)
    write_atomically(folder / LOG_FILE, "\n".join([*(f"note: {note}" for note in notes), *result.log]) + "\n")
    write_atomically(folder / FLAGS_FILE, json.dumps(result.flags, indent=1))
    write_atomically(folder / TESTS_FILE, json.dumps(result.tests, indent=1))
    with open_gradebook(settings) as gb:
        gb.update_or_create_student(result.student)
        timestamp = datetime.fromisoformat(job_timestamp) if job_timestamp else None
        if timestamp:
            gb.update_or_create_submission(lab, result.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(lab, result.student)
    with open_gradebook(settings) as gb:
        for grade_id, points in result.points.items():
            grade = gb.find_grade(grade_id, lab, lab, result.student)
            grade.auto_score = float(Decimal(points))
            grade.needs_manual_grade = grade.manual_score is not None
        for grade_id, answered in result.answered.items():
            comment = gb.find_comment(grade_id, lab, lab, result.student)
            comment.auto_comment = None if answered else "No response."
        gb.db.commit()
    apply_to_gradebook(settings, lab, [result.student])  # staff's review decisions on this submission, if any
    write_atomically(folder / STATE_FILE, json.dumps({"key": result.key, "engine": ENGINE}))


def test_records(course_dir, student: str, lab: str) -> dict[str, dict]:
    """The judge's record of each test of one graded submission ({} if it has none)."""
    path = autograded_folder(course_dir, student, lab) / TESTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def review_flags(course_dir, lab) -> dict[str, list[str]]:
    """Reasons a submission needs a person to look at it, by student (students without any left out)."""
    flags = {}
    for path in sorted(Path(course_dir).glob(f"autograded/*/{lab}/{FLAGS_FILE}")):
        reasons = json.loads(path.read_text(encoding="utf-8") or "[]")
        if reasons:
            flags[path.parent.parent.name] = list(reasons)
    return flags


KEPT_POOLS = 3  # local worker pools kept in this process, each for one setup (worker.Job.setup)


def staging_folder() -> Path:
    """This process's folder of lab files staged for its local workers (worker.staged), one folder per
    hash of the files; removed when the process exits, after its workers have stopped."""
    global _STAGING
    if _STAGING is None:
        _STAGING = Path(tempfile.mkdtemp(prefix="labgrade-"))
        atexit.register(stop_local_workers)
    return _STAGING


_STAGING: Path | None = None
_POOLS: dict[tuple[int, tuple], concurrent.futures.ProcessPoolExecutor] = {}  # (workers, setup) -> pool, least recently used first
_RUNS: dict[tuple[int, tuple], int] = {}  # how many runs each kept pool has graded


def local_pool(workers: int, setup: tuple) -> concurrent.futures.ProcessPoolExecutor:
    """Worker processes for this many workers and this setup (worker.Job.setup: the lab's staged files,
    limits, sandbox): those of an earlier run in this process if there was one, sandboxes and judges
    already started (as a Dask worker keeps its own). A pool per setup, not per lab's files: runs with
    other limits in between (a course's own cell timeout) then cost no one their sandboxes. When more
    than KEPT_POOLS would be kept, the one that graded the fewest runs (of those, the one used longest
    ago) is stopped: a lab graded once, as each release check is, rarely comes back."""
    key = (workers, setup)
    pool = _POOLS.pop(key, None) or concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=worker_processes(), initializer=worker.start, initargs=(f"local worker on {socket.gethostname()}",))
    _POOLS[key] = pool
    _RUNS[key] = _RUNS.get(key, 0) + 1
    while len(_POOLS) > KEPT_POOLS:
        forget_pool(min((other for other in _POOLS if other != key), key=lambda other: _RUNS[other])).shutdown(cancel_futures=True)
    return pool


def forget_pool(key: tuple[int, tuple]) -> concurrent.futures.ProcessPoolExecutor | None:
    """No longer keep this pool (returned, for the caller to stop)."""
    _RUNS.pop(key, None)
    return _POOLS.pop(key, None)


def worker_processes() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that has imported the worker module once: cheap to start, and
    holding nothing of this process (a worker that outlives its run must not keep this process's
    files, pipes or locks open, as a plain fork's child would). As with any such workers, a script
    that calls ``autograde`` needs the ``if __name__ == "__main__":`` guard: each worker imports it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["grading.worker"])
    return context


def stop_local_workers() -> None:
    """Stop every kept pool (each worker stops its sandbox and judge), then remove the staged files."""
    while _POOLS:
        forget_pool(next(iter(_POOLS))).shutdown(cancel_futures=True)
    if _STAGING is not None:
        remove_tree(str(_STAGING))


def grade_locally(jobs: list[Job], workers: int) -> Iterator[tuple[Job, Result | Exception]]:
    """Each job with its result, or the exception that stopped it, as this machine's worker processes
    finish them; stopped early (interrupted), the pool is stopped without waiting and not kept, and
    one that lost a worker process (broken: it has stopped itself) is not kept either."""
    if not jobs:
        return
    key = (workers, jobs[0].setup)  # one plan: every job has the same
    pool = local_pool(*key)
    try:
        futures = {pool.submit(worker.grade_submission, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            outcome = future.exception() or future.result()
            if isinstance(outcome, concurrent.futures.process.BrokenProcessPool):
                forget_pool(key)
            yield futures[future], outcome
    except BaseException:
        forget_pool(key)
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def autograde(settings, lab, students=None, force=False, workers=None, require_sandbox=False, progress=True, synthetic=False, scheduler=None):
    """Grade the lab's submissions (or only ``students``) in ``workers`` parallel sandboxes, or on
    the workers of the Dask ``scheduler`` (default: ``c.Course.scheduler``); ``synthetic``: they are
    the demo's, which may run unsandboxed even in CI."""
    from tqdm import tqdm

    settings.require_lab(lab)
    started = time.monotonic()
    scheduler = scheduler or settings.scheduler
    sandbox = find_sandbox()
    if not scheduler:
        require(sandbox, require_sandbox, synthetic)
    limits = Limits(cell_timeout=int(settings.nbgrader_config().ExecutePreprocessor.get("timeout", 60) or 60))
    with contextlib.ExitStack() as grading:
        plan = plan_jobs(settings, lab, students, force, limits, sandbox)
        jobs = plan.jobs
        summary = AutogradeSummary(lab, up_to_date=plan.up_to_date, errors=plan.errors,
                                   notes={student: notes for student, notes in plan.notes.items() if notes})
        if scheduler and jobs:
            from .cluster import grade_on_cluster

            found, outcomes = grading.enter_context(grade_on_cluster(scheduler, plan.files, jobs, require_sandbox, synthetic))
            summary.missing_protection, summary.refused_workers = found.missing_protection, found.refused
        elif scheduler:
            outcomes = []  # nothing to grade: no need for the cluster
        else:
            summary.missing_protection = list(sandbox.missing)
            outcomes = grading.enter_context(contextlib.closing(grade_locally(jobs, max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1)))))
        for warning in [*summary.refused_workers, *summary.missing_protection]:
            print(f"labgrade autograde: WARNING: {warning}", flush=True)
        bar = tqdm(total=len(jobs), desc=f"autograde {lab}", unit="nb", disable=not progress or not jobs)
        for job, outcome in outcomes:
            try:  # one submission's failure must not stop the others
                if isinstance(outcome, Exception):
                    raise outcome
                record(settings, lab, job.timestamp, outcome, plan.notes.get(job.student, ()))
                summary.graded.append(job.student)
                if outcome.flags:
                    summary.flagged[job.student] = outcome.flags
            except Exception as error:
                summary.errors[job.student] = f"{type(error).__name__}: {error}"
            bar.update(1)
    bar.close()
    summary.graded.sort()
    summary.seconds = time.monotonic() - started
    return summary
