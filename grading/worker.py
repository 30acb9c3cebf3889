"""A grading worker: run one submission in the worker's sandbox and have each test judged outside it.

The submission is rebuilt on the instructor's notebook (tamper.py) and executed cell by cell in the
sandboxed kernel (sandbox.py). Test cells never run there: at each one the kernel runs the namespace
server (student_side/server.py) while the worker's judge (judge.py), a clean process outside the
sandbox, runs the instructor's test and asks the kernel only for what the test reads. After the
submission the sandbox is reset; if it cannot be made clean it is thrown away, the submission is
flagged with the reason, and the next one gets a fresh sandbox. A worker is a process of the local
pool or a Dask worker process (cluster.py): either way it holds a sandbox slot no other process on
its machine has, so two sandboxes never share a user.
"""

from __future__ import annotations

import asyncio
import copy
import fcntl
import functools
import hashlib
import json
import multiprocessing.util
import os
import secrets
import shutil
import socket
import stat
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .notebooks import HIDDEN_FAILURE, grade_cells, max_points, nbgrader_meta, read_notebook, solution_cells, task_answers
from .release import released_notebook, source_notebook
from .sandbox import (
    ENVIRONMENT, LineProcess, Limits, RunningSandbox, Sandbox, SandboxedKernelManager, SandboxGone, launcher_command,
    module_command, package_path, sandbox_uid,
)  # fmt: skip
from .settings import CourseError
from .tamper import assemble, judged_libraries, libraries, pristine_code, released_version, trusted_names

KEPT_OUTPUTS = ("text/plain", "image/png", "image/jpeg")  # what a student cell's output may show staff and students


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

    @property
    def setup(self) -> tuple:
        """What a worker's sandbox and judge are started for: the lab's staged files, the limits and
        the sandbox. Jobs with the same setup share them; a pool is kept per setup (autograde.py)."""
        return self.scratch, self.limits, self.sandbox.bwrap, self.sandbox.disable_userns, tuple(self.sandbox.missing)


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
    tests: dict[str, dict]  # the judge's record per test cell: passed, part ("visible"/"hidden"), line, error


SLOTS = 4000  # sandbox slots per machine: their users (61000 + slot) stay below 65534, "nobody"
SLOT: int = 0  # this worker's sandbox slot, from 0: no other grading process on this machine has it
GRADER = "a local worker"  # who grades here, for each submission's log
_SLOT_LOCK = None  # the lock file that holds SLOT for as long as this process lives
_SANDBOX: RunningSandbox | None = None  # this worker's sandbox, reused for each submission it grades
_JUDGE: LineProcess | None = None  # this worker's judge
_MADE_FOR = None  # the Job.setup that sandbox and judge were started for


def start(grader: str) -> None:
    """Make this process a grading worker, once: a sandbox slot of its own, its sandbox and judge
    stopped when the process ends (multiprocessing's exit hooks run in pool and Dask worker processes)."""
    global SLOT, GRADER
    if _SLOT_LOCK is not None:
        return
    SLOT = claim_slot()
    GRADER = f"{grader}, sandbox slot {SLOT}"
    multiprocessing.util.Finalize(None, close, exitpriority=10)


