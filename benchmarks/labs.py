"""Time and peak memory of each lab's solution notebook, executed as the release check executes it.

Usage: .venv/bin/python benchmarks/labs.py [LAB ...]
Each lab runs in a fresh process; peak memory is the kernel's maximum resident set size (the kernel is
that process's child). Targets from the lab standard: at most 20 s and below 1.5 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S, MEMORY_LIMIT_MB = 20.0, 1536.0

MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
from grading.notebooks import execute, read_notebook, score
path = Path(sys.argv[1])
start = time.perf_counter()
result = score(execute(read_notebook(path), cwd=path.parent))
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "points": str(result.total),
                  "max_points": str(result.max_total), "errors": result.errors}))
"""


def measure(lab: str) -> dict:
    notebook = ROOT / "source" / lab / f"{lab}.ipynb"
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(notebook)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(labs: list[str]) -> int:
    labs = labs or sorted((p.parent.name for p in ROOT.glob("source/lab*/lab*.ipynb")), key=lambda n: int(n[3:]))
    print(f"{'lab':<6}{'seconds':>9}{'peak MB':>9}{'points':>10}  verdict")
    over = 0
    for lab in labs:
        started = time.perf_counter()
        row = measure(lab)
        ok = row["seconds"] <= TIME_LIMIT_S and row["peak_mb"] < MEMORY_LIMIT_MB and not row["errors"]
        over += not ok
        verdict = "ok" if ok else f"OVER LIMIT or failing {sorted(row['errors'])}"
        print(f"{lab:<6}{row['seconds']:>9.1f}{row['peak_mb']:>9.0f}{row['points']:>5}/{row['max_points']:<4}  {verdict}"
              f"  (process {time.perf_counter() - started:.1f} s)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
