"""Fresh Python environments for the student-side benchmarks: built once with pip (the only time the
network is needed), reused while their requirements are unchanged. Python 3.11 and 3.12 from pyenv by
default; give another interpreter with --python."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = {"3.11": "/root/.pyenv/versions/3.11.7/bin/python3", "3.12": "/root/.pyenv/versions/3.12.1/bin/python3"}
HOME = Path("/tmp/labgrade-envs")


def student_requirements() -> dict[str, str]:
    """requirements-student.txt as the set-up cells read it (library -> versions)."""
    from grading.lab_cells import student_requirements as read

    return read(ROOT)


def grader_pins(*names: str) -> list[str]:
    """These libraries as requirements.txt pins them."""
    lines = (ROOT / "requirements.txt").read_text().split()
    return [line for line in lines if line.split("==")[0].lower() in {name.lower() for name in names}]


def build(name: str, python: str, requirements: list[str], fresh: bool = False) -> tuple[Path, float | None]:
    """A venv at HOME/name with these requirements installed; its python, and the seconds pip took
    (None when an environment with the same requirements was already there)."""
    folder, marker = HOME / name, HOME / name / "labgrade-requirements.json"
    wanted = json.dumps({"python": python, "requirements": requirements})
    if not fresh and marker.is_file() and marker.read_text() == wanted:
        return folder / "bin" / "python", None
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    started = time.perf_counter()
    done = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           *requirements], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"pip could not build {folder} with {requirements}:\n{done.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    marker.write_text(wanted)
    return folder / "bin" / "python", seconds


def versions(python: Path, names: list[str]) -> dict[str, str | None]:
    """The version of each library installed in that environment."""
    code = ("import importlib.metadata as m, json, sys\n"
            "def v(n):\n try: return m.version(n)\n except m.PackageNotFoundError: return None\n"
            "print(json.dumps({n: v(n) for n in sys.argv[1:]}))")
    return json.loads(subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True, check=True).stdout)


def setup_cell_says(python: Path, wanted: dict[str, str], environment: dict[str, str] | None = None) -> str:
    """What the labs' set-up cell prints in that environment (not on Colab, not marked), checking ``wanted``."""
    from grading.lab_cells import setup_code

    code = setup_code(wanted, student_requirements())
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=environment or {"PATH": "/usr/bin:/bin"})
    return (done.stdout + done.stderr).strip()