def claim_slot() -> int:
    """The lowest slot no other process on this machine holds: one lock file per slot, held until
    this process ends, so local pools and Dask workers side by side never share a sandbox user."""
    global _SLOT_LOCK
    folder = Path(tempfile.gettempdir()) / f"labgrade-slots-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    found = folder.lstat()
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
        raise CourseError(f"{folder}: not a folder of this user's own; remove it (it holds the sandbox slots' locks)")
    for slot in range(SLOTS):
        lock = open(folder / str(slot), "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _SLOT_LOCK = lock
        return slot
    raise CourseError(f"{folder}: all {SLOTS} sandbox slots of this machine are taken")


def stage_lab(released_folder: Path, scratch: Path) -> None:
    """The lab's released files (not its notebook) in ``scratch/stage``, for each sandbox to copy
    into its lab folder and for the judge to run in; readable by the sandbox's user."""
    shutil.copytree(released_folder, scratch / "stage", ignore=shutil.ignore_patterns(f"{released_folder.name}.ipynb", ".*"))
    os.chmod(scratch, 0o755)


@dataclass(frozen=True)
class LabFiles:
    """The lab's instructor notebook and released folder, as bytes: all a worker needs of the course."""

    lab: str
    files: dict[str, bytes]  # "source/<lab>.ipynb" and "release/<lab>/..." -> content

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for name, content in sorted(self.files.items()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        return digest.hexdigest()


def lab_files(settings, lab: str) -> LabFiles:
    released = released_notebook(settings.course_dir, lab).parent
    files = {f"source/{lab}.ipynb": source_notebook(settings, lab).read_bytes()}
    files |= {f"release/{lab}/{path.relative_to(released).as_posix()}": path.read_bytes() for path in sorted(released.rglob("*")) if path.is_file()}
    return LabFiles(lab, files)


def staged(files: LabFiles, digest: str, under: Path) -> Path:
    """The lab's files in a folder of ``under`` named by their hash, written once: a Dask worker's on its
    own disk (from bytes checked against the hash the main process computed), a local run's in the
    main process's staging folder. A job's ``scratch``; a worker whose sandbox and judge were started
    for the same folder keeps them (``serve``), so later runs of the same lab files reuse them."""
    folder = under / f"lab-{digest[:16]}"  # short: unsandboxed kernels' sockets are in it, and a socket's path has at most 107 bytes
    if folder.is_dir():
        return folder
    if files.digest != digest:
        raise CourseError(f"the lab's files arrived damaged on this worker (sha256 {files.digest}, sent as {digest})")
    building = Path(tempfile.mkdtemp(prefix=".labgrade-", dir=under))
    for name, content in files.files.items():
        (building / name).parent.mkdir(parents=True, exist_ok=True)
        (building / name).write_bytes(content)
    stage_lab(building / "release" / files.lab, building)
    building.rename(folder)
    return folder


def close() -> None:
    """Stop this worker's sandbox and judge (when the worker ends, or a sandbox cannot be cleaned)."""
    global _SANDBOX, _JUDGE
    for process in (_SANDBOX, _JUDGE):
        if process is not None:
            process.close()
    _SANDBOX = _JUDGE = None


def serve(job: Job) -> None:
    """A sandbox and judge are started for one setup (the lab's staged files, limits, sandbox) and kept
    for every job with the same, in this run or a later one; a job with another (another lab next, or
    a changed release) gets new ones."""
    global _MADE_FOR
    if _MADE_FOR != job.setup:
        close()
        _MADE_FOR = job.setup


def grade_submission(job: Job) -> Result:
    """Rebuild, execute and judge one submission."""
    serve(job)
    log = [f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {job.student} {job.lab}: grading {job.submitted.name} on {GRADER}"]
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
    problem = clean_after_submission()
    if problem:
        flags.append(problem)
    stubs = solution_cells(released)
    answered = {
        grade_id: cell.source.strip() != stubs.get(grade_id, cell).source.strip()
        for grade_id, cell in solution_cells(assembly.notebook).items()
    }
    tasks = task_answers(source)
    points, maxima, tests = {}, max_points(source), {}
    for grade_id in grade_cells(source):
        verdict = verdicts.get(grade_id) or unreached(grade_id, "not judged")
        passed = verdict["passed"]
        if not verdict.get("unreached"):
            flags += [f"{grade_id}: refused at the boundary: {reason}" for reason in verdict.get("refused", [])]
        points[grade_id] = str(maxima[grade_id] if passed else Decimal(0))
        where = f" at line {verdict['line']} ({verdict['part']} tests)" if verdict.get("line") else ""
        log.append(f"  {grade_id}: {points[grade_id]}/{maxima[grade_id]}" + ("" if passed else f"{where}: {verdict.get('error')}"))
        tests[grade_id] = {key: verdict.get(key) for key in ("passed", "part", "line", "error", "code", "released_line")} | {
            "reached": not verdict.get("unreached"),
            "answered": any(answered.get(answer, True) for answer in tasks.get(grade_id, [])) or not tasks.get(grade_id)}
        show_verdict(executed, grade_id, verdict)
    shared = released_version(executed, released)
    for cell in shared.cells:
        if cell.cell_type == "code":
            cell.outputs = [plain_output(output) for output in cell.outputs]
    log.append(f"  total {sum(Decimal(p) for p in points.values())}/{sum(maxima.values())}; flags: {flags or 'none'}")
    return Result(job.student, job.key, points, nbformat.writes(shared), flags, log, answered, tests)


def unreached(grade_id: str, why: str) -> dict:
    return {"grade_id": grade_id, "passed": False, "error": why, "line": None, "part": None, "stdout": "", "unreached": True}


def plain_output(output):
    """An output as text and images only: no HTML, JavaScript, SVG or metadata reach whoever opens it."""
    output = copy.deepcopy(output)
    if output.get("output_type") in ("display_data", "execute_result"):
        data = {kind: value for kind, value in output.get("data", {}).items() if kind in KEPT_OUTPUTS}
        output["data"] = data or {"text/plain": "[output removed: only text and images are kept]"}
        output["metadata"] = {}
    return output


def show_verdict(notebook, grade_id: str, verdict: dict) -> None:
    """A test cell's outputs as students see them: what the test printed and, if it failed, why; a
    failure in the hidden tests says only that."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") == grade_id:
            outputs = []
            if verdict.get("stdout"):
                outputs.append(nbformat.v4.new_output("stream", name="stdout", text=verdict["stdout"]))
            if not verdict["passed"]:
                if verdict.get("part") == "hidden":
                    name, value = "Failed", HIDDEN_FAILURE
                else:
                    name, _, value = (verdict.get("error") or "failed").partition(": ")
                outputs.append(nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"]))
            cell.outputs = outputs


# --- the worker's sandbox and judge --------------------------------------------------------------


def worker_sandbox(job: Job, source) -> RunningSandbox:
    """This worker's sandbox; a fresh one when there is none (the last could not be cleaned)."""
    global _SANDBOX
    if _SANDBOX is not None and _SANDBOX.alive:
        return _SANDBOX
    if _SANDBOX is not None:
        _SANDBOX.close()
    runtime = job.scratch / f"worker-{SLOT}"  # the runtime folder only when there is no bubblewrap
    runtime.mkdir(exist_ok=True)
    uid = sandbox_uid(SLOT) if job.sandbox.isolated else None
    plan = functools.partial(launcher_command, job.sandbox, job.scratch / "stage", runtime, job.limits, libraries(source), SLOT)
    _SANDBOX = RunningSandbox(job.sandbox, plan, runtime, uid, reply_timeout=job.limits.cell_timeout)
    reply = _SANDBOX.ask({"action": "reset"})  # copies the lab's files into the new home
    if not reply.get("clean"):
        raise CourseError(f"a new sandbox could not be prepared: {reply.get('left')}")
    return _SANDBOX


def clean_after_submission() -> str | None:
    """Reset the sandbox; if it cannot be made clean, throw it away and say why (a flag)."""
    global _SANDBOX
    if _SANDBOX is None:
        return None
    try:
        reply = _SANDBOX.ask({"action": "reset"}) if _SANDBOX.alive else {"left": ["its launcher has gone"]}
    except SandboxGone as error:
        reply = {"left": [str(error)]}
    if reply.get("clean"):
        _SANDBOX.take_log()
        return None
    _SANDBOX.close()
    _SANDBOX = None
    left = "; ".join(str(item) for item in reply.get("left") or ["unknown"])
    return f"the sandbox could not be cleaned after this submission ({left}); the next submission got a new one"


def worker_judge(job: Job, source) -> LineProcess:
    """This worker's judge, outside the sandbox, with the libraries the lab's tests use loaded once; started without
    waiting, so that it imports them while the sandbox starts (``wait_ready`` before the first test)."""
    global _JUDGE
    if _JUDGE is None or not _JUDGE.alive:
        command = [*module_command("grading.judge"), "--preload", ",".join(judged_libraries(source)),
                   "--libraries", ",".join(libraries(source)), "--memory", str(job.limits.memory)]
        environment = {**os.environ, **{key: value for key, value in ENVIRONMENT.items() if key.endswith("_THREADS")},
                       "MPLBACKEND": "Agg", **package_path()}
        _JUDGE = LineProcess(command, reply_timeout=job.limits.cell_timeout, cwd=str(job.scratch / "stage"), env=environment)
    return _JUDGE


# --- running one notebook --------------------------------------------------------------------------


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


def is_test(cell, tests: dict) -> bool:
    """Whether this very cell is one of the instructor's test cells (by identity: no metadata a
    student wrote can make a cell a test or hide one)."""
    return tests.get(nbgrader_meta(cell).get("grade_id")) is cell


def serve_cell(path: str):
    """What the kernel runs in place of a test cell: answer the judge's questions at ``path``."""
    return nbformat.v4.new_code_cell(f"__import__('grading.student_side.server', fromlist=['serve']).serve(globals(), {path!r})")


async def run_sandboxed(job: Job, notebook, source) -> tuple[dict, nbformat.NotebookNode, list[str], list[str]]:
    """Execute the assembled notebook in the sandboxed kernel, judging each test cell as it comes."""
    log, flags, verdicts = [], [], {}
    tests = grade_cells(notebook)
    trusted = {"names": trusted_names(source), "pristine": pristine_code(source)}
    judge = worker_judge(job, source)
    sandbox = worker_sandbox(job, source)
    judge.wait_ready(300, "the judge")
    channels = {grade_id: f"{sandbox.runtime_inside}/test-{secrets.token_hex(8)}.sock" for grade_id in tests}
    to_run = nbformat.v4.new_notebook(metadata=notebook.metadata)
    to_run.cells = [serve_cell(channels[nbgrader_meta(cell)["grade_id"]]) if is_test(cell, tests) else cell for cell in notebook.cells]
    km = SandboxedKernelManager(sandbox)
    await km.start_kernel()
    client = CappedClient(
        to_run, km=km, timeout=job.limits.cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "Timeout", "evalue": f"stopped after {job.limits.cell_timeout} s", "traceback": []},
        startup_timeout=120, record_timing=False,
    )  # fmt: skip
    client.output_limit = job.limits.output
    stopped = None
    try:
        await client.async_start_new_kernel_client()
        deadline = time.monotonic() + job.limits.notebook_timeout
        for index, (cell, original) in enumerate(zip(to_run.cells, notebook.cells)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError
            if is_test(original, tests):
                grade_id = nbgrader_meta(original)["grade_id"]
                verdicts[grade_id] = await asyncio.wait_for(judge_test(client, judge, sandbox, cell, index, original, channels[grade_id], trusted, job.limits), timeout=left)
                continue
            began = time.monotonic()
            await asyncio.wait_for(client.async_execute_cell(cell, index), timeout=left)
            if time.monotonic() - began >= job.limits.cell_timeout:
                message = f"stopped after {job.limits.cell_timeout} s"
                cell.outputs.append(nbformat.v4.new_output("error", ename="Timeout", evalue=message, traceback=[message]))
                if await km.provisioner.poll() is not None:
                    raise DeadKernelError("the kernel process is gone")
    except asyncio.TimeoutError:
        stopped = f"the notebook ran longer than {job.limits.notebook_timeout} s and was stopped"
    except DeadKernelError:
        stopped = "the kernel died (os._exit, a crash or a limit); tests after that point were not run"
    except SandboxGone as error:
        stopped = f"the sandbox stopped answering ({error}); tests after that point were not run"
    except RuntimeError as error:  # kernel never came up
        if "Kernel didn't respond" in str(error) or "died" in str(error):
            raise CourseError(f"the sandboxed kernel did not start: {' '.join(sandbox.take_log())[-2000:]}") from error
        raise
    if stopped:
        flags.append(stopped)
    if getattr(client, "output_truncated", False):
        flags.append(f"more than {job.limits.output} characters of output; the rest was dropped")
    await km.stop_in_sandbox()
    if client.kc is not None:
        client.kc.stop_channels()
    log += [f"  kernel: {line}" for line in sandbox.take_log()[-40:]]
    for grade_id in tests:
        verdicts.setdefault(grade_id, unreached(grade_id, stopped or "not reached"))
    executed = nbformat.v4.new_notebook(metadata=notebook.metadata)
    executed.cells = [original if is_test(original, tests) else ran for ran, original in zip(to_run.cells, notebook.cells)]
    return verdicts, executed, log, flags


async def judge_test(client, judge: LineProcess, sandbox: RunningSandbox, cell, index, test, channel: str, trusted, limits: Limits) -> dict:
    """Judge one test cell: the judge runs it outside while the kernel serves its questions."""
    grade_id = nbgrader_meta(test)["grade_id"]
    outside = sandbox.host_path(channel)
    request = {"grade_id": grade_id, "code": test.source, "trusted": trusted["names"], "pristine": trusted["pristine"],
               "socket": outside, "timeout": limits.cell_timeout}
    try:
        await asyncio.to_thread(judge.ask, request)
        verdict = asyncio.ensure_future(asyncio.to_thread(judge.ask, None, limits.cell_timeout + 30))
    except SandboxGone as error:
        return unreached(grade_id, f"the judge stopped answering ({error})")
    try:
        await client.async_execute_cell(cell, index)
    finally:
        release_judge(outside)
    try:
        return await verdict
    except SandboxGone as error:
        return unreached(grade_id, f"the judge stopped answering ({error})")


def release_judge(path: str) -> None:
    """Connect to the test's socket and hang up: a judge still waiting for a kernel that never came
    (student code broke the server, or the kernel died) then fails the test at once."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as poke:
            poke.settimeout(1)
            poke.connect(path)
    except OSError:
        pass
