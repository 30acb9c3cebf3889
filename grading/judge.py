"""Inside the sandbox: the clean process that starts each student's kernel and judges its test cells.

It runs as ``python -m grading.judge`` under bubblewrap (see sandbox.py) and imports only the
standard library at start. Before any student code runs it applies the resource limits and imports
the lab's libraries (and ipykernel) once; then, for each submission the worker grades in turn:

- ``reset``: kill every other process in the sandbox, empty every folder student code could write
  to (the home with the lab folder, /tmp, the kernel's runtime folder), copy the lab's released
  files afresh, and check that nothing is left; so nothing of one submission reaches the next.
- ``start``: fork the student's Jupyter kernel (ipykernel, ipc transport), driven by the grader
  through nbclient.
- for every test cell, a judge process forked from this clean state, never from the kernel. Before
  each test cell the kernel dumps its namespace (``dump``); the judge loads that dump and runs the
  instructor's test cell against it with genuine numpy, builtins and no IPython machinery, so
  transformers, trace functions, hooks and patches made in the kernel cannot reach the verdict.
  What student code does while the test runs (it calls the student's functions) is watched: an audit
  hook refuses trace functions, new audit hooks, garbage-collector and frame scans, forks and
  subprocesses, and any library function replaced during the test fails it and is reported.

This process is not dumpable, so student code cannot read or write its memory. Student code can
still signal it; the grader then gets no answer in time, grades that submission with what was
judged, flags it, and replaces the sandbox.

Protocol with the grader: one JSON request per line on stdin, one JSON reply per line on stdout
(the first, ``{"ready": true}``, when the libraries are loaded).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import sys
import time
import types

# Libraries whose functions tests rely on: any of them replaced while a test runs fails the test.
GUARDED_ROOTS = ("builtins", "math", "operator", "functools", "numpy", "pandas", "scipy", "sklearn", "grading")
# Audit events refused inside a judge process: the ways student code could subvert the verdict.
REFUSED_EVENTS = frozenset(
    {
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "sys._current_frames",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "os.fork",
        "os.forkpty",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.kill",
        "os.killpg",
        "subprocess.Popen",
        # ctypes.dlopen and ctypes.dlsym stay allowed: threadpoolctl (scikit-learn's KMeans, ...) loads
        # the BLAS and OpenMP libraries through them during honest tests.
        "ctypes.addressof",
        "ctypes.string_at",
        "ctypes.cdata",
    }
)
# Allowed to library code, refused to student code (see called_by_student_code): the ways to reach
# the judge's own frames and memory, where the secret that authenticates its verdict lives.
GUARDED_EVENTS = frozenset({"sys._getframe", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function"})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
PRIVATE_PROC_FILES = re.compile(r"/proc/(self|thread-self|\d+)/(task/\d+/)?(mem|fd|fdinfo|map_files|pagemap|environ)\b")
OUTPUT_LIMIT = 20_000  # characters of a test's printed output kept for the autograded notebook
MISSING = object()


def apply_limits(limits: dict) -> None:
    """Resource limits for everything in the sandbox (inherited by the kernel and the judges)."""
    for name, value in limits.items():
        which = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(which, (value, value))


def preload(modules: list[str]) -> None:
    """Import the lab's libraries once, here, so each fork starts with them loaded and untouched."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a library the lab names but this machine lacks: the kernel reports it
            pass


def guarded_functions() -> list[tuple[dict, list]]:
    """(module dict, [(name, value)]) for every function, class or module of the guarded libraries."""
    snapshot = []
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in GUARDED_ROOTS:
            continue
        namespace = vars(module)
        items = [(k, v) for k, v in list(namespace.items()) if callable(v) or isinstance(v, types.ModuleType)]
        snapshot.append((namespace, items))
    return snapshot


def replaced(snapshot) -> list[str]:
    changed = []
    for namespace, items in snapshot:
        for key, value in items:
            if namespace.get(key, MISSING) is not value:
                changed.append(f"{namespace.get('__name__', '?')}.{key}")
    return changed


def dump(namespace: dict, path: str) -> None:
    """Called in the kernel before each test cell: save the user's variables for the judge."""
    import pickle

    import cloudpickle

    values, skipped = {}, []
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in ("In", "Out", "get_ipython", "exit", "quit", "open"):
            continue
        if isinstance(value, types.ModuleType):
            values[name] = ("module", value.__name__)
            continue
        try:
            values[name] = ("value", cloudpickle.dumps(value))
        except Exception:
            skipped.append(name)
    with open(path + ".tmp", "wb") as file:
        pickle.dump({"values": values, "skipped": skipped}, file)
    os.replace(path + ".tmp", path)


