"""Grade on a Dask distributed cluster: the same worker, sandbox and judge as on this machine, on others.

``labgrade autograde LAB --scheduler tcp://HOST:8786`` connects to a Dask scheduler (started by hand,
by dask-jobqueue on Slurm, or by dask-kubernetes) and grades on its workers. Nothing assumes a shared
file system: each task carries its submission's bytes, and the lab's instructor and released files go
once to each worker, which checks them against their hash and writes them to its own disk. Each Dask
worker process is then one grading worker (worker.py): a sandbox slot of its own on its machine, one
sandbox and one judge reused between submissions. A result comes back as plain data, and only the
main process writes the gradebook and ``autograded/``, as when grading locally.

Before grading, every worker reports what it would grade with (Python, the version of each library
requirements.txt pins, a hash of the grading package, its sandbox, its threads); a worker that
differs from this machine, or lacks a sandbox that is required, is refused by name, and tasks go only
to the workers that passed. A worker that dies or disappears mid-submission costs nothing: the
scheduler starts the task again on another, on at most ``ATTEMPTS`` workers in all, after which the
submission is reported as not graded.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import importlib.metadata
import platform
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import worker
from .sandbox import Sandbox, find_sandbox, grading_package, require
from .sandbox_setup import PROBE
from .settings import CourseError
from .worker import Job, LabFiles, Result

CONNECT_SECONDS = 10  # to reach the scheduler before that is an error
WORKER_WAIT_SECONDS = 60  # for a first worker to join a scheduler that has none
ATTEMPTS = 3  # workers a submission may be started on: after that many died under it, it is not graded
WATCH_SECONDS = 10  # while waiting for results, how often to check an accepted worker is still there
REQUIREMENTS = grading_package().parent / "requirements.txt"


class NotGraded(Exception):
    """The cluster could not grade a submission; running autograde again tries it again."""


# --- what a worker grades with -------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """What must be the same on a worker as here for its grades to be the ones this machine gives."""

    python: str
    packages: dict[str, str | None]  # each library requirements.txt pins -> the version installed (None: missing)
    code: str  # sha256 of the grading package's source


@dataclass(frozen=True)
class WorkerReport:
    """A worker's answer to the check: its environment, its sandbox, its threads per process."""

    environment: Environment
    sandbox: Sandbox
    threads: int


def pinned_libraries() -> list[str]:
    if not REQUIREMENTS.is_file():
        raise CourseError(f"{REQUIREMENTS}: missing; the cluster's workers are checked against the versions it pins")
    lines = (line.strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines())
    return [line.split("==")[0] for line in lines if "==" in line and not line.startswith("#")]


def environment(libraries: list[str]) -> Environment:
    def version(name: str) -> str | None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    digest = hashlib.sha256()
    for path in sorted(grading_package().rglob("*.py")):
        digest.update(path.relative_to(grading_package()).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return Environment(platform.python_version(), {name: version(name) for name in libraries}, digest.hexdigest())


@functools.cache
def working_sandbox() -> Sandbox:
    """This machine's sandbox, if bubblewrap can really make one here (a container may forbid it)."""
    sandbox = find_sandbox()
    if sandbox.isolated:
        probe = subprocess.run(PROBE, capture_output=True, text=True)
        if probe.returncode != 0:
            return Sandbox(None, missing=[f"bubblewrap is installed but cannot make a sandbox here ({probe.stderr.strip()})"])
    return sandbox


def report(libraries: list[str], dask_worker) -> WorkerReport:
    """Run on each worker (``client.run``): what it would grade with."""
    return WorkerReport(environment(libraries), working_sandbox(), dask_worker.state.nthreads)


def differences(here: Environment, there: Environment) -> list[str]:
    reasons = [f"Python {there.python} (here {here.python})"] if there.python != here.python else []
    reasons += [
        f"{name} {there.packages.get(name) or 'missing'} (here {version or 'missing'})"
        for name, version in here.packages.items()
        if there.packages.get(name) != version
    ]
    if there.code != here.code:
        reasons.append("its grading package differs from this one (another checkout or version of labgrade)")
    return reasons


def refusals(here: Environment, there: WorkerReport, require_sandbox: bool, synthetic: bool) -> list[str]:
    """Why a worker may not grade for this machine (none: it may)."""
    reasons = differences(here, there.environment)
    if there.threads != 1:
        reasons.append(f"it runs {there.threads} threads: start workers with --nthreads 1 (one sandbox each; --nworkers N for more)")
    try:
        require(there.sandbox, require_sandbox, synthetic)
    except CourseError as error:
        reasons.append(str(error))
    return reasons


@dataclass
class Workers:
    """The outcome of the check: who grades, who was refused and why, what protection is missing where."""

    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    missing_protection: list[str] = field(default_factory=list)


def check_workers(client, require_sandbox: bool, synthetic: bool) -> Workers:
    """Ask every worker of the cluster what it would grade with, and keep those that match this
    machine; the scheduler, which unpickles every task, must match too."""
    here = environment(pinned_libraries())
    address = client.scheduler.address
    try:
        scheduler = differences(here, client.run_on_scheduler(environment, list(here.packages)))
    except Exception as error:  # it cannot even import the grading package
        scheduler = [f"it cannot run labgrade's code ({type(error).__name__}: {error})"]
    if scheduler:
        raise CourseError(f"the Dask scheduler at {address} runs another environment than this machine: {'; '.join(scheduler)}")
    found = Workers()
    for name, there in sorted(client.run(report, list(here.packages), on_error="return").items()):
        if isinstance(there, BaseException):
            reasons = [f"it cannot run labgrade's check ({type(there).__name__}: {there})"]
        else:
            reasons = refusals(here, there, require_sandbox, synthetic)
        if reasons:
            found.refused.append(f"worker {name}: {'; '.join(reasons)}")
        else:
            found.accepted.append(name)
            found.missing_protection += [f"worker {name}: {missing}" for missing in there.sandbox.missing]
    if not found.accepted:
        raise CourseError(f"no worker of the Dask scheduler at {address} can grade here: " + "; ".join(found.refused))
    return found


# --- the main process ----------------------------------------------------------------------------


@contextlib.contextmanager
def connect(address: str):
    """A client of the scheduler at ``address`` once it has a worker; an error naming the address,
    not a hang, when it cannot be reached. Sets the scheduler's bound on attempts (``ATTEMPTS``)."""
    from distributed import Client

    try:
        asyncio.run(asyncio.wait_for(handshake(address), CONNECT_SECONDS))
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, ValueError) as error:  # TimeoutError is an OSError
        raise CourseError(f"cannot reach the Dask scheduler at {address} within {CONNECT_SECONDS} s "
                          f"({str(error) or type(error).__name__}); is it running, and is this the address it printed?") from None

    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            raise CourseError(f"the Dask scheduler at {address} has had no worker for {WORKER_WAIT_SECONDS} s; "
                              f"start some with `dask worker {address} --nthreads 1`") from None
        client.run_on_scheduler(bound_attempts, ATTEMPTS)
        yield client
    finally:
        client.close()


