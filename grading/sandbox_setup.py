"""`make sandbox`: make sure the sandbox autograde runs kernels in is installed here, and works.

Run with the system's Python before the venv exists (standard library only): ``python3 -m
grading.sandbox_setup``. Present and working, it does nothing. Missing on Debian or Ubuntu, it
installs the package ``bubblewrap`` with apt-get when run as root, or through ``sudo -n`` where that
needs no password. Otherwise, or when bubblewrap is there but this kernel or container will not let
it make a sandbox, it says why and the one command to run, and exits 1. ``decide`` holds the rules;
``main`` only probes the machine and carries them out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

PACKAGE = "bubblewrap"
INSTALL = ["apt-get", "install", "-y", "-qq", PACKAGE]
# The smallest sandbox autograde's needs: its own PID, network and mount namespaces.
PROBE = ["bwrap", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]


@dataclass(frozen=True)
class Machine:
    """What the probes found."""

    linux: bool
    bwrap: bool  # the command is on PATH
    works: bool  # and it made a sandbox
    root: bool
    sudo: bool  # sudo -n works (no password needed)
    apt: bool
    why: str = ""  # what bubblewrap said when it failed


@dataclass
class Step:
    """What to do: commands to run (each a list), then whether the sandbox is ready, and what to say."""

    commands: list[list[str]] = field(default_factory=list)
    ready: bool = False
    message: str = ""


def decide(machine: Machine) -> Step:
    if not machine.linux:
        return Step(message="the sandbox needs Linux (bubblewrap); on this system `make demo` runs unsandboxed, "
                    "and real grading must run on a Linux machine with bubblewrap")
    if machine.bwrap and machine.works:
        return Step(ready=True, message="bubblewrap works here")
    if machine.bwrap:
        return Step(message=f"bubblewrap is installed but cannot make a sandbox here ({machine.why.strip() or 'no reason given'}): "
                    "this kernel or container forbids unprivileged user namespaces. Allow them "
                    "(`sudo sysctl -w kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04 "
                    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`), or grade on another machine")
    if not machine.apt:
        return Step(message=f"bubblewrap is missing and this is not Debian or Ubuntu: install the package "
                    f"'{PACKAGE}' with your system's package manager")
    if machine.root or machine.sudo:
        prefix = [] if machine.root else ["sudo", "-n"]
        return Step(commands=[[*prefix, "apt-get", "update", "-qq"], [*prefix, *INSTALL]],
                    message="installing bubblewrap (the sandbox student code is graded in)")
    return Step(message=f"bubblewrap is missing; install it with: sudo apt-get install -y {PACKAGE}")


def probe() -> Machine:
    linux = sys.platform == "linux"
    bwrap = linux and shutil.which("bwrap") is not None
    works, why = False, ""
    if bwrap:
        done = subprocess.run(PROBE, capture_output=True, text=True)
        works, why = done.returncode == 0, done.stderr
    sudo = shutil.which("sudo") is not None and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0
    return Machine(linux, bwrap, works, os.geteuid() == 0, sudo, shutil.which("apt-get") is not None, why)


def main() -> int:
    step = decide(probe())
    print(f"make sandbox: {step.message}", flush=True)
    if step.commands:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in step.commands:
            if subprocess.run(command, env=environment).returncode != 0:
                print(f"make sandbox: `{' '.join(command)}` failed", file=sys.stderr)
                return 1
        step = decide(probe())
        print(f"make sandbox: {step.message}", flush=True)
    return 0 if step.ready else 1


if __name__ == "__main__":
    sys.exit(main())
