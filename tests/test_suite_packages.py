"""`make suite-packages`: the test suite's system packages on each kind of machine, the system faked at the edge."""

import subprocess

from grading import suite_packages, system_packages
from grading.suite_packages import PACKAGES, Machine, decide
from grading.system_packages import Installer

AS_ROOT = Installer(apt=True, root=True, sudo=False)
WITH_SUDO = Installer(apt=True, root=False, sudo=True)
AS_USER = Installer(apt=True, root=False, sudo=False)


def test_everything_installed_does_nothing():
    step = decide(Machine([], AS_ROOT))
    assert step.ready and step.commands == []


def test_missing_as_root_installs_only_the_missing_packages_with_apt_get():
    step = decide(Machine(["postgresql"], AS_ROOT))
    assert step.commands == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]]
    assert not step.ready and "PostgreSQL server" in step.message


def test_missing_with_passwordless_sudo_installs_through_sudo():
    step = decide(Machine(["postgresql"], WITH_SUDO))
    assert [command[:2] for command in step.commands] == [["sudo", "-n"], ["sudo", "-n"]]
    assert step.commands[1][-1] == "postgresql"


def test_missing_without_root_or_sudo_stops_with_the_one_command_to_run():
    step = decide(Machine(["postgresql"], AS_USER))
    assert step.commands == [] and not step.ready
    assert "sudo apt-get install -y postgresql" in step.message


def test_without_dpkg_it_names_every_package_and_lets_the_tests_say_what_is_missing():
    step = decide(Machine(None, Installer(apt=False, root=True, sudo=False)))
    assert step.ready and step.commands == []
    assert all(name in step.message for name in PACKAGES)


class FakeDebian:
    """dpkg-query, apt-get and sudo of a Debian machine where nothing the tests need is installed yet."""

    def __init__(self, install_works: bool = True):
        self.installed, self.install_works, self.ran = set(), install_works, []

    def which(self, name):
        return f"/usr/bin/{name}"

    def run(self, command, **kwargs):
        self.ran.append(command)
        if command[:2] == ["apt-get", "install"] and self.install_works:
            self.installed |= set(command[4:])
        if command[0] == "dpkg-query":
            known = command[-1] in self.installed
            return subprocess.CompletedProcess(command, 0 if known else 1, stdout="install ok installed" if known else "", stderr="")
        return subprocess.CompletedProcess(command, 1 if command == ["sudo", "-n", "true"] else 0, stdout="", stderr="")


def test_main_installs_as_root_then_checks_again(monkeypatch, capsys):
    system = FakeDebian()
    monkeypatch.setattr(suite_packages.shutil, "which", system.which)
    monkeypatch.setattr(suite_packages.subprocess, "run", system.run)
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert suite_packages.main() == 0
    assert ["apt-get", "install", "-y", "-qq", *PACKAGES] in system.ran
    assert "installed: postgresql" in capsys.readouterr().out


def test_main_fails_when_the_install_did_not_install(monkeypatch, capsys):
    system = FakeDebian(install_works=False)
    monkeypatch.setattr(suite_packages.shutil, "which", system.which)
    monkeypatch.setattr(suite_packages.subprocess, "run", system.run)
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert suite_packages.main() == 1
    assert "installing postgresql" in capsys.readouterr().out