async def handshake(address: str) -> None:
    """Open and close one connection to the scheduler. Bounded by the caller: distributed's own
    timeout does not cover a peer that accepts the connection and never answers."""
    from distributed.comm import connect
    from distributed.security import Security

    comm = await connect(address, **Security().get_connection_args("client"))
    await comm.close()


def bound_attempts(attempts: int, dask_scheduler) -> None:
    """On the scheduler: a task whose worker dies is started again, on at most ``attempts`` workers in all."""
    dask_scheduler.allowed_failures = attempts - 1


def grade(client, accepted: list[str], jobs: list[Job], files: LabFiles) -> Iterator[tuple[Job, Result | Exception]]:
    """Each job with its result, or why it was not graded, as the accepted workers finish them; stopped
    early (interrupted), the tasks still waiting are cancelled."""
    from distributed import KilledWorker, wait

    shared = client.scatter(files, workers=accepted, broadcast=True)
    futures = {
        client.submit(grade_on_worker, job, job.submitted.read_bytes(), shared, files.digest, workers=accepted,
                      allow_other_workers=False, key=f"labgrade-{job.lab}-{job.student}-{uuid.uuid4().hex[:8]}"): job
        for job in jobs
    }  # fmt: skip
    pending = set(futures)
    try:
        while pending:
            try:
                done, pending = wait(pending, timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                if set(accepted) & set(client.scheduler_info()["workers"]):
                    continue
                gone = NotGraded(f"every worker accepted for this run has left the cluster ({', '.join(accepted)})")
                for future in pending:
                    yield futures[future], gone
                return
            for future in done:
                error = future.exception()
                if isinstance(error, KilledWorker):
                    error = NotGraded(f"{ATTEMPTS} workers died or disappeared while grading it, the last "
                                      f"{error.last_worker.address}; their logs may say why")
                yield futures[future], error or future.result()
    finally:
        client.cancel(list(pending))


@contextlib.contextmanager
def grade_on_cluster(address: str, files: LabFiles, jobs: list[Job], require_sandbox: bool, synthetic: bool):
    """Connect, check the workers and start grading: yields the workers found and the outcomes of
    ``grade``; leaving cancels what is still waiting and disconnects."""
    with connect(address) as client:
        found = check_workers(client, require_sandbox, synthetic)
        with contextlib.closing(grade(client, found.accepted, jobs, files)) as outcomes:
            yield found, outcomes


# --- on a worker ---------------------------------------------------------------------------------


def grade_on_worker(job: Job, notebook: bytes, files: LabFiles, digest: str) -> Result:
    """Run on a Dask worker: grade one submission from the bytes sent, as a local worker would."""
    from distributed import get_worker

    dask_worker = get_worker()
    worker.start(f"dask worker {dask_worker.address}")
    folder = worker.staged(files, digest, Path(dask_worker.local_directory))
    with tempfile.TemporaryDirectory(prefix="labgrade-submission-", dir=dask_worker.local_directory) as handed_in:
        submitted = Path(handed_in) / job.submitted.name
        submitted.write_bytes(notebook)
        here = replace(job, submitted=submitted, source=folder / "source" / f"{job.lab}.ipynb",
                       released=folder / "release" / job.lab / f"{job.lab}.ipynb", scratch=folder, sandbox=working_sandbox())
        return worker.grade_submission(here)
