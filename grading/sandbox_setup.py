"""`make sandbox`: make sure the sandbox autograde runs kernels in is installed here, and works.

Run with the system's Python before the venv exists (standard library only): ``python3 -m
grading.sandbox_setup``. Present and working, it does nothing. Missing on Debian or Ubuntu, it
installs the package ``bubblewrap`` (see system_packages.py). Otherwise, or when bubblewrap is there
but this kernel or container will not let it make a sandbox, it says why and the one command to run,
and exits 1. ``decide`` holds the rules; ``main`` only probes the machine and carries them out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass

from .system_packages import Installer, Step, carry_out, install, install_command, probe_installer

PACKAGE = "bubblewrap"
INSTALL = install_command([PACKAGE])
# The smallest sandbox autograde's needs: its own PID, network and mount namespaces.
PROBE = ["bwrap", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]


@dataclass(frozen=True)
class Machine:
    """What the probes found."""

    linux: bool
    bwrap: bool  # the command is on PATH
    works: bool  # and it made a sandbox
    installer: Installer
    why: str = ""  # what bubblewrap said when it failed


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
    return install([PACKAGE], machine.installer, "the sandbox student code is graded in")


def probe() -> Machine:
    linux = sys.platform == "linux"
    bwrap = linux and shutil.which("bwrap") is not None
    works, why = False, ""
    if bwrap:
        done = subprocess.run(PROBE, capture_output=True, text=True)
        works, why = done.returncode == 0, done.stderr
    return Machine(linux, bwrap, works, probe_installer(), why)


def main() -> int:
    return carry_out("make sandbox", lambda: decide(probe()))


if __name__ == "__main__":
    sys.exit(main())
