"""Mitigations from the student office: extensions move a deadline, exemptions remove a lab.

The file is `mitigations.csv` in the course folder, one row per student and lab:

    username,lab,kind,until,reference
    al1815,lab3,extension,2027-02-01 15:45,MC-2027-0113
    j.smith-2,lab5,exempt,,MC-2027-0140

``until`` is local time in c.Course.timezone (YYYY-MM-DD HH:MM), required for extensions only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .settings import CourseError, CourseSettings

MITIGATIONS_FILE = "mitigations.csv"
KINDS = ("extension", "exempt")
HEADER = ("username", "lab", "kind", "until", "reference")


@dataclass(frozen=True)
class Mitigation:
    username: str
    lab: str
    kind: str  # "extension" or "exempt"
    until: datetime | None  # aware; extensions only
    reference: str


def parse_local_time(text: str, settings: CourseSettings, where: str) -> datetime:
    """A local wall-clock time in the course's zone; refuses times that do not exist or happen twice."""
    try:
        naive = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise CourseError(f"{where}: until = {text!r} is not a local date-time YYYY-MM-DD HH:MM") from None
    if naive.tzinfo is not None:
        raise CourseError(f"{where}: until = {text!r} gives a UTC offset; write local time in {settings.timezone.key}")
    local = naive.replace(tzinfo=settings.timezone)
    round_trip = local.astimezone(timezone.utc).astimezone(settings.timezone).replace(tzinfo=None)
    if round_trip != naive:
        raise CourseError(f"{where}: until = {text!r} does not exist in {settings.timezone.key} (clocks go forward)")
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        raise CourseError(f"{where}: until = {text!r} happens twice in {settings.timezone.key} (clocks go back)")
    return local


def read_mitigations(settings: CourseSettings, path: Path | None = None) -> dict[tuple[str, str], Mitigation]:
    """Mitigations by (username, lab); an absent file means none. Every row is checked."""
    path = path or settings.course_dir / MITIGATIONS_FILE
    if not path.exists():
        return {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            fields = [name.strip().lower() for name in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CourseError(f"{path}: cannot be read: {error}") from error
    missing = [name for name in HEADER[:3] if name not in fields]
    if missing:
        raise CourseError(f"{path}: missing column(s) {missing}; the header is {','.join(HEADER)}")
    mitigations = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path}:{line}"
        if None in row:
            raise CourseError(f"{where}: more fields than the header {','.join(fields)} (a comma inside a value?)")
        row = {key.strip().lower(): (value or "").strip() for key, value in row.items()}
        username, lab, kind = row["username"], row["lab"], row["kind"].lower()
        if not username:
            raise CourseError(f"{where}: no username")
        if lab not in settings.lab_dates:
            raise CourseError(f"{where}: unknown lab {lab!r}; the labs are {', '.join(settings.labs)}")
        if kind not in KINDS:
            raise CourseError(f"{where}: kind {row['kind']!r} is neither 'extension' nor 'exempt'")
        until = None
        if kind == "exempt" and row.get("until"):
            raise CourseError(f"{where}: an exemption takes no 'until' ({row['until']!r}); did you mean an extension?")
        if kind == "extension":
            if not row.get("until"):
                raise CourseError(f"{where}: an extension needs 'until', the new local deadline")
            until = parse_local_time(row["until"], settings, where)
            if until <= settings.deadline_for(lab):
                raise CourseError(f"{where}: extension until {row['until']} is not after the {lab} deadline")
        if (username, lab) in mitigations:
            raise CourseError(f"{where}: a second mitigation for {username} in {lab}; keep one row per student and lab")
        mitigations[(username, lab)] = Mitigation(username, lab, kind, until, row.get("reference", ""))
    return mitigations
