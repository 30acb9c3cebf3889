"""`make sandbox`: what it does on each kind of machine, with the system's commands faked at the edge."""

import subprocess

import pytest

from grading import sandbox_setup, system_packages
from grading.sandbox_setup import INSTALL, Machine, decide
from grading.system_packages import Installer

USER, ROOT, SUDO = Installer(apt=True, root=False, sudo=False), Installer(apt=True, root=True, sudo=False), Installer(apt=True, root=False, sudo=True)
DEBIAN = dict(linux=True, bwrap=False, works=False, installer=USER)


def test_present_and_working_does_nothing():
    step = decide(Machine(**{**DEBIAN, "bwrap": True, "works": True}))
    assert step.ready and step.commands == []


def test_missing_as_root_installs_with_apt_get():
    step = decide(Machine(**{**DEBIAN, "installer": ROOT}))
    assert step.commands == [["apt-get", "update", "-qq"], INSTALL] and not step.ready


def test_missing_with_passwordless_sudo_installs_through_sudo():
    step = decide(Machine(**{**DEBIAN, "installer": SUDO}))
    assert step.commands == [["sudo", "-n", "apt-get", "update", "-qq"], ["sudo", "-n", *INSTALL]]


def test_missing_without_root_or_sudo_stops_with_the_one_command_to_run():
    step = decide(Machine(**DEBIAN))
    assert step.commands == [] and not step.ready
    assert "sudo apt-get install -y bubblewrap" in step.message


def test_present_but_broken_says_why_and_installs_nothing():
    step = decide(Machine(**{**DEBIAN, "bwrap": True, "installer": ROOT, "why": "bwrap: setting up uid map: Permission denied"}))
    assert step.commands == [] and not step.ready
    assert "Permission denied" in step.message and "user namespaces" in step.message


def test_not_debian_or_not_linux_names_what_to_do():
    assert "package manager" in decide(Machine(**{**DEBIAN, "installer": Installer(apt=False, root=True, sudo=False)})).message
    assert "needs Linux" in decide(Machine(**{**DEBIAN, "linux": False})).message


class FakeSystem:
    """subprocess.run and shutil.which for a Debian machine whose bubblewrap appears once installed."""

    def __init__(self, root: bool, install_works: bool = True):
        self.installed, self.root, self.install_works, self.ran = False, root, install_works, []

    def which(self, name):
        return None if name == "bwrap" and not self.installed else f"/usr/bin/{name}"

    def run(self, command, **kwargs):
        self.ran.append(command)
        if command[-1] == "bubblewrap" and self.install_works:
            self.installed = True
        ok = command != ["sudo", "-n", "true"] or not self.root
        return subprocess.CompletedProcess(command, 0 if ok else 1, stdout="", stderr="")


@pytest.mark.parametrize("install_works", [True, False])
def test_main_installs_then_checks_again(monkeypatch, capsys, install_works):
    system = FakeSystem(root=True, install_works=install_works)
    monkeypatch.setattr(sandbox_setup.shutil, "which", system.which)
    monkeypatch.setattr(sandbox_setup.subprocess, "run", system.run)
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert sandbox_setup.main() == (0 if install_works else 1)
    assert ["apt-get", "update", "-qq"] in system.ran and INSTALL in system.ran
    assert ("bubblewrap works here" in capsys.readouterr().out) is install_works
