"""The sandbox submissions' kernels run in: bubblewrap on Linux, or a loud report of what is missing.

Under bubblewrap the kernel sees no network (its own network namespace), no other processes, and
only: the system's libraries and the Python environment (read-only), the grading package (code
only, read-only), a size-limited private copy of the lab's released files, a size-limited /tmp and
the folder holding the kernel's connection file and ipc sockets. Not source/, not submitted/, not
the gradebook, not the staff's home. When the grader runs as root the sandbox drops to an
unprivileged user of its own per worker, so the process limit counts that sandbox alone.

Each grading worker starts one sandbox and grades its submissions in it one after another: the
clean process inside (grading.judge) imports the lab's libraries once, and before each submission
kills every other process in the sandbox and empties every folder student code could write to.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning import LocalProvisioner

from .settings import CourseError

BWRAP = "bwrap"
SANDBOX_HOME = "/home/student"
FIRST_SANDBOX_UID = 61000  # worker n runs student code as uid 61000 + n when the grader is root
ENVIRONMENT = {
    "HOME": SANDBOX_HOME,
    "PATH": "/usr/bin:/bin",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "IPYTHONDIR": "/tmp/ipython",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's run; sizes in bytes, times in seconds."""

    memory: int = 4 * 2**30  # address space of each process
    processes: int = 128  # processes and threads of the sandbox's user
    file_size: int = 64 * 2**20  # largest file it may write
    cpu: int = 600  # CPU seconds of each process
    disk: int = 256 * 2**20  # the lab folder and /tmp, each
    cell_timeout: int = 60  # wall clock per cell
    notebook_timeout: int = 900  # wall clock per notebook
    output: int = 2 * 2**20  # characters of output kept per notebook

    def rlimits(self, processes: int) -> dict[str, int]:
        return {"as": self.memory, "nproc": processes, "fsize": self.file_size, "cpu": self.cpu}


@dataclass
class Sandbox:
    """How kernels are started here, and which protections that leaves out."""

    bwrap: str | None
    missing: list[str] = field(default_factory=list)

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None


def find_sandbox() -> Sandbox:
    bwrap = shutil.which(BWRAP) if sys.platform == "linux" else None
    if bwrap:
        return Sandbox(bwrap)
    return Sandbox(
        None,
        missing=[
            "no bubblewrap: student code runs as the grader's user and can read source/ (solutions, hidden "
            "tests), other students' work and the gradebook",
            "no network isolation",
            "no limit on total disk writes",
        ],
    )


def require(sandbox: Sandbox, required: bool) -> None:
    """Refuse to grade without a sandbox when asked to (always in CI)."""
    if not sandbox.isolated and (required or os.environ.get("CI") == "true"):
        raise CourseError(
            "no sandbox available (install the Debian package bubblewrap): " + "; ".join(sandbox.missing)
        )


