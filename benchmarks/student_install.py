"""requirements-student.txt installs into fresh environments on Python 3.11 and 3.12, and gives the
lab libraries at the versions the labs are graded with.

Usage: .venv/bin/python benchmarks/student_install.py [--fresh]
Builds (or reuses) one venv per Python with exactly what a student types, `pip install -r
requirements-student.txt`, timing it; then imports every lab library there and prints what the labs'
set-up cell says in it (not on Colab, not marked). Needs the network to build; not part of make test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import venvs
from venvs import ROOT

IMPORTS = "import pymatgen.core, matminer, smact, numpy, pandas, scipy, sklearn, matplotlib.pyplot, threadpoolctl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the environments even if they are there")
    args = parser.parse_args()
    requirements = venvs.student_requirements()
    failed = 0
    for version, interpreter in venvs.PYTHONS.items():
        python, seconds = venvs.build(f"student-{version}", interpreter, ["-r", str(ROOT / "requirements-student.txt")], args.fresh)
        built = f"pip install -r requirements-student.txt took {seconds:.0f} s" if seconds is not None else "reused"
        imported = subprocess.run([str(python), "-c", IMPORTS], capture_output=True, text=True, env={"MPLBACKEND": "Agg"})
        says = venvs.setup_cell_says(python, requirements)
        ok = imported.returncode == 0 and "as in the grading environment" in says
        failed += not ok
        print(f"Python {version} ({built}): {'ok' if ok else 'FAILED'}")
        print("  imports: " + ("all lab libraries import" if imported.returncode == 0 else imported.stderr.strip()[-400:]))
        print("  set-up cell: " + says.replace("\n", "\n  "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