def load(path: str) -> tuple[dict, list[str]]:
    import pickle

    with open(path, "rb") as file:
        data = pickle.load(file)
    namespace = {}
    for name, (kind, payload) in data["values"].items():
        namespace[name] = importlib.import_module(payload) if kind == "module" else pickle.loads(payload)
    return namespace, list(data["skipped"])


class LibraryModules:
    """Which loaded modules are libraries from the Python environment or the grading package.

    A frame runs library code only if its globals are such a module's own dict: identity decides,
    not the code's file name, since a student's function arrives from the kernel with globals of
    its own whatever file name its code claims."""

    def __init__(self):
        self.roots = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(__file__))})
        self.known: dict[str, tuple[object, bool]] = {}
        for name, module in list(sys.modules.items()):
            self.is_library(name, module)

    def is_library(self, name, module) -> bool:
        known = self.known.get(name)
        if known is None or known[0] is not module:
            path = getattr(module, "__file__", None)
            known = self.known[name] = (module, not isinstance(path, str) or os.path.realpath(path).startswith(self.roots))
        return known[1]

    def module_of(self, frame):
        name = frame.f_globals.get("__name__")
        module = sys.modules.get(name) if isinstance(name, str) else None
        return module if module is not None and vars(module) is frame.f_globals and self.is_library(name, module) else None

    def called_by_student_code(self, frame) -> bool:
        """Whether the nearest caller outside the standard library (inspect, traceback, ctypes... do
        what their caller asks) is student code rather than a library such as pandas."""
        while frame is not None:
            module = self.module_of(frame)
            if module is None:
                return True
            if module.__name__.split(".")[0] not in sys.stdlib_module_names:
                return False
            frame = frame.f_back
        return False


def run_test(request: dict, snapshot, libraries: LibraryModules) -> dict:
    """In a fresh fork: load the dumped namespace, restore what the test relies on, run the test."""
    refused: list[str] = []
    busy = []

    def audit(event, args, _refused=refused, _events=REFUSED_EVENTS, _guarded=GUARDED_EVENTS):
        if event in _events or event.startswith("os.exec") or event.startswith("os.spawn"):
            _refused.append(event)
            raise RuntimeError(f"{event} is not allowed while grading")
        guarded = (
            event in _guarded
            or (event == "object.__getattr__" and args[1] in FRAME_ATTRIBUTES)
            or (event == "open" and isinstance(args[0], str) and PRIVATE_PROC_FILES.match(args[0]))
        )
        if guarded and not busy:
            busy.append(True)  # sys._getframe below raises its own audit event
            try:
                by_student = libraries.called_by_student_code(sys._getframe(1))
            finally:
                busy.clear()
            if by_student:
                _refused.append(event)
                raise RuntimeError(f"{event} is not allowed to student code while grading")

    sys.addaudithook(audit)
    reply = {"grade_id": request["grade_id"], "passed": False, "error": None, "stdout": "", "tampering": []}
    try:
        namespace, reply["untransferred"] = load(request["dump"])
    except FileNotFoundError:
        reply["error"] = "the kernel never reached this test"
        reply["unreached"] = True
        return reply
    except BaseException as error:
        reply["error"] = f"the student's variables could not be loaded: {type(error).__name__}"
        reply["tampering"] = [f"loading the variables failed: {type(error).__name__}"] + replaced(snapshot)
        return reply
    for name, target in request["names"].items():
        genuine = resolve(target)
        if name in namespace and rebound(namespace[name], genuine):
            reply["tampering"].append(f"'{name}' was rebound by the notebook; the test used the real {target}")
        namespace[name] = genuine
    namespace["__builtins__"] = __builtins__
    out = io.StringIO()
    sys.stdout = sys.stderr = out
    try:
        exec(compile(request["code"], f"<test {request['grade_id']}>", "exec"), namespace)
    except BaseException as error:
        try:
            reply["error"] = f"{type(error).__name__}: {str(error)[:500]}"
            reply["missing_name"] = error.name if isinstance(error, NameError) else None
        except BaseException:
            reply["error"] = "an exception that cannot even be printed"
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    reply["stdout"] = out.getvalue()[:OUTPUT_LIMIT] if isinstance(out, io.StringIO) else ""
    changes = replaced(snapshot)
    if changes:
        reply["tampering"].append("library functions replaced during the test: " + ", ".join(changes[:5]))
    if sys.gettrace() is not None or sys.getprofile() is not None:
        reply["tampering"].append("a trace or profile function was set during the test")
    if refused:
        reply["tampering"].append("refused during the test: " + ", ".join(sorted(set(refused))))
    rebinding = [t for t in reply["tampering"] if "was rebound" in t]
    reply["passed"] = reply["error"] is None and len(reply["tampering"]) == len(rebinding)
    return reply


