"""What the set-up steps share (`make sandbox`, `make suite-packages`): installing missing Debian packages.

Standard library only: they run with the system's Python before the venv exists. A missing package
is installed with apt-get when run as root, or through ``sudo -n`` where that needs no password;
otherwise the step stops with the one command to run. Each step keeps its own rules as a pure
``decide`` function returning a :class:`Step`; :func:`carry_out` runs the step's commands, then
probes and decides again to see whether they worked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Installer:
    """How this machine can install Debian packages."""

    apt: bool  # apt-get is here (Debian or Ubuntu)
    root: bool
    sudo: bool  # sudo -n works (no password needed)


@dataclass
class Step:
    """What to do: commands to run (each a list), then whether the step is done, and what to say."""

    commands: list[list[str]] = field(default_factory=list)
    ready: bool = False
    message: str = ""


def install_command(packages: list[str]) -> list[str]:
    return ["apt-get", "install", "-y", "-qq", *packages]


def install(packages: list[str], installer: Installer, why: str) -> Step:
    """The step that installs ``packages`` (missing here), or says how to; ``why`` names what they are for."""
    names = " ".join(packages)
    if not installer.apt:
        return Step(message=f"{names} missing and this is not Debian or Ubuntu: install the package(s) "
                    f"'{names}' with your system's package manager")
    if installer.root or installer.sudo:
        prefix = [] if installer.root else ["sudo", "-n"]
        return Step(commands=[[*prefix, "apt-get", "update", "-qq"], [*prefix, *install_command(packages)]],
                    message=f"installing {names} ({why})")
    return Step(message=f"{names} missing; install with: sudo apt-get install -y {names}")


def probe_installer() -> Installer:
    sudo = shutil.which("sudo") is not None and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0
    return Installer(shutil.which("apt-get") is not None, os.geteuid() == 0, sudo)


def carry_out(name: str, decide: Callable[[], Step]) -> int:
    """Run a set-up step: say what it decided, run its commands, then decide again; 0 when it is done."""
    step = decide()
    print(f"{name}: {step.message}", flush=True)
    if step.commands:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in step.commands:
            if subprocess.run(command, env=environment).returncode != 0:
                print(f"{name}: `{' '.join(command)}` failed", file=sys.stderr)
                return 1
        step = decide()
        print(f"{name}: {step.message}", flush=True)
    return 0 if step.ready else 1
