"""nbgrader's gradebook, opened the one way every stage opens it.

By default it is SQLite, ``gradebook.db`` in the course folder. ``c.CourseDirectory.db_url`` may name a
database server instead (PostgreSQL, through psycopg): for several staff grading in formgrader at once,
and for course folders on network file systems, where SQLite is not safe (nbgrader #1854). Whatever
stops the gradebook opening (a URL SQLAlchemy cannot use, a server that does not answer, wrong
credentials, a missing database) is a CourseError naming the setting, never showing the password.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import nbgrader.api
import sqlalchemy
from alembic.config import Config
from alembic.script import ScriptDirectory
from nbgrader.api import Gradebook
from nbgrader.dbutil import ALEMBIC_DIR

from .settings import CONFIG_FILE, CourseError, CourseSettings

SETTING = "c.CourseDirectory.db_url"
EXAMPLES = "sqlite:////PATH/gradebook.db or postgresql://USER:PASSWORD@HOST:5432/DATABASE"
# Everything between "user:" and the last "@" is taken as the password, even an unencoded "@" in it.
USERINFO_PASSWORD = re.compile(r"^([^:/]+://[^:/@]*:)(.*)@")
QUERY_PASSWORD = re.compile(r"([?&]password=)([^&]*)")
NOT_A_URL = (sqlalchemy.exc.ArgumentError, ImportError)  # unparsable, no such dialect, its driver missing


@functools.cache
def newest_migration() -> str:
    """The newest of nbgrader's gradebook migrations, which nbgrader stamps on every new gradebook. nbgrader
    asks the `alembic` command in a subprocess (about 2.5 s for each new gradebook: every release, check
    and scratch course); the answer depends only on the installed nbgrader, so alembic's API is asked once."""
    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


nbgrader.api.get_alembic_version = newest_migration


def shown(url: str) -> str:
    """The URL as it is safe to print: its password replaced by ***."""
    return QUERY_PASSWORD.sub(r"\1***", USERINFO_PASSWORD.sub(r"\1***@", url))


def passwords(url: str) -> set[str]:
    """Every text in the URL that may be (part of) its password, as written and decoded."""
    found = [match.group(2) for pattern in (USERINFO_PASSWORD, QUERY_PASSWORD) for match in pattern.finditer(url)]
    pieces = {piece for text in found for piece in (text, *text.split("@"))}
    return {text for piece in pieces for text in (piece, unquote(piece)) if text}


def describe(url: str) -> str:
    """Where the gradebook is, for messages: the SQLite file, or the URL without its password."""
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else shown(url)


def cannot_open(settings: CourseSettings, url: str, error: Exception) -> CourseError:
    """The error staff see: the setting, the URL without its password, and why, in the driver's words."""
    reason = " ".join(str(getattr(error, "orig", None) or error).split())  # on one line
    for secret in sorted(passwords(url), key=len, reverse=True):
        reason = reason.replace(secret, "***")
    hint = f" (a gradebook URL looks like {EXAMPLES})" if isinstance(error, NOT_A_URL) else ""
    return CourseError(f"{settings.course_dir / CONFIG_FILE}: {SETTING}: cannot open the gradebook {shown(url)}: {reason}{hint}")


def course_id(settings: CourseSettings) -> str:
    return settings.nbgrader_config().CourseDirectory.get("course_id", "") or ""


@contextmanager
def open_gradebook(settings: CourseSettings, existing: bool = False) -> Iterator[Gradebook]:
    """The course's gradebook, closed afterwards; ``existing``: refuse to create an empty one."""
    url = settings.gradebook_url
    try:
        if existing:
            require_existing(url)
        gradebook = Gradebook(url, course_id(settings))
    except (*NOT_A_URL, sqlalchemy.exc.DBAPIError) as error:
        raise cannot_open(settings, url, error) from None
    with gradebook:
        yield gradebook


def check_gradebook(settings: CourseSettings) -> None:
    """Open and close the gradebook: a bad db_url stops here, with a clear message, not inside nbgrader."""
    with open_gradebook(settings):
        pass


def require_existing(url: str) -> None:
    """A gradebook exists when its SQLite file does, or when the server's database has nbgrader's tables."""
    parsed = sqlalchemy.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        exists = Path(parsed.database or "").exists()
    else:
        engine = sqlalchemy.create_engine(parsed)
        try:
            exists = sqlalchemy.inspect(engine).has_table("assignment")
        finally:
            engine.dispose()
    if not exists:
        raise CourseError(f"{describe(url)}: no gradebook yet; autograde the labs first")
