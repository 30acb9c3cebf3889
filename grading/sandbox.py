"""The sandbox submissions' kernels run in: bubblewrap on Linux, or a loud report of what is missing.

Under bubblewrap the kernel sees no network (its own network namespace), no other processes, and
only: the system's libraries and the Python environment (read-only), the grading package (code
only, read-only), a private copy of the lab's released files, and three size-limited tmpfs of its
own: the home with the lab folder, /tmp, and /run/labgrade, the runtime folder holding the kernel's
connection file and ipc sockets and each test's channel to the judge. Not source/, not submitted/,
not the gradebook, not the staff's home, no folder of the host's disk. It cannot make user
namespaces (``--disable-userns``). When the grader runs as root the sandbox drops to an unprivileged
user of its own per worker, so the process limit counts that sandbox alone.

The grader reaches the runtime folder from outside through ``/proc/<pid>/root``, with the pid of the
sandbox's first process (bubblewrap's ``--info-fd``); so a replacement sandbox always starts with a
fresh, empty runtime folder, and nothing a submission writes lands on the host's disk.

Each grading worker starts one sandbox and grades its submissions in it one after another: the
process inside (grading.student_side.launcher) imports the lab's libraries once, and after each
submission kills every other process in the sandbox and empties every folder student code could
write to.
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

from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning import LocalProvisioner

from .cells.setup_cell import GRADING_MARKER
from .settings import CourseError

BWRAP = "bwrap"
SANDBOX_HOME = "/home/student"
RUNTIME = "/run/labgrade"  # the runtime folder, inside the sandbox
KERNEL_FILE_INSIDE = "kernel-inside.json"  # the connection file as the kernel reads it
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
    GRADING_MARKER: "1",  # the labs' shared cells do nothing when marked
}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's run; sizes in bytes, times in seconds."""

    memory: int = 4 * 2**30  # address space of each process
    processes: int = 128  # processes and threads of the sandbox's user
    file_size: int = 64 * 2**20  # largest file it may write
    cpu: int = 600  # CPU seconds of each process
    disk: int = 256 * 2**20  # the lab folder and /tmp, each
    runtime_disk: int = 16 * 2**20  # the runtime folder (connection file and sockets)
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
    disable_userns: bool = False  # this bubblewrap and kernel can forbid new user namespaces inside

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None


