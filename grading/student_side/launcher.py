"""Inside the sandbox: the process that starts each student's kernel and cleans up after it.

It runs as ``python -m grading.student_side.launcher`` under bubblewrap (see sandbox.py) and imports
only the standard library at start. Before any student code runs it applies the resource limits and
imports the lab's libraries (and ipykernel) once; then, for each submission the worker grades in turn:

- ``start``: fork the student's Jupyter kernel (ipykernel, ipc transport), driven by the grader
  through nbclient;
- ``reset``: kill every other process in the sandbox, empty every folder student code could write
  to (the home with the lab folder, /tmp, the kernel's runtime folder), copy the lab's released
  files afresh, and check that nothing is left. Anything it cannot do means "not clean", and the
  grader then throws this sandbox away (every folder here is a tmpfs of its own) and starts another.

Nothing here judges: this process runs as the student's user, so student code can signal it or
read it. Tests are judged outside the sandbox (judge.py), through the kernel's namespace server.

Protocol with the grader: one JSON request per line on stdin, one JSON reply per line on stdout
(the first, ``{"ready": true}``, when the libraries are loaded).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import resource
import shutil
import signal
import sys
import time

from grading.files import remove_tree


def apply_limits(limits: dict) -> None:
    """Resource limits for everything in the sandbox (inherited by the kernel and all it starts)."""
    for name, value in limits.items():
        which = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(which, (value, value))


# What each kernel imports as it starts, loaded here once: ipykernel's kernel class and its debugger
# (debugpy) alone take 0.2 s of a kernel's 0.3 s start when each fork imports them itself.
KERNEL_MODULES = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.debugger",
                  "IPython.core.completerlib", "IPython.extensions.storemagic", "grading.student_side.server"]


def preload(modules: list[str]) -> None:
    """Import the lab's libraries once, here, so each fork starts with them loaded and untouched."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a library the lab names but this machine lacks: the kernel reports it
            pass


def warm_up_plotting() -> None:
    """Draw and save one figure, as a lab's plot cell would, if the lab uses matplotlib: the fonts and
    the tick labels' mathtext are then ready in every fork, where each kernel's first plot would
    otherwise set them up itself. It draws on a bare Agg canvas, not through pyplot: pyplot's backend
    (the kernel's inline one) must be chosen in the kernel, where it hooks into IPython."""
    if "matplotlib" not in sys.modules:
        return
    import io

    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 3))
        FigureCanvasAgg(fig)
        linear, log = fig.subplots(1, 2)
        linear.plot([0, 1, 2], [2, 0, 1], "o-", label="a")
        linear.scatter([0, 1], [1, 2], label="b")
        linear.set(xlabel=r"$1/T$ (K$^{-1}$)", ylabel="y", title="t")
        linear.legend()
        log.semilogy([1, 2, 3], [1e-12, 1e-3, 1e4])
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    except Exception:  # a broken matplotlib: the lab's own plots report it
        pass


def start_kernel(connection_file: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["ipykernel_launcher", "-f", connection_file, "--HistoryManager.hist_file=:memory:"]
    try:
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance()
    finally:
        os._exit(1)


def others() -> list[int]:
    """Every process descended from this one: the kernel, its children and their orphans, which
    come back to this process (a child subreaper) rather than escaping to init."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):  # gone meanwhile
                pass
    family, grown = {os.getpid()}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sorted(family - {os.getpid()})


def stop_everything_else() -> int:
    """Kill the kernel and everything it started (which, in the sandbox, is every other process there)."""
    killed = 0
    for _ in range(100):
        running = others()
        if not running:
            break
        for pid in running:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.01)
    return killed


def mount_points() -> set[str]:
    """Where something is mounted in this process's view (the sandbox's binds, tmpfs, /proc...)."""
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        points = {line.split()[4] for line in mountinfo if line.strip()}
    return {re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), point) for point in points}


def empty(folder: str, mounts: set[str], leading: set[str]) -> list[str]:
    """Remove everything in a folder except mount points (the sandbox made them); folders leading to
    one are emptied around it. Returns what is still there."""
    left = []
    for entry in os.scandir(folder):
        if entry.path in mounts:
            continue
        if entry.path in leading and entry.is_dir(follow_symlinks=False):
            left += empty(entry.path, mounts, leading)
            continue
        remove_tree(entry.path)
        if os.path.lexists(entry.path):
            left.append(entry.path)
    return left


def _ancestry(path: str) -> list[str]:
    """The path and each of its ancestors."""
    paths = [os.path.normpath(path)]
    while paths[-1] != os.path.dirname(paths[-1]):
        paths.append(os.path.dirname(paths[-1]))
    return paths


def reset(stage: str, home: str, wiped: list[str]) -> dict:
    """Make the sandbox as it was before any submission: no other process, fresh files, nothing left.
    Whatever goes wrong (a tree too deep, a file that will not go) means not clean, never a crash."""
    try:
        stop_everything_else()
        mounts = mount_points()
        leading = {os.path.dirname(path) for mount in mounts for path in _ancestry(mount)}
        left = [path for folder in wiped for path in empty(folder, mounts, leading)]
        if not left:
            shutil.copytree(stage, os.path.join(home, "lab"))
            os.chdir(os.path.join(home, "lab"))
        running = others()
    except BaseException as error:  # noqa: BLE001 (anything at all means: throw this sandbox away)
        return {"clean": False, "left": [f"{type(error).__name__}: {error}"[:300]]}
    problems = left + ([f"{len(running)} processes still running"] if running else [])
    return {"clean": not problems, "left": problems[:5]}


def kernel_alive(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


def guard_self() -> None:
    """Keep the kernel, which runs as the same user, out of this process's memory and file descriptors;
    and become the subreaper of everything it starts, so no process of a submission escapes reset()."""
    import ctypes

    PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", default="")
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--stage", required=True, help="the lab's released files, read-only")
    parser.add_argument("--home", required=True, help="the student's home: the lab folder goes here")
    parser.add_argument("--wipe", action="append", default=[], help="a folder emptied before each submission")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.pop("JPY_PARENT_PID", None)
    apply_limits(json.loads(args.limits))
    preload([name for name in args.preload.split(",") if name] + KERNEL_MODULES)
    warm_up_plotting()
    guard_self()
    kernel = None
    answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        action = request.get("action")
        if action == "reset":
            kernel = None
            reply = reset(args.stage, args.home, args.wipe)
        elif action == "start":
            kernel = start_kernel(request["connection_file"])
            reply = {"pid": kernel}
        elif action == "alive":
            reply = {"alive": kernel is not None and kernel_alive(kernel)}
        else:
            reply = {"stopped": stop_everything_else()}
        answer(reply)
    stop_everything_else()


def answer(reply: dict) -> None:
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
