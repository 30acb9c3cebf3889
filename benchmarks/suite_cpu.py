"""Where the test suite's CPU goes: run a command (default: the suite as `make test` runs it) and sample every
process on the machine, printing the wall time, how busy the cores were, and CPU-seconds by kind of
process (sandboxed kernels, their launchers, judges, plain kernels, pytest...).

    .venv/bin/python benchmarks/suite_cpu.py [--interval 0.25] [--detail KIND ...] [-- COMMAND ...]

``--detail "other python"`` (any kind) also lists that kind's costliest command lines.

A process's CPU is its last sampled utime + stime, so one that lives less than an interval is missed
and each loses at most an interval's work: the figures are a floor, good to compare runs with. The
machine should be otherwise quiet: every process counts, not only the command's.

With pytest it also loads benchmarks/cpu_per_test.py and lists the costliest tests. That figure counts
only the processes a test waited for (getrusage of its children): sandboxes and judges that are killed
rather than reaped are missed, so it ranks tests but sums to less than the whole.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
KINDS = [  # (what a command line holds, its kind); the first that matches
    ("grading.student_side.launcher", "sandbox launchers"),
    ("grading.judge", "judge"),
    ("ipykernel_launcher", "plain kernel"),
    ("postgres", "postgres"),
    ("chrom", "chromium"),
    ("dask", "dask"),
    ("multiprocessing.forkserver", "grading pools"),  # the local workers (autograde's fork server and its children)
    ("exec(eval(sys.stdin.readline()))", "pytest"),  # pytest-xdist's workers (execnet)
    ("pytest", "pytest"),
    ("python", "other python"),
]


def kind_of(command: str, parent_kind: str | None) -> str:
    program = Path(command.split(" ", 1)[0]).name
    if program in ("bwrap", "setpriv"):
        return "bubblewrap"  # its arguments name the launcher it starts
    if parent_kind in ("sandbox launchers", "sandboxed kernels") and "grading.student_side.launcher" in command:
        return "sandboxed kernels"  # forked by the launcher, so the same command line
    if parent_kind == "dask" and "multiprocessing" in command:
        return "dask"  # a Dask nanny's worker process, started with multiprocessing's spawn
    return next((kind for needle, kind in KINDS if needle in command), "other")


def classify(seen: dict[tuple[int, int], tuple[int, str, float]]) -> dict[tuple[int, int], str]:
    """Each process's kind, from its last command line and its parent's kind (the parent being the
    process with that pid that started last before it)."""
    started = defaultdict(list)
    for pid, start in seen:
        started[pid].append(start)
    kinds: dict[tuple[int, int], str] = {}

    def kind(key: tuple[int, int]) -> str:
        if key not in kinds:
            parent, command, _ = seen[key]
            before = [start for start in started.get(parent, []) if start <= key[1]]
            kinds[key] = "?"  # a cycle through a reused pid ends here
            kinds[key] = kind_of(command, kind((parent, max(before))) if before else None)
        return kinds[key]

    for key in sorted(seen, key=lambda key: key[1]):
        kind(key)
    return kinds


def read_processes() -> dict[tuple[int, int], tuple[int, str, float]]:
    """(pid, start time) -> (parent pid, command line, CPU seconds so far)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent, cpu, started = int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, int(fields[19])
        found[(int(entry), started)] = (parent, command, cpu)
    return found


def busy_ticks() -> tuple[int, int]:
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--top", type=int, default=25, help="how many of the costliest tests to list")
    parser.add_argument("--detail", action="append", default=[], metavar="KIND",
                        help="also list a kind's costliest command lines, grouped by their first 100 characters")
    parser.add_argument("command", nargs="*", default=[str(ROOT / ".venv/bin/pytest"), "-n", "auto", "-q", "-p", "no:cacheprovider"])
    args = parser.parse_args()
    per_test = Path(tempfile.mkdtemp(prefix="suite-cpu-")) / "tests.jsonl"
    environment = {**os.environ, "CPU_PER_TEST": str(per_test),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")]))}
    if "pytest" in Path(args.command[0]).name:
        args.command[1:1] = ["-p", "cpu_per_test"]
    seen: dict[tuple[int, int], tuple[int, str, float]] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for key, (parent, command, cpu) in read_processes().items():
                # the latest command line (a process may exec another program), but not a zombie's empty one
                seen[key] = (parent, command or seen.get(key, (0, "", 0))[1], cpu)
            time.sleep(args.interval)

    before = read_processes()
    sampler = threading.Thread(target=sample, daemon=True)
    busy0, total0 = busy_ticks()
    began = time.monotonic()
    sampler.start()
    returncode = subprocess.call(args.command, cwd=ROOT, env=environment)
    wall = time.monotonic() - began
    done.set()
    sampler.join()
    busy1, total1 = busy_ticks()
    kinds = classify(seen)
    spent = defaultdict(float)
    counts = defaultdict(int)
    for key, (_, _, cpu) in seen.items():
        if key[0] == os.getpid():
            continue
        spent[kinds[key]] += cpu - (before[key][2] if key in before else 0.0)
        counts[kinds[key]] += key not in before
    cores = os.cpu_count()
    print(f"\nwall {wall:.0f} s on {cores} cores; cores busy {100 * (busy1 - busy0) / max(1, total1 - total0):.0f} %; "
          f"CPU {(busy1 - busy0) / TICKS:.0f} s in all; exit status {returncode}")
    print(f"{'CPU s':>8}  {'processes':>9}  kind")
    for kind, cpu in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{cpu:8.0f}  {counts[kind]:9d}  {kind}")
    for kind in args.detail:
        grouped = defaultdict(lambda: [0.0, 0])
        for key, (_, command, cpu) in seen.items():
            if key[0] != os.getpid() and kinds[key] == kind:
                grouped[command[:100]][0] += cpu - (before[key][2] if key in before else 0.0)
                grouped[command[:100]][1] += 1
        print(f"\n{kind}: the costliest command lines")
        for command, (cpu, count) in sorted(grouped.items(), key=lambda item: -item[1][0])[: args.top]:
            print(f"{cpu:8.1f}  {count:5d}  {command}")
    if per_test.is_file():
        tests = [json.loads(line) for line in per_test.read_text(encoding="utf-8").splitlines()]
        print(f"\nCPU s by test (its own and its processes'), {len(tests)} tests, {sum(t['cpu'] for t in tests):.0f} s in all; the {args.top} costliest:")
        for test in sorted(tests, key=lambda t: -t["cpu"])[: args.top]:
            print(f"{test['cpu']:8.1f}  {test['test']}")
        modules = defaultdict(float)
        for test in tests:
            modules[test["test"].split("::")[0]] += test["cpu"]
        print("\nby module:")
        for module, cpu in sorted(modules.items(), key=lambda item: -item[1]):
            print(f"{cpu:8.0f}  {module}")
    sys.exit(returncode)


if __name__ == "__main__":
    main()
