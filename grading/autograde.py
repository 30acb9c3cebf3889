"""Autograde: grade every collected submission of a lab into nbgrader's gradebook, fast, safely, fairly.

Each submission is rebuilt on the instructor's notebook (tamper.py), run in a sandboxed kernel
(sandbox.py) with its test cells judged in clean processes (judge.py), and the result written the
way ``nbgrader autograde`` writes it: a submission with its timestamp and an auto score per graded
cell in ``gradebook.db``, and ``autograded/<student>/<lab>/<lab>.ipynb``, here without hidden tests.
Submissions run in parallel worker processes, each with one sandbox it resets between submissions
(so the lab's libraries are imported once per worker, not once per notebook); only the main process
writes, one submission at a time, and a submission counts as done only when its state file (written last) matches the hash of
what was graded, so an interrupted run resumes where it stopped and a changed submission is regraded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.api import Gradebook, MissingEntry

from . import judge as judge_module
from .files import write_atomically
from .notebooks import grade_cells, max_points, nbgrader_meta, read_notebook, solution_cells
from .release import released_notebook, source_notebook
from .sandbox import (
    Limits, RunningSandbox, Sandbox, SandboxedKernelManager, SandboxGone, find_sandbox, judge_command, require, sandbox_uid,
)  # fmt: skip
from .settings import CourseError, CourseSettings
from .tamper import assemble, libraries, names_for_test, released_version, trusted_names

ENGINE = "labgrade-autograde-1"  # part of every submission's hash: bump to regrade everything
STATE_FILE = ".autograde-state.json"
FLAGS_FILE = "flags.json"
LOG_FILE = "autograde.log"


@dataclass
class Job:
    """One submission to grade, with everything a worker needs (plain data, sent to another process)."""

    student: str
    lab: str
    submitted: Path
    source: Path
    released: Path
    key: str
    timestamp: str | None
    limits: Limits
    sandbox: Sandbox
    scratch: Path  # this run's scratch folder: the lab's released files, and one folder per worker


@dataclass
class Result:
    """A graded submission as the main process writes it."""

    student: str
    key: str
    points: dict[str, str]
    notebook: str  # the autograded notebook to share (JSON)
    flags: list[str]
    log: list[str]
    answered: dict[str, bool]


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
    with Gradebook(settings.gradebook_url, _course_id(settings)) as gb:
        try:
            return {s.student.id for s in gb.find_assignment(lab).submissions}
        except MissingEntry:
            raise CourseError(
                f"{settings.course_dir / 'gradebook.db'}: no {lab} in the gradebook; run `labgrade release {lab}` first"
            ) from None


def _course_id(settings: CourseSettings) -> str:
    return settings.nbgrader_config().CourseDirectory.get("course_id", "") or ""


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
    with Gradebook(settings.gradebook_url, _course_id(settings)) as gb:
        gb.update_or_create_student(result.student)
        timestamp = datetime.fromisoformat(job_timestamp) if job_timestamp else None
        if timestamp:
            gb.update_or_create_submission(lab, result.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(lab, result.student)
    with Gradebook(settings.gradebook_url, _course_id(settings)) as gb:
        for grade_id, points in result.points.items():
            grade = gb.find_grade(grade_id, lab, lab, result.student)
            grade.auto_score = float(Decimal(points))
            grade.needs_manual_grade = grade.manual_score is not None
        for grade_id, answered in result.answered.items():
            comment = gb.find_comment(grade_id, lab, lab, result.student)
            comment.auto_comment = None if answered else "No response."
        gb.db.commit()
    write_atomically(folder / STATE_FILE, json.dumps({"key": result.key, "engine": ENGINE}))


def review_flags(course_dir, lab) -> dict[str, list[str]]:
    """Reasons a submission needs a person to look at it, by student (students without any left out)."""
    flags = {}
    for path in sorted(Path(course_dir).glob(f"autograded/*/{lab}/{FLAGS_FILE}")):
        reasons = json.loads(path.read_text(encoding="utf-8") or "[]")
        if reasons:
            flags[path.parent.parent.name] = list(reasons)
    return flags


_SLOTS = None
_SANDBOX: RunningSandbox | None = None  # this worker's sandbox, reused for each submission it grades


def _take_slot(slots) -> None:
    global _SLOTS
    _SLOTS = slots.get()
    multiprocessing.util.Finalize(None, _close_sandbox, exitpriority=10)


def autograde(settings, lab, students=None, force=False, workers=None, require_sandbox=False, progress=True):
    """Grade the lab's submissions (or only ``students``) in ``workers`` parallel sandboxes."""
    from tqdm import tqdm

    settings.require_lab(lab)
    started = time.monotonic()
    sandbox = find_sandbox()
    require(sandbox, require_sandbox)
    limits = Limits(cell_timeout=int(settings.nbgrader_config().ExecutePreprocessor.get("timeout", 60) or 60))
    scratch = tempfile.TemporaryDirectory(prefix="labgrade-")
    jobs, up_to_date, errors = plan_jobs(settings, lab, students, force, limits, sandbox, Path(scratch.name))
    summary = AutogradeSummary(lab, up_to_date=up_to_date, errors=errors, missing_protection=list(sandbox.missing))
    for missing in sandbox.missing:
        print(f"labgrade autograde: WARNING: {missing}", flush=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    context = multiprocessing.get_context("fork")
    slots = context.Queue()
    for slot in range(workers):
        slots.put(slot)
    bar = tqdm(total=len(jobs), desc=f"autograde {lab}", unit="nb", disable=not progress or not jobs)
    shutil.copytree(released_notebook(settings.course_dir, lab).parent, Path(scratch.name) / "stage", ignore=shutil.ignore_patterns(f"{lab}.ipynb", ".*"))
    os.chmod(scratch.name, 0o755)
    with scratch, concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_take_slot, initargs=(slots,)) as pool:
        futures = {pool.submit(grade_submission, job): job for job in jobs}
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


