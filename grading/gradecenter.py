"""Reading a Blackboard Grade Center download: the file both `roster` and `marks` start from.

Blackboard's "Work Offline > Download" gives a quoted UTF-8 CSV (often with a byte-order mark) or an
`.xls` that is really tab-delimited UTF-16 text. Every value is kept as text: Excel has taught staff
that usernames and IDs lose their leading zeros the moment anything reads them as numbers.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .settings import CourseError

STUDENT_COLUMNS = ("Last Name", "First Name", "Username", "Student ID")
# "<Name> [Total Pts: <points> <Display>] |<column id>"; older versions omit the display word and
# calculated columns say "up to <points>".
GRADE_HEADER = re.compile(
    r"^(?P<name>.*?)\s*\[Total Pts:\s*(?P<upto>up to\s+)?(?P<points>\d+(?:\.\d+)?)(?:\s+(?P<display>[^\]]+?))?\s*\]"
    r"\s*\|\s*(?P<column_id>\d+)\s*$"
)


@dataclass(frozen=True)
class GradeColumn:
    """One gradebook column as Blackboard names it; ``header`` is kept exactly for the upload file."""

    header: str
    name: str
    points: Decimal
    display: str | None
    column_id: str
    calculated: bool


@dataclass
class GradeCenter:
    path: Path
    table: pd.DataFrame  # every cell a str; "" where Blackboard left it empty
    columns: list[GradeColumn]
    delimiter: str

    def column(self, name: str) -> GradeColumn | None:
        """The gradebook column called ``name`` (as staff see it in Blackboard), if there is one."""
        found = [column for column in self.columns if column.name == name]
        if len(found) > 1:
            raise CourseError(f"{self.path}: two Grade Center columns are called {name!r}: rename one in Blackboard")
        return found[0] if found else None


def parse_grade_header(header: str) -> GradeColumn | None:
    """A gradebook column's parts, or None for the student columns (Username, Last Access...)."""
    match = GRADE_HEADER.match(header)
    if not match:
        return None
    return GradeColumn(
        header=header,
        name=match["name"],
        points=Decimal(match["points"]),
        display=match["display"],
        column_id=match["column_id"],
        calculated=bool(match["upto"]),
    )


def decode(raw: bytes, path: Path) -> str:
    """Text of a download: UTF-16 when it has that byte-order mark (or looks like it), else UTF-8."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif raw[:200].count(b"\x00") > 20:  # UTF-16 without a byte-order mark
        encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise CourseError(f"{path}: not a Grade Center download: cannot decode it as {encoding}: {error}") from None


def read_grade_center(path: str | Path) -> GradeCenter:
    """Read a Grade Center download (.csv or .xls), checking it has the columns a roster needs."""
    path = Path(path)
    try:
        text = decode(path.read_bytes(), path)
    except OSError as error:
        raise CourseError(f"{path}: cannot be read: {error}") from error
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, quotechar='"')
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CourseError(f"{path}: not a Grade Center download: {error}") from None
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in ("Username",) if column not in table.columns]
    if missing:
        raise CourseError(
            f"{path}: no {missing[0]!r} column; is this a full Grade Center download? columns: {list(table.columns)[:8]}"
        )
    table = table.apply(lambda column: column.str.strip())
    blank = table["Username"] == ""
    if blank.any():
        rows = [int(i) + 2 for i in table.index[blank]]
        raise CourseError(f"{path}: rows {rows} have no Username")
    duplicated = table["Username"][table["Username"].duplicated()].tolist()
    if duplicated:
        raise CourseError(f"{path}: usernames listed twice: {duplicated}")
    columns = [column for column in map(parse_grade_header, table.columns) if column]
    return GradeCenter(path=path, table=table, columns=columns, delimiter=delimiter)
