"""The judge: runs the instructor's test cells and forms every verdict, where student code never runs.

It runs outside the sandbox as ``python -m grading.judge``, one per grading worker, and imports the
lab's libraries once. For each test cell it binds a fresh socket in the sandbox's runtime folder, says
so, and forks a child that runs the test cell's code (hidden tests included) with the genuine
libraries and builtins. Every name the test reads that the instructor's own imports do not provide is
asked of the student's kernel through that socket (remote.py), and comes back as plain data or as a
proxy; student code cannot reach this process, its memory or its verdict, and the test code itself
never travels to the kernel.

A lab's data cells marked ``"labgrade": {"pristine": true}`` in source/ are run here too, once per
judge, with the instructor's code and the lab's released files: tests read them as ``pristine.X_train``,
references no answer can rebind or change in place (the student's kernel runs its own copy).

The verdict is the judge's own record of where the test stopped: the line of the test cell (its
number, from this process's traceback of code it compiled) and whether that line is a visible or a
hidden test. Feedback and reports read that record, never text that student code printed.

Protocol with the worker: one JSON request per line on stdin, one JSON reply per line on stdout
(``{"ready": true}`` first; then for each test ``{"listening": true}`` and its verdict).
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import hashlib
import importlib
import io
import json
import os
import resource
import select
import signal
import socket
import sys
import time
import types

from .markers import HIDDEN_BEGIN, HIDDEN_END, region_numbers
from .remote import TEST_MODULE, Channel

OUTPUT_LIMIT = 20_000  # characters of a test's printed output kept for the autograded notebook
TEST_FILE = "<test cell>"
PRISTINE_FILE = "<pristine cells>"


class TestNamespace(dict):
    """The globals of one test: the instructor's imports (genuine), builtins (genuine, never the
    notebook's own), and any other name fetched from the student's kernel on first use."""

    def __init__(self, channel: Channel, trusted: dict[str, str], pristine):
        super().__init__(__builtins__=builtins, __name__=TEST_MODULE, pristine=pristine)
        self.channel, self.trusted = channel, trusted

    def __missing__(self, name: str):
        if name in self.trusted:
            value = resolve(self.trusted[name])
        elif hasattr(builtins, name):
            raise KeyError(name)
        else:
            try:
                value = self.channel.ask("get", name)
            except NameError:
                raise KeyError(name) from None
        self[name] = value
        return value


def resolve(target: str):
    """'numpy' -> the module; 'scipy:constants' or 'sklearn.metrics:r2_score' -> that attribute."""
    module, _, attribute = target.partition(":")
    if not attribute:
        return importlib.import_module(module)
    try:
        return importlib.import_module(f"{module}.{attribute}")
    except ImportError:
        return getattr(importlib.import_module(module), attribute)


class PristineFailed:
    """``pristine`` when the lab's pristine cells raised: every test that reads it fails and says why."""

    def __init__(self, error: BaseException):
        self.error = f"the lab's pristine cells failed in the judge: {type(error).__name__}: {error}"

    def __getattr__(self, name: str):
        raise RuntimeError(self.error)


_PRISTINE: dict[str, object] = {}  # hash of the pristine code -> its namespace, made once per judge


def pristine_namespace(code: str):
    """The names the lab's pristine cells bind, run here in the judge (instructor code, genuine
    libraries, the lab's released files), once per judge; each test's child gets its own copy-on-write
    view, so a test cannot spoil them for the next."""
    key = hashlib.sha256(code.encode()).hexdigest()
    if key not in _PRISTINE:
        names = {"__builtins__": builtins, "__name__": "__pristine__"}
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, PRISTINE_FILE, "exec"), names)
            _PRISTINE[key] = types.SimpleNamespace(**{k: v for k, v in names.items() if not k.startswith("__")})
        except Exception as error:  # noqa: BLE001 (reported by each test that reads it)
            _PRISTINE[key] = PristineFailed(error)
    return _PRISTINE[key]


def failing_line(traceback) -> int | None:
    """The line of the test cell's own top-level code that was running when it failed."""
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEST_FILE:
            return traceback.tb_lineno
        traceback = traceback.tb_next
    return None


def where_it_failed(code: str, line: int | None) -> dict:
    """The failing line, and whether students can see it: for a visible line, its text and its number
    in the released cell (hidden regions, markers included, are not there)."""
    hidden = region_numbers(code, HIDDEN_BEGIN, HIDDEN_END)
    if line is None or line in hidden:
        return {"line": line, "part": "hidden" if line else None}
    lines = code.splitlines()
    markers = {n for n, text in enumerate(lines, start=1) if text.strip() in (HIDDEN_BEGIN, HIDDEN_END)}
    return {"line": line, "part": "visible", "code": lines[line - 1].strip(),
            "released_line": line - sum(1 for n in hidden | markers if n < line)}


def run_test(request: dict, listener: socket.socket, libraries: set[str], pristine) -> dict:
    """Run one test cell against the student's kernel; the verdict as plain JSON-ready data."""
    channel = Channel(listener, request["timeout"], libraries)
    namespace = TestNamespace(channel, request["trusted"], pristine)
    verdict = {"grade_id": request["grade_id"], "passed": False, "error": None, "line": None, "part": None, "stdout": ""}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(request["code"], TEST_FILE, "exec"), namespace)
        verdict["passed"] = True
    except BaseException as error:  # noqa: BLE001 (whatever the test raised, it failed there)
        verdict |= where_it_failed(request["code"], failing_line(error.__traceback__))
        verdict["error"] = f"{type(error).__name__}: {error}"[:1000].rstrip(": ")
    finally:
        channel.close()
    verdict["stdout"] = printed.getvalue()[:OUTPUT_LIMIT]
    verdict["refused"] = channel.refusals[:5]
    return verdict


def judge(request: dict, libraries: set[str], memory: int) -> dict:
    """Bind the test's socket, say so, then run the test in a child killed after its time is up."""
    pristine = pristine_namespace(request.get("pristine", ""))
    path = request["socket"]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o777)  # the sandbox's user connects to it
    listener.listen(1)
    answer({"listening": True})
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            os.write(write_end, json.dumps(run_test(request, listener, libraries, pristine)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    listener.close()
    written, deadline = b"", time.monotonic() + request["timeout"]
    while (left := deadline - time.monotonic()) > 0 and select.select([read_end], [], [], left)[0]:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        written += chunk
    timed_out = time.monotonic() >= deadline
    os.close(read_end)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    if written and not timed_out:
        return json.loads(written)
    error = f"the test did not finish within {request['timeout']:g} s" if timed_out else "the test's process died"
    return {"grade_id": request["grade_id"], "passed": False, "error": error, "line": None, "part": None, "stdout": "", "refused": []}


def answer(reply: dict) -> None:
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", default="", help="modules to import once, before any test")
    parser.add_argument("--libraries", default="", help="the lab's libraries, whose objects are the judge's own (default: --preload)")
    parser.add_argument("--memory", type=int, default=4 * 2**30, help="address-space limit of each test, bytes")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    modules = [name for name in args.preload.split(",") if name]
    for name in modules:
        with contextlib.suppress(Exception):  # the test that needs it fails and says why
            importlib.import_module(name)
    lab = [name for name in args.libraries.split(",") if name] or modules
    libraries = {name.split(".")[0] for name in lab} | {"math", "statistics", "fractions", "decimal", "collections"}
    answer({"ready": True})
    for line in sys.stdin:
        answer(judge(json.loads(line), libraries, args.memory))


if __name__ == "__main__":
    main()
