"""Every lab's solution notebook, with all its tests (hidden ones too), in a fresh Python 3.11
environment holding the lowest versions requirements-student.txt allows and the pinned materials
libraries: proof that the tests' tolerances hold at the bottom of the ranges students may have.

Usage: .venv/bin/python benchmarks/lower_bounds.py [--python PATH] [--fresh] [LAB ...]
The environment is built with pip the first time (network needed then, a few minutes) and reused;
the labs run offline, as when marked (the shared cells stand aside), each in a fresh kernel. Prints
the versions, what the labs' set-up cell says there, and per lab: time, points and verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import venvs
from venvs import ROOT

RUN = r"""
import json, sys, time
from pathlib import Path
from grading.notebooks import execute, read_notebook, score
path = Path(sys.argv[1])
started = time.perf_counter()
result = score(execute(read_notebook(path), cwd=path.parent, timeout=120))
print(json.dumps({"seconds": time.perf_counter() - started, "points": str(result.total),
                  "max_points": str(result.max_total), "errors": result.errors}))
"""


def lowest(requirements: dict[str, str]) -> list[str]:
    """Each library at the lowest version its requirement allows (pins as pinned)."""
    return [name + "==" + versions.split(">=")[1].split(",")[0] if ">=" in versions else name + versions
            for name, versions in requirements.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", metavar="LAB")
    parser.add_argument("--python", default=venvs.PYTHONS["3.11"], help="the interpreter to build the environment from")
    parser.add_argument("--fresh", action="store_true", help="rebuild the environment even if it is there")
    args = parser.parse_args()
    requirements = venvs.student_requirements()
    kernel = venvs.grader_pins("ipykernel", "nbclient", "nbformat", "traitlets")
    python, seconds = venvs.build("lower-bounds", args.python, lowest(requirements) + kernel, args.fresh)
    built = f"built in {seconds:.0f} s" if seconds is not None else "reused"
    print(f"environment {python.parent.parent} ({built}):")
    print("  " + ", ".join(f"{name} {version}" for name, version in venvs.versions(python, list(requirements)).items()))
    print("the labs' set-up cell says there:")
    print("  " + venvs.setup_cell_says(python, requirements).replace("\n", "\n  "))
    labs = args.labs or sorted((p.parent.name for p in ROOT.glob("source/lab*/lab*.ipynb")), key=lambda n: int(n[3:]))
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    print(f"{'lab':<6}{'seconds':>9}{'points':>10}  verdict")
    failed = 0
    for lab in labs:
        started = time.perf_counter()
        notebook = ROOT / "source" / lab / f"{lab}.ipynb"
        done = subprocess.run([str(python), "-c", RUN, str(notebook)], capture_output=True, text=True, cwd=ROOT, env=environment)
        if done.returncode:
            failed += 1
            print(f"{lab:<6}{time.perf_counter() - started:>9.1f}{'':>10}  COULD NOT RUN: {done.stderr.strip()[-400:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        failed += bool(row["errors"])
        verdict = "all tests pass" if not row["errors"] else f"FAILING {row['errors']}"
        print(f"{lab:<6}{row['seconds']:>9.1f}{row['points']:>5}/{row['max_points']:<4}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
