"""Autograde: grade every collected submission of a lab into nbgrader's gradebook, fast, safely, fairly.

Each submission is graded by a worker (worker.py): run in a sandboxed kernel, its test cells judged
outside the sandbox where no student code runs. The result is written the way ``nbgrader autograde``
writes it: a submission with its timestamp and an auto score per graded cell in ``gradebook.db``, and
``autograded/<student>/<lab>/<lab>.ipynb``, here without hidden tests, with the judge's record of each
test in ``tests.json``. Submissions run in parallel worker processes, each with one sandbox it resets
between submissions (so the lab's libraries are imported once per worker, not once per notebook);
only the main process writes, one submission at a time, and a submission counts as done only when
its state file (written last) matches the hash of what was graded, so an interrupted run resumes
where it stopped and a changed submission is regraded.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from nbgrader.api import MissingEntry

from . import worker
from .files import scratch_folder, write_atomically
from .gradebook import describe, open_gradebook
from .release import released_notebook, source_notebook
from .sandbox import Limits, find_sandbox, require
from .settings import CourseError, CourseSettings
from .worker import Job, Result

ENGINE = "labgrade-autograde-2"  # part of every submission's hash: bump to regrade everything
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
    missing_protection: list[str] = field(default_factory=list)
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
        lines += [f"  {student}: could not be graded: {error}" for student, error in sorted(self.errors.items())]
        lines += [f"  {student}: needs review: {'; '.join(reasons)}" for student, reasons in sorted(self.flagged.items())]
        return "\n".join(lines)


# --- the main process: find work, hand it out, write results ------------------------------------


def submitted_students(settings: CourseSettings, lab: str) -> list[str]:
    root = settings.course_dir / "submitted"
    return sorted(p.parent.parent.name for p in root.glob(f"*/{lab}/{lab}.ipynb")) if root.is_dir() else []


def autograded_folder(course_dir: Path, student: str, lab: str) -> Path:
    return Path(course_dir) / "autograded" / student / lab


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256(ENGINE.encode())
    for path in paths:
        for file in sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()):
            digest.update(str(file.relative_to(path.parent)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def read_timestamp(folder: Path) -> str | None:
    """The submission time from timestamp.txt (ISO 8601 with offset), as nbgrader stores it: naive UTC."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CourseError(f"{path}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise CourseError(f"{path}: {text!r} has no UTC offset, so the moment it names is unknown")
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def graded_in_gradebook(settings: CourseSettings, lab: str) -> set[str]:
    with open_gradebook(settings) as gb:
        try:
            return {s.student.id for s in gb.find_assignment(lab).submissions}
        except MissingEntry:
            raise CourseError(
                f"{describe(settings.gradebook_url)}: no {lab} in the gradebook; run `labgrade release {lab}` first"
            ) from None


def plan_jobs(settings, lab, students, force, limits, sandbox, scratch) -> tuple[list[Job], list[str], dict[str, str]]:
    source, released = source_notebook(settings, lab), released_notebook(settings.course_dir, lab)
    if not released.is_file():
        raise CourseError(f"{released}: {lab} is not released; run `labgrade release {lab}` first")
    in_gradebook = graded_in_gradebook(settings, lab)
    jobs, up_to_date, errors = [], [], {}
    for student in students or submitted_students(settings, lab):
        folder = settings.course_dir / "submitted" / student / lab
        notebook = folder / f"{lab}.ipynb"
        if not notebook.is_file():
            errors[student] = f"{notebook}: no submission"
            continue
        try:
            timestamp = read_timestamp(folder)
        except CourseError as error:
            errors[student] = str(error)
            continue
        key = _digest(notebook, folder / "timestamp.txt", source, released.parent)
        state = autograded_folder(settings.course_dir, student, lab) / STATE_FILE
        if not force and student in in_gradebook and state.is_file() and json.loads(state.read_text()).get("key") == key:
            up_to_date.append(student)
            continue
        jobs.append(Job(student, lab, notebook, source, released, key, timestamp, limits, sandbox, scratch))
    return jobs, up_to_date, errors


def record(settings: CourseSettings, lab: str, job_timestamp: str | None, result: Result) -> None:
    """Write one result: files first, then the gradebook, then the state file that says it is done."""
    folder = autograded_folder(settings.course_dir, result.student, lab)
    write_atomically(folder / f"{lab}.ipynb", result.notebook)
    write_atomically(folder / LOG_FILE, "\n".join(result.log) + "\n")
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


def _start_worker(slots) -> None:
    worker.SLOT = slots.get()
    multiprocessing.util.Finalize(None, worker.close, exitpriority=10)


def autograde(settings, lab, students=None, force=False, workers=None, require_sandbox=False, progress=True, synthetic=False):
    """Grade the lab's submissions (or only ``students``) in ``workers`` parallel sandboxes;
    ``synthetic``: they are the demo's, which may run unsandboxed even in CI."""
    from tqdm import tqdm

    settings.require_lab(lab)
    started = time.monotonic()
    sandbox = find_sandbox()
    require(sandbox, require_sandbox, synthetic)
    limits = Limits(cell_timeout=int(settings.nbgrader_config().ExecutePreprocessor.get("timeout", 60) or 60))
    with scratch_folder("labgrade-") as scratch:  # unsandboxed kernels could leave deep trees in it
        jobs, up_to_date, errors = plan_jobs(settings, lab, students, force, limits, sandbox, scratch)
        summary = AutogradeSummary(lab, up_to_date=up_to_date, errors=errors, missing_protection=list(sandbox.missing))
        for missing in sandbox.missing:
            print(f"labgrade autograde: WARNING: {missing}", flush=True)
        workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
        context = multiprocessing.get_context("fork")
        slots = context.Queue()
        for slot in range(workers):
            slots.put(slot)
        bar = tqdm(total=len(jobs), desc=f"autograde {lab}", unit="nb", disable=not progress or not jobs)
        shutil.copytree(released_notebook(settings.course_dir, lab).parent, scratch / "stage", ignore=shutil.ignore_patterns(f"{lab}.ipynb", ".*"))
        os.chmod(scratch, 0o755)
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(slots,)) as pool:
            futures = {pool.submit(worker.grade_submission, job): job for job in jobs}
            try:
                for future in concurrent.futures.as_completed(futures):
                    job = futures[future]
                    try:
                        result = future.result()
                        record(settings, lab, job.timestamp, result)
                        summary.graded.append(job.student)
                        if result.flags:
                            summary.flagged[job.student] = result.flags
                    except Exception as error:  # one submission's failure must not stop the others
                        summary.errors[job.student] = f"{type(error).__name__}: {error}"
                    bar.update(1)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    bar.close()
    summary.graded.sort()
    summary.seconds = time.monotonic() - started
    return summary
