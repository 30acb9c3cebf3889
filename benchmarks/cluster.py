"""Time grading on a Dask cluster against the local pool, on the same batch of lab 1.

Builds N submissions (the mix benchmarks/autograde.py grades) in identical scratch courses and grades
them, sandboxed, through the local pool with 1 and with 2 workers and through a Dask cluster on
127.0.0.1 with as many workers (a real `dask scheduler` and `dask worker` processes, started before
the clock and stopped while the pool is timed). Prints the throughput of each, the cluster's overhead per submission over the local
pool with the same number of workers (target <= 10%), and whether every score is the same. The
machine may be busy with other work: each is run ``--rounds`` times, alternating, and the fastest
run counts. Beside the wall time it prints the CPU time every grading process used per submission
(this process, the pool's or the cluster's processes and all they started): other work on the machine
barely changes that figure, so the overhead in CPU is the steadier measure on a shared machine.

    .venv/bin/python benchmarks/cluster.py --submissions 40 [--workers 1 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from autograde_fixtures import LAB, make_course, mixed_batch  # noqa: E402
from dask_fixtures import DaskCluster  # noqa: E402
import psutil  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from grading.autograde import autograde  # noqa: E402


def scores(course_dir: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(LAB).submissions}


class CpuSampler(threading.Thread):
    """CPU seconds used by the grading processes while one run is timed: every 0.1 s it reads the CPU
    time of this process and of each descendant of it and of ``roots`` (the cluster's processes), and
    keeps each process's last reading, so that processes which end (kernels, pool workers) still count."""

    def __init__(self, roots: list[int]):
        super().__init__(daemon=True)
        self.roots, self.stopping, self.seen = [psutil.Process(pid) for pid in roots], threading.Event(), {}

    def sample(self) -> None:
        me = psutil.Process()
        for root in [me, *self.roots]:
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in processes:
                try:
                    times = process.cpu_times()
                    self.seen[(process.pid, process.create_time())] = times.user + times.system
                except psutil.NoSuchProcess:
                    pass

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            self.sample()

    def __enter__(self):
        self.sample()
        self.before = dict(self.seen)
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.join()
        self.sample()
        self.cpu = sum(seconds - self.before.get(key, 0.0) for key, seconds in self.seen.items())


def timed(settings, cluster: DaskCluster | None = None, **how) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one forced regrade."""
    with CpuSampler([process.pid for process in cluster.processes.values()] if cluster else []) as sampler:
        started = time.perf_counter()
        summary = autograde(settings, LAB, force=True, require_sandbox=True, progress=False, **how)
        seconds = time.perf_counter() - started
    assert not summary.failed and not summary.refused_workers, summary.describe()
    return seconds, sampler.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="numbers of workers to compare (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternating; the fastest counts (default: 2)")
    args = parser.parse_args()
    n = args.submissions
    print(f"lab1, {n} submissions, {os.cpu_count()} cores, best of {args.rounds} alternating rounds; load average before: {os.getloadavg()[0]:.1f}")
    same = True
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch:
        for workers in args.workers:
            courses = {}
            for way in ("local", "dask"):
                folder = Path(scratch) / f"{way}-{workers}"
                folder.mkdir()
                courses[way] = make_course(folder)
                mixed_batch(courses[way], n)
            local, dask = [], []
            for round in range(args.rounds):
                local.append(timed(courses["local"], workers=workers))
                with DaskCluster(Path(scratch) / f"cluster-{workers}-{round}") as cluster:  # not running while the pool is timed
                    for index in range(workers):
                        cluster.add_worker(f"worker-{index}")
                    cluster.workers(workers)
                    dask.append(timed(courses["dask"], cluster, scheduler=cluster.address))
            same = same and scores(courses["local"].course_dir) == scores(courses["dask"].course_dir)
            (best_local, local_cpu), (best_dask, dask_cpu) = min(local), min(dask)
            for name, best, cpu, runs in (("local pool", best_local, local_cpu, local), ("Dask cluster", best_dask, dask_cpu, dask)):
                print(f"{name + ',':13} {workers} worker(s): {best:7.1f} s  {60 * n / best:5.1f} submissions/min  "
                      f"{cpu / n:5.2f} CPU s per submission  (runs: {', '.join(f'{t:.1f} s / {c:.0f} CPU s' for t, c in runs)})")
            print(f"  overhead over the local pool: {(best_dask - best_local) / n:+.2f} s per submission, "
                  f"{100 * (best_dask / best_local - 1):+.1f}% in wall time; "
                  f"{100 * (min(c for _, c in dask) / min(c for _, c in local) - 1):+.1f}% in CPU time (target <= 10%)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"scores identical to the local pool's: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
