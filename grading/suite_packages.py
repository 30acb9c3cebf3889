"""`make suite-packages` (part of `make test`): the system packages the test suite needs, besides the sandbox.

Run with the system's Python before the venv exists (standard library only): ``python3 -m
grading.suite_packages``. On Debian or Ubuntu it asks dpkg which of ``PACKAGES`` are missing and
installs them (see system_packages.py); where there is no dpkg it cannot tell, so it names them and
goes on: a test that needs one fails saying what is missing. ``decide`` holds the rules; ``main``
only probes the machine and carries them out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass

from .system_packages import Installer, Step, carry_out, install, probe_installer

# Debian package -> what the tests use it for.
PACKAGES = {
    "postgresql": "the PostgreSQL server the gradebook test starts (tests/test_postgres.py)",
    "chromium": "the headless browser that opens formgrader on a graded course (tests/test_formgrader.py)",
    "chromium-driver": "chromedriver, through which Selenium drives that browser",
}


@dataclass(frozen=True)
class Machine:
    """What the probes found: the missing packages (None where there is no dpkg to ask), and how to install."""

    missing: list[str] | None
    installer: Installer


def decide(machine: Machine) -> Step:
    if machine.missing is None:
        wanted = "; ".join(f"{name} ({why})" for name, why in PACKAGES.items())
        return Step(ready=True, message=f"not Debian or Ubuntu, so not checked: the tests need {wanted}")
    if not machine.missing:
        return Step(ready=True, message=f"installed: {', '.join(PACKAGES)}")
    return install(machine.missing, machine.installer, "; ".join(PACKAGES[name] for name in machine.missing))


def installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "--show", "--showformat=${Status}", package], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.split()[-1:] == ["installed"]


def probe() -> Machine:
    if shutil.which("dpkg-query") is None:
        return Machine(None, probe_installer())
    return Machine([package for package in PACKAGES if not installed(package)], probe_installer())


def main() -> int:
    return carry_out("make suite-packages", lambda: decide(probe()))


if __name__ == "__main__":
    sys.exit(main())
