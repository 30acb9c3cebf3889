"""Inside the sandbox: the clean process that starts a student's kernel and judges its test cells.

It runs as ``python -m grading.judge`` under bubblewrap (see sandbox.py) and imports only the
standard library at start. Before any student code runs it applies the resource limits and imports
the lab's libraries; then it forks:

- the student's Jupyter kernel (ipykernel, ipc transport), driven by the grader through nbclient;
- for every test cell, a judge process forked from this clean state, never from the kernel. Before
  each test cell the kernel dumps its namespace (``dump``); the judge loads that dump and runs the
  instructor's test cell against it with genuine numpy, builtins and no IPython machinery, so
  transformers, trace functions, hooks and patches made in the kernel cannot reach the verdict.
  What student code does while the test runs (it calls the student's functions) is watched: an audit
  hook refuses trace functions, new audit hooks, garbage-collector and frame scans, forks and
  subprocesses, and any library function replaced during the test fails it and is reported.

Protocol with the grader: one JSON request per line on stdin, one JSON reply per line on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
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


def run_test(request: dict, snapshot) -> dict:
    """In a fresh fork: load the dumped namespace, restore what the test relies on, run the test."""
    refused: list[str] = []

    def audit(event, args, _refused=refused, _events=REFUSED_EVENTS):
        if event in _events or event.startswith("os.exec") or event.startswith("os.spawn"):
            _refused.append(event)
            raise RuntimeError(f"{event} is not allowed while grading")

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


def judge(request: dict, snapshot, timeout: float) -> dict:
    """Fork a judge for one test cell and wait for its verdict, killing it after ``timeout`` seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.setpgrp()
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # the grader's pipe: student code must not be able to write verdicts to it
        try:
            reply = run_test(request, snapshot)
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
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        error = f"the test did not finish within {timeout:g} s" if timed_out else "the test process died"
        return {"grade_id": request["grade_id"], "passed": False, "error": error, "stdout": "", "tampering": []}


def start_kernel(connection_file: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["ipykernel_launcher", "-f", connection_file]
    try:
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance()
    finally:
        os._exit(1)


def dumps_folder(workdir: str) -> str:
    return os.path.join(os.path.dirname(workdir.rstrip("/")), ".labgrade-dumps")


def stop_everything_else() -> int:
    """Kill every other process in the sandbox's PID namespace (the kernel and anything it started)."""
    killed = 0
    for _ in range(100):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
        if not others:
            break
        for pid in others:
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


def kernel_alive(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


def undumpable() -> None:
    """Keep the kernel, which runs as the same user, out of this process's memory and file descriptors."""
    import ctypes

    PR_SET_DUMPABLE = 4
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connection-file", required=True)
    parser.add_argument("--preload", default="")
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--test-timeout", type=float, default=60)
    parser.add_argument("--stage", required=True, help="the lab's released files, read-only")
    parser.add_argument("--workdir", required=True, help="where the student's copy of them goes")
    args = parser.parse_args()
    shutil.copytree(args.stage, args.workdir, dirs_exist_ok=True)
    os.makedirs(dumps_folder(args.workdir), exist_ok=True)
    os.chdir(args.workdir)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.pop("JPY_PARENT_PID", None)
    apply_limits(json.loads(args.limits))
    preload([name for name in args.preload.split(",") if name])
    undumpable()
    snapshot = guarded_functions()
    kernel = start_kernel(args.connection_file)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("action") == "alive":
            reply = {"alive": kernel_alive(kernel)}
        elif request.get("action") == "stop":
            reply = {"stopped": stop_everything_else()}
        else:
            reply = judge(request, snapshot, args.test_timeout)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    stop_everything_else()


if __name__ == "__main__":
    main()
