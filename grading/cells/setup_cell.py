#@title Set-up: this lab's libraries (run this cell first)
"""Make sure this lab runs on the libraries it is marked with.

On Google Colab this cell installs the lab's libraries that are missing or of another version (once
per Colab session, about a minute). Everywhere it then compares the installed versions with the ones
the lab is graded with and says plainly what differs. When the lab is marked it does nothing.
The same cell opens every lab (its master copy is grading/cells/setup_cell.py).
"""

# labgrade release sets these for each lab, from requirements-student.txt.
# The libraries this lab imports, and the versions it is graded and tested with:
LAB_LIBRARIES = {}
# Every library of the labs, as pip reads it: holds what pip installs alongside to those versions.
PINS = []
# (end of what labgrade release sets)

import importlib
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile

GRADING_MARKER = "LABGRADE_GRADING"  # set to "1" where labgrade grades this notebook


def release_of(version):
    """(2, 4, 6, 0) from "2.4.6" or "2.4.6rc1": the numeric release, padded for comparison."""
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    parts = [int(part) for part in numbers.group(0).split(".")] if numbers else [0]
    return tuple(parts + [0] * (4 - len(parts)))


def fits(version, versions):
    """Whether a version meets a requirement such as "==2026.10.24" or ">=1.26.4,<=2.4.6"."""
    checks = {"==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}
    for part in versions.split(","):
        operator, wanted = part.strip()[:2], part.strip()[2:]
        if not checks[operator](release_of(version), release_of(wanted)):
            return False
    return True


def graded_version(versions):
    """The version the grader runs: the pin, or the top of a range."""
    return re.search(r"(?:==|<=)\s*([^,]+)", versions).group(1)


def to_install(on_colab, installed, wanted):
    """The requirements to install: on Colab only, each wanted library that is missing or of a version
    outside its requirement. ``installed`` maps a library to its version or None."""
    if not on_colab:
        return []
    return [name + versions for name, versions in wanted.items() if installed.get(name) is None or not fits(installed[name], versions)]


def report(installed, wanted, replaced, on_colab):
    """What to tell the student: each library that differs from the grading environment (and how much
    that matters), the restart a replaced library needs, and the libraries that are as graded."""
    lines, same = [], []
    for name, versions in wanted.items():
        have, graded = installed.get(name), graded_version(versions)
        if have is None:
            fix = "" if on_colab else f': run %pip install "{name}{versions}" in a new cell, then restart the kernel'
            lines.append(f"{name} is not installed{fix}.")
        elif not fits(have, versions):
            fix = "" if on_colab else f': to match, run %pip install "{name}{versions}" and restart the kernel'
            lines.append(f"{name} is {have} here, but the lab is graded with {graded} (and tested on {versions}); "
                         f"your results may differ from the marker's{fix}.")
        elif release_of(have) != release_of(graded):
            lines.append(f"{name} is {have} here, the lab is graded with {graded}: this lab's tests pass on both "
                         f"({versions}), so that should make no difference.")
        else:
            same.append(f"{name} {have}")
    if replaced:
        changes = ", ".join(f"{name} {old} -> {new}" for name, (old, new) in replaced.items())
        lines.append(f"Replaced {changes}: restart now (Runtime > Restart session), then run the notebook from the "
                     "top again (Runtime > Run all).")
    if same:
        lines.append(("Set-up: " if len(same) == len(wanted) else "As graded: ") + ", ".join(same)
                     + (" as in the grading environment." if len(same) == len(wanted) else "."))
    return lines


def installed_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def pip_install(requirements, pins):
    """Install quietly with pip, every lab library held to its version; returns pip's complaint or ''."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(pins) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--constraint", constraints.name, *requirements],
                          capture_output=True, text=True)
    os.unlink(constraints.name)
    importlib.invalidate_caches()
    return "" if done.returncode == 0 else (done.stderr or done.stdout).strip()[-800:]


def main(environ=os.environ, modules=sys.modules, version_of=installed_version, install=pip_install):
    if environ.get(GRADING_MARKER) == "1":
        return
    on_colab = "google.colab" in modules or "COLAB_RELEASE_TAG" in environ
    everything = [re.match(r"[A-Za-z0-9_.\-]+", pin).group(0) for pin in PINS]
    before = {name: version_of(name) for name in dict.fromkeys([*LAB_LIBRARIES, *everything])}
    needed = to_install(on_colab, before, LAB_LIBRARIES)
    after = before
    if needed:
        print("Installing", ", ".join(needed), "for this lab (about a minute, once per Colab session) ...", flush=True)
        problem = install(needed, PINS)
        if problem:
            print("pip could not install them:", problem)
        after = {name: version_of(name) for name in before}
    replaced = {name: (before[name], after[name]) for name in before if before[name] and after[name] != before[name]}
    print("\n".join(report(after, LAB_LIBRARIES, replaced, on_colab)))


if __name__ == "__main__":
    main()
