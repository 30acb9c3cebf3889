"""timestamp.txt: when a submission was handed in, in every form the nbgrader tools write.

``labgrade collect`` writes ISO 8601 with the UTC offset (``2027-01-14T15:40:00+00:00``). nbgrader's
exchange (``nbgrader submit``/``collect``, the JupyterHub exchange, ngshare) writes
``Exchange.timestamp_format``, by default ``%Y-%m-%d %H:%M:%S.%f %Z``: ``2027-01-14 15:40:00.123456 UTC``,
or with ``Exchange.timezone`` set, another zone word (``GMT``, ``Europe/London``, ``CET``). nbgrader reads
them all with ``nbgrader.utils.parse_utc``; these are the same rules, stricter where nbgrader guesses:

- a zone word is looked up in the time-zone database, as nbgrader's ``dateutil.tz.gettz`` does;
- a word that is not there (``BST``, ``CEST``) nbgrader silently reads as UTC, an hour out in summer;
  here it counts when the course's own zone goes by that name at that moment, and is refused otherwise;
- ``+0100``-style offsets mean hours and minutes (nbgrader reads them as seconds);
- a time with no zone at all nbgrader takes as UTC; here it is taken in ``c.Course.timezone`` and
  comes with a note, so staff see that the moment was assumed.

Anything else is refused, naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import CourseError

OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")


@dataclass(frozen=True)
class SubmissionTime:
    moment: datetime  # aware
    note: str | None = None  # set when the zone had to be assumed

    @property
    def utc_naive(self) -> datetime:
        """The form nbgrader's gradebook stores: UTC without a zone."""
        return self.moment.astimezone(timezone.utc).replace(tzinfo=None)


def parse_submission_time(text: str, course_zone: ZoneInfo) -> SubmissionTime:
    """The moment ``text`` names; ValueError saying why when it names none."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        return SubmissionTime(moment)
    if moment is not None:
        return SubmissionTime(moment.replace(tzinfo=course_zone),
                              f"no time zone in {text!r}: taken as {course_zone.key} time (nbgrader would take it as UTC)")
    clock, _, word = text.rpartition(" ")
    try:
        naive = datetime.fromisoformat(clock)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time nbgrader writes "
                         "(ISO 8601 with an offset, or 'YYYY-MM-DD HH:MM:SS[.ffffff] ZONE')") from None
    if naive.tzinfo is not None:
        raise ValueError(f"{text!r} gives two time zones")
    return SubmissionTime(moment_named(naive, word, course_zone))


def moment_named(naive: datetime, word: str, course_zone: ZoneInfo) -> datetime:
    """``naive`` in the zone a timestamp's last word names: an offset, a time-zone database name, or an
    abbreviation the course's zone goes by at that time (``BST`` in London in summer; in the hour the
    clocks go back, ``GMT`` or ``BST`` says which of the two it was)."""
    offset = OFFSET.match(word)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return naive.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    if word.upper() == "Z":
        return naive.replace(tzinfo=timezone.utc)
    try:
        return naive.replace(tzinfo=ZoneInfo(word))
    except (ZoneInfoNotFoundError, ValueError):
        pass
    for fold in (0, 1):
        moment = naive.replace(tzinfo=course_zone, fold=fold)
        if moment.tzname() == word:
            return moment
    raise ValueError(f"{word!r} is not a time zone nbgrader knows, nor one {course_zone.key} goes by on "
                     f"{naive.date()} ({naive.replace(tzinfo=course_zone).tzname()} then)")


def read_submission_time(folder: Path, course_zone: ZoneInfo) -> SubmissionTime | None:
    """The time in ``folder/timestamp.txt`` (None when there is no such file)."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    try:
        return parse_submission_time(path.read_text(encoding="utf-8"), course_zone)
    except (ValueError, UnicodeDecodeError) as why:
        raise CourseError(f"{path}: {why}") from None
