"""A real Dask cluster on 127.0.0.1: a `dask scheduler` and `dask worker` processes, each in a folder
of its own (no shared working folder), importing this checkout's grading package."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
from distributed import Client

from labharness import ROOT

DASK = [sys.executable, "-m", "dask"]
PRELOAD = ["--preload", "grading.cluster"]  # imported at start, not by the first check of each run
STARTUP_SECONDS = 120


class DaskCluster:
    """Start with ``with DaskCluster(folder) as cluster:``; ``add_worker`` as many as wanted."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.address = ""

    def __enter__(self) -> DaskCluster:
        scheduler_file = self.folder / "scheduler.json"
        # --idle-timeout: a scheduler a killed test leaves behind stops by itself
        self._start("scheduler", [*DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(scheduler_file), "--idle-timeout", "900", *PRELOAD], checkout())
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.address:
            assert time.monotonic() < deadline and self.processes["scheduler"].poll() is None, self.log("scheduler")
            if scheduler_file.is_file():
                self.address = json.loads(scheduler_file.read_text() or "{}").get("address", "")
            time.sleep(0.1)
        return self

    def add_worker(self, name: str, *options: str, environment: dict | None = None) -> None:
        """A `dask worker` (with its nanny) as the README says to start one: one thread, labgrade's Dask settings,
        the grading package imported at start (unless ``options`` and ``environment`` say otherwise)."""
        self._start(name, [*DASK, "worker", self.address, "--name", name, "--nworkers", "1", "--no-dashboard",
                           "--local-directory", str(self.folder / name / "scratch"), "--death-timeout", "60", *PRELOAD,
                           *(options or ["--nthreads", "1"])], checkout(environment))

    def _start(self, name: str, command: list[str], environment: dict | None = None) -> None:
        (self.folder / name).mkdir(parents=True, exist_ok=True)
        with open(self.folder / name / "log", "wb") as log:
            self.processes[name] = subprocess.Popen(command, cwd=self.folder / name, stdout=log, stderr=subprocess.STDOUT,
                                                    env=environment, start_new_session=True)

    def log(self, name: str) -> str:
        return (self.folder / name / "log").read_text(errors="replace")[-3000:]

    def workers(self, count: int) -> dict[str, tuple[str, int]]:
        """Once ``count`` workers have joined: name -> (address, pid of the worker process)."""
        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=STARTUP_SECONDS)
            names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
            return {names[address]: (address, pid) for address, pid in client.run(os.getpid).items()}

    def __exit__(self, *exc) -> None:
        """Stop as an operator would (SIGTERM to each nanny, then the scheduler); kill what is left."""
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def checkout(environment: dict | None = None) -> dict:
    """This process's environment with this checkout's grading package first on the import path
    (the scheduler unpickles the tasks, so it needs the package too) and labgrade's Dask settings
    (grading/dask-config), plus ``environment``."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "DASK_CONFIG": str(ROOT / "grading" / "dask-config"), **(environment or {})}


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def gone_within(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """Those of ``processes`` still running after ``seconds`` (waited for, not killed)."""
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    return alive
