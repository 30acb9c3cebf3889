"""Time grading on a Dask cluster against the local pool, on the same batch of lab 1.

Builds N submissions (the mix benchmarks/autograde.py grades) in identical scratch courses and grades
them, sandboxed, through the local pool with 1 and with 2 workers and through a Dask cluster on
127.0.0.1 with as many workers (a real `dask scheduler` and `dask worker` processes, started before
the clock and stopped while the pool is timed). Prints the throughput of each, the cluster's overhead per submission over the local
pool with the same number of workers (target <= 10%), and whether every score is the same. The
machine may be busy with other work: each is run ``--rounds`` times, alternating, and the fastest
run counts.

    .venv/bin/python benchmarks/cluster.py --submissions 40 [--workers 1 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from autograde_fixtures import LAB, make_course, mixed_batch  # noqa: E402
from dask_fixtures import DaskCluster  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from grading.autograde import autograde  # noqa: E402


def scores(course_dir: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(LAB).submissions}


def timed(settings, **how) -> float:
    started = time.perf_counter()
    summary = autograde(settings, LAB, force=True, require_sandbox=True, progress=False, **how)
    seconds = time.perf_counter() - started
    assert not summary.failed and not summary.refused_workers, summary.describe()
    return seconds


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
                    dask.append(timed(courses["dask"], scheduler=cluster.address))
            same = same and scores(courses["local"].course_dir) == scores(courses["dask"].course_dir)
            best_local, best_dask = min(local), min(dask)
            print(f"local pool, {workers} worker(s):   {best_local:7.1f} s  {60 * n / best_local:5.1f} submissions/min  (runs: {', '.join(f'{t:.1f}' for t in local)})")
            print(f"Dask cluster, {workers} worker(s): {best_dask:7.1f} s  {60 * n / best_dask:5.1f} submissions/min  (runs: {', '.join(f'{t:.1f}' for t in dask)})")
            print(f"  overhead over the local pool: {(best_dask - best_local) / n:+.2f} s per submission, "
                  f"{100 * (best_dask / best_local - 1):+.1f}% (target <= 10%)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"scores identical to the local pool's: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
