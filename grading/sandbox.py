"""The sandbox a submission's kernel runs in: bubblewrap on Linux, or a loud report of what is missing.

Under bubblewrap the kernel sees no network (its own network namespace), no other processes, and
only: the system's libraries and the Python environment (read-only), the grading package (code
only, read-only), a size-limited private copy of the lab's released files, a size-limited /tmp and
the folder holding the kernel's connection file and ipc sockets. Not source/, not submitted/, not
the gradebook, not the staff's home. When the grader runs as root the sandbox drops to an
unprivileged user of its own per worker, so the process limit counts that sandbox alone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

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
    """The command that starts grading.judge (and through it the kernel); and where the lab folder is."""
    python = str(Path(sys.prefix) / "bin" / "python")
    as_root = os.geteuid() == 0
    processes = limits.processes if (sandbox.isolated and as_root) else own_process_count() + limits.processes
    judge = [
        python, "-m", "grading.judge", "--connection-file", "{connection_file}", "--preload", ",".join(preload),
        "--limits", json.dumps(limits.rlimits(processes)), "--test-timeout", str(limits.cell_timeout),
        "--stage", str(stage) if not sandbox.isolated else "/srv/lab", "--workdir",
    ]  # fmt: skip
    if not sandbox.isolated:
        workdir = runtime / "lab"
        return [*judge, str(workdir)], str(workdir)
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
    workdir = f"{SANDBOX_HOME}/lab"
    return [*command, *judge, workdir], workdir


def sandbox_uid(slot: int) -> int | None:
    return FIRST_SANDBOX_UID + slot if os.geteuid() == 0 else None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is grading.judge's child, started with the given command."""

    def __init__(self, command: list[str], uid: int | None, **kwargs):
        super().__init__(transport="ipc", **kwargs)
        self._kernel_spec = KernelSpec(
            argv=command, display_name="sandboxed python3", language="python", interrupt_mode="message"
        )
        self._sandbox_uid = uid

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        if self._sandbox_uid is not None:
            os.chown(self.connection_file, self._sandbox_uid, self._sandbox_uid)
        return result