# --- a worker: grade one submission ---------------------------------------------------------------


class CappedClient(NotebookClient):
    """nbclient that keeps at most ``output_limit`` characters of output for the whole notebook."""

    output_limit = 2 * 2**20

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}).get("data") or msg.get("content", {}).get("text") or ""))
        self.output_used = getattr(self, "output_used", 0) + size
        if self.output_used > self.output_limit:
            self.output_truncated = True
            return None
        return super().output(outs, msg, display_id, cell_index)


def dump_cell(path: str):
    code = f"__import__('grading.judge', fromlist=['dump']).dump(globals(), {path!r})"
    return nbformat.v4.new_code_cell(code, metadata={"labgrade": "dump"})


def grade_submission(job: Job) -> Result:
    """Rebuild, execute and judge one submission (in a worker process)."""
    log = [f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {job.student} {job.lab}: grading {job.submitted}"]
    source, released = read_notebook(job.source), read_notebook(job.released)
    flags: list[str] = []
    try:
        student = read_notebook(job.submitted)
    except CourseError as error:
        student = None
        flags.append(f"not gradable as a notebook ({error}); graded as an empty answer")
    assembly = assemble(student, source, released)
    flags += assembly.flags
    verdicts, executed, run_log, run_flags = asyncio.run(run_sandboxed(job, assembly.notebook, source))
    log += run_log
    flags += run_flags
    points, maxima = {}, max_points(source)
    kernel_errors = {g: _cell_error(c) for g, c in grade_cells(executed).items()}
    for grade_id in grade_cells(source):
        verdict = verdicts.get(grade_id) or {"passed": False, "error": "not judged", "tampering": []}
        passed = verdict["passed"]
        if not passed and verdict.get("missing_name") in verdict.get("untransferred", []) and kernel_errors.get(grade_id) is None:
            passed = True
            flags.append(f"{grade_id}: judged in the student's kernel, {verdict['missing_name']!r} could not be copied out")
        elif not passed and kernel_errors.get(grade_id) is None and not verdict.get("unreached"):
            flags.append(f"{grade_id}: passed in the student's kernel but failed when judged cleanly ({verdict['error']})")
        elif passed and kernel_errors.get(grade_id) is not None and not verdict.get("tampering"):
            flags.append(f"{grade_id}: failed in the student's kernel ({kernel_errors[grade_id]}) but passed when judged cleanly")
        flags += [f"{grade_id}: {reason}" for reason in verdict.get("tampering", [])]
        points[grade_id] = str(maxima[grade_id] if passed else Decimal(0))
        log.append(f"  {grade_id}: {points[grade_id]}/{maxima[grade_id]}" + ("" if passed else f"  ({verdict.get('error')})"))
        _show_verdict(executed, grade_id, verdict, passed)
    answered = {
        grade_id: cell.source.strip() != released_cell.source.strip()
        for grade_id, cell in solution_cells(assembly.notebook).items()
        for released_cell in [solution_cells(released).get(grade_id, cell)]
    }
    shared = released_version(executed, released)
    log.append(f"  total {sum(Decimal(p) for p in points.values())}/{sum(maxima.values())}; flags: {flags or 'none'}")
    return Result(job.student, job.key, points, nbformat.writes(shared), flags, log, answered)


def _cell_error(cell) -> str | None:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else None


def _show_verdict(notebook, grade_id, verdict, passed) -> None:
    """A test cell's outputs as students see them: what the test printed and, if it failed, why; no traceback."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") == grade_id:
            outputs = []
            if verdict.get("stdout"):
                outputs.append(nbformat.v4.new_output("stream", name="stdout", text=verdict["stdout"]))
            if not passed:
                name, _, value = (verdict.get("error") or "Error: failed").partition(": ")
                outputs.append(nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"]))
            cell.outputs = outputs


def worker_sandbox(job: Job, source) -> RunningSandbox:
    """This worker's sandbox, started on its first submission; replaced if it cannot be made clean."""
    global _SANDBOX
    for _ in range(2):
        if _SANDBOX is None or not _SANDBOX.alive:
            _close_sandbox()
            slot = _SLOTS or 0
            runtime = job.scratch / f"worker-{slot}"
            runtime.mkdir(exist_ok=True)
            uid = sandbox_uid(slot) if job.sandbox.isolated else None
            if uid is not None:
                os.chown(runtime, uid, uid)
            command, workdir = judge_command(job.sandbox, job.scratch / "stage", runtime, job.limits, libraries(source), slot)
            _SANDBOX = RunningSandbox(command, workdir, runtime, uid, reply_timeout=job.limits.cell_timeout)
        try:
            reply = _SANDBOX.ask({"action": "reset"})
            if reply.get("clean"):
                _SANDBOX.take_log()
                return _SANDBOX
            problem = f"left behind: {reply.get('left') or 'processes'}"
        except SandboxGone as error:
            problem = str(error)
        _close_sandbox()
    raise CourseError(f"the sandbox could not be made clean for this submission ({problem})")


def _close_sandbox() -> None:
    global _SANDBOX
    if _SANDBOX is not None:
        _SANDBOX.close()
        _SANDBOX = None


async def run_sandboxed(job: Job, notebook, source) -> tuple[dict, nbformat.NotebookNode, list[str], list[str]]:
    """Execute the assembled notebook in a sandboxed kernel, then have each test judged; return verdicts."""
    log, flags = [], []
    tests = grade_cells(notebook)
    trusted = trusted_names(source)
    sandbox = worker_sandbox(job, source)
    dumps = judge_module.dumps_folder(sandbox.workdir)
    to_run = nbformat.v4.new_notebook(metadata=notebook.metadata)
    dump_paths = {}
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in tests:
            dump_paths[grade_id] = f"{dumps}/{len(dump_paths)}.pkl"
            to_run.cells.append(dump_cell(dump_paths[grade_id]))
        to_run.cells.append(cell)
    km = SandboxedKernelManager(sandbox)
    await km.start_kernel()
    client = CappedClient(
        to_run, km=km, timeout=job.limits.cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "Timeout", "evalue": f"stopped after {job.limits.cell_timeout} s", "traceback": []},
        startup_timeout=120, record_timing=False,
    )  # fmt: skip
    client.output_limit = job.limits.output
    try:
        await client.async_start_new_kernel_client()
        deadline = time.monotonic() + job.limits.notebook_timeout
        for index, cell in enumerate(to_run.cells):
            left = deadline - time.monotonic()
            if left <= 0:
                flags.append(f"the notebook ran longer than {job.limits.notebook_timeout} s and was stopped")
                break
            began = time.monotonic()
            await asyncio.wait_for(client.async_execute_cell(cell, index), timeout=left)
            if time.monotonic() - began >= job.limits.cell_timeout:
                stopped = f"stopped after {job.limits.cell_timeout} s"
                cell.outputs.append(nbformat.v4.new_output("error", ename="Timeout", evalue=stopped, traceback=[stopped]))
                if await km.provisioner.poll() is not None:
                    raise DeadKernelError("the kernel process is gone")
    except asyncio.TimeoutError:
        flags.append(f"the notebook ran longer than {job.limits.notebook_timeout} s and was stopped")
    except DeadKernelError:
        flags.append("the kernel died (os._exit, a crash or a limit); tests after that point were not run")
    except RuntimeError as error:  # kernel never came up
        if "Kernel didn't respond" in str(error) or "died" in str(error):
            raise CourseError(f"the sandboxed kernel did not start: {' '.join(sandbox.take_log())[-2000:]}") from error
        raise
    if getattr(client, "output_truncated", False):
        flags.append(f"more than {job.limits.output} characters of output; the rest was dropped")
    verdicts, gone = await asyncio.to_thread(_judge_all, sandbox, tests, dump_paths, trusted, job.limits)
    if client.kc is not None:
        client.kc.stop_channels()
    await km.shutdown_kernel(now=True)
    log += [f"  kernel: {line}" for line in sandbox.take_log()[-40:]]
    if gone:
        flags.append(f"the sandbox's grading process stopped answering ({gone}); tests not judged score 0")
        _close_sandbox()
    executed = nbformat.v4.new_notebook(metadata=notebook.metadata)
    executed.cells = [cell for cell in to_run.cells if cell.metadata.get("labgrade") != "dump"]
    return verdicts, executed, log, flags


def _judge_all(sandbox: RunningSandbox, tests, dump_paths, trusted, limits) -> tuple[dict[str, dict], str | None]:
    """Ask grading.judge to stop the kernel, then to judge each test cell; and why it stopped answering, if it did."""
    verdicts = {}
    try:
        sandbox.ask({"action": "stop"})
        for grade_id, cell in tests.items():
            request = {"grade_id": grade_id, "code": cell.source, "dump": dump_paths[grade_id], "names": names_for_test(cell.source, trusted)}
            reply = sandbox.ask(request, limits.cell_timeout + sandbox.reply_timeout)
            if reply.get("grade_id") != grade_id:
                reply = {"passed": False, "error": "the judge did not answer", "tampering": []}
            verdicts[grade_id] = reply
    except SandboxGone as error:
        for grade_id in tests:
            verdicts.setdefault(grade_id, {"passed": False, "error": f"not judged: {error}", "tampering": []})
        return verdicts, str(error)
    return verdicts, None