def python_roots() -> list[Path]:
    """Folders the Python environment needs: the venv and the interpreter it was made from."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    return sorted(root for root in roots if not str(root).startswith("/usr"))


def grading_package() -> Path:
    return Path(__file__).resolve().parent


def own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                count += int(len(list((entry / "task").iterdir())))
        except OSError:
            pass
    return count


def _parents(path: Path) -> list[str]:
    """Ancestors of a bound path, created world-traversable so the sandbox user can reach it."""
    return [str(parent) for parent in reversed(path.parents) if str(parent) != "/"]


def judge_command(
    sandbox: Sandbox, stage: Path, runtime: Path, limits: Limits, preload: list[str], slot: int
) -> tuple[list[str], str]:
    """The command that starts grading.judge, which starts each kernel; and where the lab folder is."""
    python = str(Path(sys.prefix) / "bin" / "python")
    as_root = os.geteuid() == 0
    processes = limits.processes if (sandbox.isolated and as_root) else own_process_count() + limits.processes
    judge = [
        python, "-m", "grading.judge", "--preload", ",".join(preload),
        "--limits", json.dumps(limits.rlimits(processes)), "--test-timeout", str(limits.cell_timeout),
        "--stage", str(stage) if not sandbox.isolated else "/srv/lab", "--wipe", str(runtime),
    ]  # fmt: skip
    if not sandbox.isolated:
        home = runtime / "home"
        return [*judge, "--home", str(home)], str(home / "lab")
    command = [
        sandbox.bwrap, "--die-with-parent", "--new-session",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--ro-bind-try", "/etc/fonts", "/etc/fonts", "--ro-bind-try", "/etc/localtime", "/etc/localtime",
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", str(limits.disk), "--tmpfs", "/tmp",
        "--perms", "0755", "--dir", "/home",
        "--perms", "0777", "--size", str(limits.disk), "--tmpfs", SANDBOX_HOME,
        "--perms", "0755", "--dir", "/srv", "--ro-bind", str(stage), "/srv/lab",
    ]  # fmt: skip
    made = {"/tmp", "/home", SANDBOX_HOME, "/usr", "/srv"}
    for root, how in [*((r, "--ro-bind") for r in python_roots()), (grading_package(), "--ro-bind"), (runtime, "--bind")]:
        for parent in _parents(root):
            if parent not in made:
                command += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        command += [how, str(root), str(root)]
    command += ["--clearenv", *[arg for key, value in ENVIRONMENT.items() for arg in ("--setenv", key, value)]]
    command += ["--chdir", SANDBOX_HOME]
    if as_root:
        uid = str(FIRST_SANDBOX_UID + slot)
        command += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    judge += ["--wipe", "/tmp", "--wipe", SANDBOX_HOME, "--home", SANDBOX_HOME]
    return [*command, *judge], f"{SANDBOX_HOME}/lab"


def sandbox_uid(slot: int) -> int | None:
    return FIRST_SANDBOX_UID + slot if os.geteuid() == 0 else None


class SandboxGone(Exception):
    """The sandbox stopped answering or could not be made clean (student code can kill or stop it)."""


class RunningSandbox:
    """A started sandbox: grading.judge answering one JSON request per line, its stderr kept as a log."""

    log_limit = 200_000  # characters of kernel stderr kept per submission

    def __init__(self, command: list[str], workdir: str, runtime: Path, uid: int | None, reply_timeout: float, startup_timeout: float = 300):
        self.workdir, self.runtime, self.uid = workdir, runtime, uid
        self.reply_timeout = reply_timeout  # seconds for any request but judging a test (those take milliseconds)
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(runtime))
        self._pending = b""
        self._lock = threading.Lock()
        self._log: list[str] = []
        self._logged = 0
        threading.Thread(target=self._read_stderr, daemon=True).start()
        try:
            self.ask(None, startup_timeout)
        except SandboxGone as error:
            self.close()
            raise CourseError(f"the sandbox did not start ({error}): {''.join(self._log)[-2000:]}") from None

    def _read_stderr(self) -> None:
        try:
            for chunk in iter(lambda: self.process.stderr.read1(8192), b""):
                if self._logged < self.log_limit:
                    self._log.append(chunk.decode("utf-8", "replace"))
                    self._logged += len(chunk)
        except (OSError, ValueError):  # closed when the sandbox is shut down
            pass

    def take_log(self) -> list[str]:
        """What the sandbox wrote on stderr since the last call (the kernel's log for one submission)."""
        lines, self._log, self._logged = "".join(self._log).splitlines(), [], 0
        return lines

    def ask(self, request: dict | None, timeout: float | None = None) -> dict:
        """Send a request (None: only read) and wait for the reply line; a sandbox that does not answer
        in time (default: ``reply_timeout``) is killed, so every later request fails at once."""
        timeout = timeout or self.reply_timeout
        with self._lock:
            deadline = time.monotonic() + timeout
            try:
                if request is not None:
                    os.write(self.process.stdin.fileno(), (json.dumps(request) + "\n").encode())
                while b"\n" not in self._pending:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                        self.process.kill()
                        raise SandboxGone(f"no answer within {timeout:g} s")
                    chunk = os.read(self.process.stdout.fileno(), 65536)
                    if not chunk:
                        raise SandboxGone("the sandbox's grading process has gone")
                    self._pending += chunk
            except OSError as error:
                raise SandboxGone(f"the sandbox's grading process has gone ({error.strerror})") from None
            line, _, self._pending = self._pending.partition(b"\n")
            return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


class KernelInSandbox:
    """A kernel started inside a running sandbox, with the part of Popen's interface jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, sandbox: RunningSandbox, pid: int):
        self.sandbox, self.pid = sandbox, pid

    def poll(self) -> int | None:
        try:
            return None if self.sandbox.ask({"action": "alive"}).get("alive") else 0
        except SandboxGone:
            return -signal.SIGKILL

    def wait(self, timeout: float | None = None) -> int:
        while (code := self.poll()) is None:
            time.sleep(0.02)
        return code

    def send_signal(self, signum: int) -> None:
        """Any signal stops the kernel: jupyter_client interrupts it with a message, never a signal."""
        try:
            self.sandbox.ask({"action": "stop"})
        except SandboxGone:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    terminate = kill


class SandboxProvisioner(LocalProvisioner):
    """Starts the kernel inside the worker's running sandbox instead of as a new process."""

    sandbox: RunningSandbox | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        reply = self.sandbox.ask({"action": "start", "connection_file": self.parent.connection_file})
        self.process = KernelInSandbox(self.sandbox, reply["pid"])
        self.pid = reply["pid"]
        return self.connection_info


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are started by grading.judge inside a running sandbox."""

    def __init__(self, sandbox: RunningSandbox, **kwargs):
        super().__init__(transport="ipc", **kwargs)
        self._kernel_spec = KernelSpec(
            argv=["grading.judge"], display_name="sandboxed python3", language="python", interrupt_mode="message"
        )
        self._sandbox_uid = sandbox.uid
        self.provisioner = SandboxProvisioner(kernel_id="sandboxed", kernel_spec=self._kernel_spec, parent=self)
        self.provisioner.sandbox = sandbox
        self.connection_file = str(sandbox.runtime / "kernel.json")
        self.ip = str(sandbox.runtime / "kernel")

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        if self._sandbox_uid is not None:
            os.chown(self.connection_file, self._sandbox_uid, self._sandbox_uid)
        return result