def find_sandbox() -> Sandbox:
    bwrap = shutil.which(BWRAP) if sys.platform == "linux" else None
    if bwrap:
        disable_userns = _works([bwrap, "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "true"])
        if disable_userns or not _works(["unshare", "--user", "true"]):
            return Sandbox(bwrap, disable_userns=disable_userns)
        return Sandbox(bwrap, missing=["this bubblewrap cannot forbid new user namespaces (--disable-userns needs 0.8)"])
    return Sandbox(
        None,
        missing=[
            "no bubblewrap: student code runs as the grader's user and can read source/ (solutions, hidden "
            "tests), other students' work and the gradebook",
            "no network isolation",
            "no limit on total disk writes",
        ],
    )


def _works(command: list[str]) -> bool:
    """Whether a command succeeds as the sandbox's user would run it (root probes as that user)."""
    if os.geteuid() == 0:
        command = [*_drop_to(FIRST_SANDBOX_UID), *command]
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _drop_to(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]


def require(sandbox: Sandbox, required: bool, synthetic: bool = False) -> None:
    """Refuse to grade without a sandbox when asked to, and always in CI unless the submissions are
    the demo's synthetic ones."""
    if not sandbox.isolated and (required or (os.environ.get("CI") == "true" and not synthetic)):
        raise CourseError(
            "no sandbox available (run `make sandbox`, or install the Debian package bubblewrap): " + "; ".join(sandbox.missing)
        )


def python_roots() -> list[Path]:
    """Folders the Python environment needs: the venv and the interpreter it was made from."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    return sorted(root for root in roots if not str(root).startswith("/usr"))


def grading_package() -> Path:
    return Path(__file__).resolve().parent


def module_command(module: str) -> list[str]:
    """``python -m module`` for this very checkout's grading package: with ``-P`` the working folder (a
    lab's files) is not on the import path, and ``PYTHONPATH`` (``package_path``) names the checkout,
    whichever one the venv was installed from."""
    return [str(Path(sys.prefix) / "bin" / "python"), "-P", "-m", module]


def package_path() -> dict[str, str]:
    return {"PYTHONPATH": str(grading_package().parent)}


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


@dataclass(frozen=True)
class LaunchPlan:
    """How to start one worker's sandbox, and where its folders are inside it."""

    command: list[str]
    workdir: str  # the lab folder, where the kernel runs
    runtime: str  # the runtime folder as the sandbox sees it
    info_fd: int | None  # bubblewrap writes its first process's pid here (None: not sandboxed)


def launcher_command(sandbox: Sandbox, stage: Path, runtime: Path, limits: Limits, preload: list[str], slot: int, info_fd: int | None) -> LaunchPlan:
    """The command that starts grading.student_side.launcher, which starts each kernel.

    ``runtime`` is a host folder used only without bubblewrap; ``info_fd`` the pipe bubblewrap
    reports its pid on."""
    as_root = os.geteuid() == 0
    processes = limits.processes if (sandbox.isolated and as_root) else own_process_count() + limits.processes
    launcher = [
        *module_command("grading.student_side.launcher"), "--preload", ",".join(preload),
        "--limits", json.dumps(limits.rlimits(processes)),
        "--stage", str(stage) if not sandbox.isolated else "/srv/lab",
    ]  # fmt: skip
    if not sandbox.isolated:
        home = runtime / "home"
        return LaunchPlan([*launcher, "--wipe", str(runtime), "--home", str(home)], str(home / "lab"), str(runtime), None)
    no_userns = ["--unshare-user", "--disable-userns"] if sandbox.disable_userns else []
    command = [
        sandbox.bwrap, "--die-with-parent", "--new-session", "--info-fd", str(info_fd),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        *([] if as_root else no_userns),
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--ro-bind-try", "/etc/fonts", "/etc/fonts", "--ro-bind-try", "/etc/localtime", "/etc/localtime",
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", str(limits.disk), "--tmpfs", "/tmp",
        "--perms", "0755", "--dir", "/home",
        "--perms", "0777", "--size", str(limits.disk), "--tmpfs", SANDBOX_HOME,
        "--perms", "0755", "--dir", "/run",
        "--perms", "0777", "--size", str(limits.runtime_disk), "--tmpfs", RUNTIME,
        "--perms", "0755", "--dir", "/srv", "--ro-bind", str(stage), "/srv/lab",
    ]  # fmt: skip
    made = {"/tmp", "/home", SANDBOX_HOME, "/usr", "/srv", "/run", RUNTIME}
    for root in [*python_roots(), grading_package()]:
        for parent in _parents(root):
            if parent not in made:
                command += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        command += ["--ro-bind", str(root), str(root)]
    command += ["--clearenv", *[arg for key, value in {**ENVIRONMENT, **package_path()}.items() for arg in ("--setenv", key, value)]]
    command += ["--chdir", SANDBOX_HOME]
    if as_root:  # drop to the worker's own user, then forbid user namespaces from a nested bubblewrap
        command += _drop_to(FIRST_SANDBOX_UID + slot)
        if no_userns:
            command += [sandbox.bwrap, "--die-with-parent", *no_userns, "--dev-bind", "/", "/", "--chdir", SANDBOX_HOME]
    launcher += ["--wipe", "/tmp", "--wipe", SANDBOX_HOME, "--wipe", RUNTIME, "--home", SANDBOX_HOME]
    return LaunchPlan([*command, *launcher], f"{SANDBOX_HOME}/lab", RUNTIME, info_fd)


def sandbox_uid(slot: int) -> int | None:
    return FIRST_SANDBOX_UID + slot if os.geteuid() == 0 else None


class SandboxGone(Exception):
    """A process stopped answering in time or has gone (student code can kill or stop the sandbox's)."""


class LineProcess:
    """A child process answering one JSON request per line on stdout, its stderr kept as a log."""

    log_limit = 200_000  # characters of stderr kept per submission

    def __init__(self, command: list[str], reply_timeout: float, cwd: str | None = None, pass_fds=(), env=None):
        self.reply_timeout = reply_timeout  # default seconds to wait for a reply
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, pass_fds=pass_fds, env=env
        )
        self._pending = b""
        self.ready = False  # its first line ("ready") has been read
        self._lock = threading.Lock()
        self._log: list[str] = []
        self._logged = 0
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def wait_ready(self, startup_timeout: float, what: str) -> None:
        """Read the process's first line (once: it may have been started well before it is needed)."""
        if self.ready:
            return
        try:
            self.ask(None, startup_timeout)
            self.ready = True
        except SandboxGone as error:
            self.close()
            raise CourseError(f"{what} did not start ({error}): {''.join(self._log)[-2000:]}") from None

    def _read_stderr(self) -> None:
        try:
            for chunk in iter(lambda: self.process.stderr.read1(8192), b""):
                if self._logged < self.log_limit:
                    self._log.append(chunk.decode("utf-8", "replace"))
                    self._logged += len(chunk)
        except (OSError, ValueError):  # closed when the process is shut down
            pass

    def take_log(self) -> list[str]:
        """What the process wrote on stderr since the last call."""
        lines, self._log, self._logged = "".join(self._log).splitlines(), [], 0
        return lines

    def ask(self, request: dict | None, timeout: float | None = None) -> dict:
        """Send a request (None: only read) and wait for the reply line; a process that does not answer
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
                        raise SandboxGone("the process has gone")
                    self._pending += chunk
            except OSError as error:
                raise SandboxGone(f"the process has gone ({error.strerror})") from None
            line, _, self._pending = self._pending.partition(b"\n")
            return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()
        # A process the child left behind may still hold stderr open: never block on it.
        self._stderr_reader.join(timeout=2)
        if not self._stderr_reader.is_alive():
            self.process.stderr.close()


def _first_pid(info: int, timeout: float) -> int | None:
    """The host pid of the sandbox's first process, from bubblewrap's --info-fd JSON (written in parts)."""
    text, deadline = b"", time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0 and select.select([info], [], [], left)[0]:
        chunk = os.read(info, 65536)
        if not chunk:
            break
        text += chunk
        try:
            return int(json.loads(text)["child-pid"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


class RunningSandbox(LineProcess):
    """A started sandbox: grading.student_side.launcher answering requests, with its folders' paths."""

    def __init__(self, sandbox: Sandbox, plan_for, host_runtime: Path, uid: int | None, reply_timeout: float, startup_timeout: float = 300):
        read_end, write_end = os.pipe() if sandbox.isolated else (None, None)
        plan: LaunchPlan = plan_for(write_end)
        self.workdir, self.uid, self.runtime_inside = plan.workdir, uid, plan.runtime
        super().__init__(plan.command, reply_timeout, cwd=str(host_runtime), pass_fds=(write_end,) if write_end else (),
                         env={**os.environ, **package_path(), GRADING_MARKER: "1"})
        self.runtime, self.sandbox_pid = host_runtime, None
        if write_end is not None:
            os.close(write_end)
            try:
                self.sandbox_pid = _first_pid(read_end, startup_timeout)
            finally:
                os.close(read_end)
            if self.sandbox_pid is None:
                self.close()
                raise CourseError(f"the sandbox did not start: {''.join(self._log)[-2000:] or 'no word from bubblewrap'}")
            self.runtime = Path(f"/proc/{self.sandbox_pid}/root{plan.runtime}")
        self.wait_ready(startup_timeout, "the sandbox")

    def close(self) -> None:
        """Kill the sandbox's first process, which ends every process in its PID namespace at once."""
        if self.sandbox_pid is not None:
            try:
                os.kill(self.sandbox_pid, signal.SIGKILL)
            except OSError:
                pass
        super().close()

    def host_path(self, inside: str) -> str:
        """A path of the runtime folder as the grader, outside the sandbox, reaches it."""
        return str(self.runtime / os.path.relpath(inside, self.runtime_inside))


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
        inside = f"{self.sandbox.runtime_inside}/{KERNEL_FILE_INSIDE}"
        reply = self.sandbox.ask({"action": "start", "connection_file": inside})
        self.process = KernelInSandbox(self.sandbox, reply["pid"])
        self.pid = reply["pid"]
        return self.connection_info


class ClientWithoutHeartbeat(AsyncKernelClient):
    """A kernel client without the heartbeat thread, whose ping blocks for ever once a sandbox is gone
    (zmq waits for a peer); whether the kernel lives is asked of the launcher instead."""

    def start_channels(self, shell=True, iopub=True, stdin=True, hb=True, control=True):
        super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=False, control=control)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are started by the launcher inside a running sandbox.

    The grader reaches the kernel's ipc sockets through the sandbox's runtime folder as seen from
    outside; the kernel gets its own copy of the connection file, with the paths it sees."""

    def __init__(self, sandbox: RunningSandbox, **kwargs):
        super().__init__(transport="ipc", client_factory=ClientWithoutHeartbeat, **kwargs)
        self._kernel_spec = KernelSpec(
            argv=["grading.student_side.launcher"], display_name="sandboxed python3", language="python", interrupt_mode="message"
        )
        self._sandbox = sandbox
        self.provisioner = SandboxProvisioner(kernel_id="sandboxed", kernel_spec=self._kernel_spec, parent=self)
        self.provisioner.sandbox = sandbox
        self.connection_file = str(sandbox.runtime / "kernel.json")
        self.ip = str(sandbox.runtime / "kernel")

    async def stop_in_sandbox(self) -> None:
        """Kill the kernel and all it started (the launcher does), then free the grader's side; never
        jupyter_client's shutdown, which sends an interrupt that waits for ever on a dead kernel."""
        try:
            self._sandbox.ask({"action": "stop"})
        except SandboxGone:
            pass
        self.provisioner.process = None
        await self._async_cleanup_resources()

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        info = json.loads(Path(self.connection_file).read_text())
        info["ip"] = f"{self._sandbox.runtime_inside}/kernel"
        inside = self._sandbox.runtime / KERNEL_FILE_INSIDE
        inside.write_text(json.dumps(info))
        if self._sandbox.uid is not None:
            os.chown(inside, self._sandbox.uid, self._sandbox.uid)
        return result