def rebound(dumped, genuine) -> bool:
    """Whether the notebook's value for a library name is not the library's own.

    Modules, functions and classes cross from the kernel by reference, so identity decides. Other
    library objects (scipy.stats.norm is an instance) cross by value, so an honest one arrives as an
    equal copy: only another type counts as rebinding. Either way the test runs with the genuine one.
    """
    if dumped is genuine:
        return False
    by_reference = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    return isinstance(genuine, by_reference) or type(dumped) is not type(genuine)


def resolve(target: str):
    """'numpy' -> the module; 'builtins:len' or 'scipy:constants' -> that attribute of the module."""
    module, _, attribute = target.partition(":")
    if not attribute:
        return importlib.import_module(module)
    try:
        return importlib.import_module(f"{module}.{attribute}")
    except ImportError:
        return getattr(importlib.import_module(module), attribute)


def judge(request: dict, snapshot, libraries: LibraryModules, timeout: float) -> dict:
    """Fork a judge for one test cell and wait for its verdict, killing it after ``timeout`` seconds.

    Student code runs in the judge (the test calls it) and could write a verdict of its own to the
    pipe and end the process; so a verdict counts only if it is the only thing written, carries the
    secret made here for this test, and the process then exits by itself in time."""
    secret = os.urandom(16).hex()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.setpgrp()
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # the grader's pipe: student code must not be able to write verdicts to it
        try:
            reply = run_test(request, snapshot, libraries)
            reply["secret"] = secret
            os.write(write_end, json.dumps(reply).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            break
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    timed_out = time.monotonic() >= deadline
    os.close(read_end)
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    _, status = os.waitpid(pid, 0)
    written = b"".join(chunks)
    try:
        reply = json.loads(written)
    except ValueError:
        reply = None
    if isinstance(reply, dict) and reply.pop("secret", None) == secret and os.WIFEXITED(status) and not timed_out:
        return reply
    error = f"the test did not finish within {timeout:g} s" if timed_out else "the test process died"
    tampering = ["the test's process reported a verdict that the judge did not write"] if written else []
    return {"grade_id": request["grade_id"], "passed": False, "error": error, "stdout": "", "tampering": tampering}


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


def dumps_folder(workdir: str) -> str:
    return os.path.join(os.path.dirname(workdir.rstrip("/")), ".labgrade-dumps")


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
    """Remove everything in a folder, including what student code made unreadable or unwritable,
    except mount points (the sandbox made them); folders leading to one are emptied around it.
    Returns what is still there."""

    def allow_and_retry(function, path, _):
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)

    left = []
    for entry in os.scandir(folder):
        if entry.path in mounts:
            continue
        if entry.path in leading and entry.is_dir(follow_symlinks=False):
            left += empty(entry.path, mounts, leading)
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, onerror=allow_and_retry)
            else:
                os.unlink(entry.path)
        except OSError:
            pass
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
    """Make the sandbox as it was before any submission: no other process, fresh files, nothing left."""
    stop_everything_else()
    mounts = mount_points()
    leading = {os.path.dirname(path) for mount in mounts for path in _ancestry(mount)}
    left = [path for folder in wiped for path in empty(folder, mounts, leading)]
    workdir = os.path.join(home, "lab")
    shutil.copytree(stage, workdir)
    os.makedirs(dumps_folder(workdir))
    os.chdir(workdir)
    return {"clean": not others() and not left, "left": left[:5]}


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
    parser.add_argument("--test-timeout", type=float, default=60)
    parser.add_argument("--stage", required=True, help="the lab's released files, read-only")
    parser.add_argument("--home", required=True, help="the student's home: the lab folder and the dumps go here")
    parser.add_argument("--wipe", action="append", default=[], help="a folder emptied before each submission")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.pop("JPY_PARENT_PID", None)
    apply_limits(json.loads(args.limits))
    preload([name for name in args.preload.split(",") if name] + ["ipykernel.kernelapp"])
    guard_self()
    snapshot, libraries = guarded_functions(), LibraryModules()
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
        elif action == "stop":
            reply = {"stopped": stop_everything_else()}
        else:
            reply = judge(request, snapshot, libraries, args.test_timeout)
        answer(reply)
    stop_everything_else()


def answer(reply: dict) -> None:
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
