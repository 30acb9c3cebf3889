"""A real PostgreSQL server for the tests: Debian's own programs, a data folder in /tmp, a free port.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user that the
Debian package creates. It listens on 127.0.0.1 only, and every login needs a password, as on a
course's real server. ``make test`` installs the package (grading/suite_packages.py).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from grading.files import remove_tree

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"  # the system user the server runs as when the tests run as root
SUPERUSER = "postgres"  # the server's own administrator role


class PostgresMissing(Exception):
    """The server's programs are not installed: the message says how to install them."""


def server_programs() -> Path:
    """The folder with initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<version>/bin, else PATH's."""
    versions = [path for path in DEBIAN_BINARIES.glob("*/bin") if (path / "initdb").is_file() and path.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda path: int(path.parent.name))
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    raise PostgresMissing(
        f"PostgreSQL's server programs (initdb, pg_ctl) are neither in {DEBIAN_BINARIES}/<version>/bin nor on PATH: "
        "run `make test`, which installs the Debian package postgresql, or `sudo apt-get install -y postgresql`"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; ``database`` gives each test its own database and login."""

    folder: Path
    port: int
    password: str  # the superuser's
    programs: Path

    @classmethod
    def start(cls) -> PostgresServer:
        programs = server_programs()
        folder = Path(tempfile.mkdtemp(prefix="labgrade-postgres-"))
        server = cls(folder, free_port(), secrets.token_hex(16), programs)
        (folder / "password").write_text(server.password + "\n")
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresMissing(f"no system user {SERVER_USER!r} to run the server as (the Debian package postgresql creates it)") from None
            for path in (folder, folder / "password"):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        server.run("initdb", "--pgdata", str(folder / "data"), "--username", SUPERUSER, "--pwfile", str(folder / "password"),
                   "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-locale", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {server.port} -c unix_socket_directories={folder} -c fsync=off"
        server.run("pg_ctl", "--pgdata", str(folder / "data"), "--log", str(folder / "server.log"), "--options", options, "--wait", "start")
        return server

    def run(self, program: str, *arguments: str) -> None:
        as_server_user = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_server_user, str(self.programs / program), *arguments], capture_output=True, text=True)
        if done.returncode != 0:
            log = self.folder / "server.log"
            raise RuntimeError(f"{program} failed: {done.stderr}{log.read_text() if log.is_file() else ''}")

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "--pgdata", str(self.folder / "data"), "--mode", "fast", "--wait", "stop")
        finally:
            remove_tree(str(self.folder))

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password,
                               dbname="postgres", autocommit=True)

    def database(self, name: str) -> str:
        """A new database owned by a new login of the same name; its SQLAlchemy URL, password included."""
        password = secrets.token_hex(12)
        with self.admin() as connection:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
            connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)))
        return f"postgresql://{name}:{password}@127.0.0.1:{self.port}/{name}"
