"""Collect: from a Blackboard assignment download (one zip, all attempts) to nbgrader's submitted/.

For every roster student who submitted it writes ``submitted/<username>/<lab>/<lab>.ipynb`` and
``timestamp.txt`` (local time with its UTC offset), and for every student, attempt and oddity a line
in ``reports/collect-<lab>.csv``. The rules:

- identity is the ``(username)`` on the receipt's Name line; the file name is only a fallback;
- time is the file name's ``YYYY-MM-DD-HH-MM-SS``, local wall-clock time in c.Course.timezone,
  checked against the receipt's "Date Submitted";
- the attempt used is the latest one on time for the student's deadline (extension included),
  otherwise the latest one, late;
- a notebook counts as this lab when it holds this lab's nbgrader grade ids (any file name) and
  not more of another lab's;
- the zip is untrusted: nothing in it is ever extracted by its own name; entries that climb out of
  the folder, links, encrypted or oversized entries and names that are not UTF-8 are refused.

Every attempt seen is kept in ``collection/<lab>/`` (its notebook and a line in ``attempts.json``),
so a later zip only adds attempts: re-running with the same zip changes nothing, a newer one updates.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import stat
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from .deadlines import minutes_late, student_deadline
from .files import write_atomically
from .mitigations import Mitigation, read_mitigations
from .notebooks import grade_cells, parse_notebook, read_notebook, solution_cells
from .release import released_notebook
from .roster import is_safe_username, roster_usernames
from .settings import CourseError, CourseSettings

STAMP_FORMAT = "%Y-%m-%d-%H-%M-%S"
# "<Assignment>_<username>_attempt_<stamp>.txt" (receipt) or "..._<stamp>_<original file name>".
ATTEMPT_NAME = re.compile(
    r"(?P<prefix>.+?)_attempt_(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:(?P<receipt>\.txt)|_(?P<original>.+))", re.S
)
RECEIPT_USER = re.compile(r"^\s*Name:.*\(([^()\s]+)\)\s*$", re.M)
RECEIPT_ASSIGNMENT = re.compile(r"^\s*Assignment:\s*(.+?)\s*$", re.M)
RECEIPT_DATE = re.compile(r"^\s*Date Submitted:\s*(.+?)\s*$", re.M)
RECEIPT_FILE = re.compile(r"^\s*Original filename:\s*(.+?)\s*\n\s*Filename:\s*(.+?)\s*$", re.M)
NO_FILES = "No files were attached to this submission"
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")
CLOCK = re.compile(r"\b(\d{1,2}):(\d\d)(?::(\d\d))?\s*([AaPp])?\.?[Mm]?\b")
ZONE_WORD = re.compile(r"\b([A-Z]{2,5})\s*$")
EXPORTS = {".pdf": "a PDF export", ".html": "an HTML export", ".htm": "an HTML export", ".py": "a Python script"}

REPORT_FIELDS = [
    "username", "name", "status", "minutes_late", "attempts", "attempt_times", "used_local", "used_utc",
    "used_file", "deadline_local", "mitigation", "problems",
]


@dataclass(frozen=True)
class ZipLimits:
    """What a download may hold before it is treated as hostile; a real lab zip is far below these."""

    entry_bytes: int = 64 * 2**20
    total_bytes: int = 4 * 2**30
    entries: int = 50_000


class Refused(Exception):
    """An entry of the zip that is not opened; the message says why."""


@dataclass
class Entry:
    name: str  # as the zip names it (decoded)
    info: zipfile.ZipInfo
    refused: str | None = None

    @property
    def base(self) -> str:
        return PurePosixPath(self.name.replace("\\", "/")).name


class SafeZip:
    """A zip opened for reading only, by entry, with every entry checked before a byte is read."""

    def __init__(self, path: Path, limits: ZipLimits):
        self.path, self.limits, self.bytes_read = path, limits, 0
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise CourseError(f"{path}: not a zip file Blackboard could have made: {error}") from None
        except UnicodeDecodeError:
            raise CourseError(f"{path}: an entry name is marked UTF-8 but is not; the zip is refused") from None
        infos = self.archive.infolist()
        if len(infos) > limits.entries:
            raise CourseError(f"{path}: {len(infos)} entries, more than the limit of {limits.entries}; refused")
        self.entries = [self.checked(info) for info in infos if not info.is_dir()]

    def checked(self, info: zipfile.ZipInfo) -> Entry:
        name = info.filename
        if not info.flag_bits & 0x800 and not name.isascii():
            raw = name.encode("cp437")
            try:
                name = raw.decode("utf-8")  # UTF-8 without the flag: common and harmless
            except UnicodeDecodeError:
                return Entry(raw.decode("utf-8", "replace"), info, f"its name is not UTF-8 ({raw!r}): skipped")
        entry = Entry(name, info)
        posix = name.replace("\\", "/")
        if posix.startswith("/") or re.match(r"[A-Za-z]:", posix) or ".." in PurePosixPath(posix).parts:
            entry.refused = "its path leads outside the download folder: skipped"
        elif stat.S_ISLNK(info.external_attr >> 16):
            entry.refused = "it is a symbolic link: skipped"
        elif info.flag_bits & 0x1:
            entry.refused = "it is encrypted: skipped"
        elif info.file_size > self.limits.entry_bytes:
            entry.refused = f"it declares {info.file_size} bytes, over the limit of {self.limits.entry_bytes}: skipped"
        return entry

    def read(self, entry: Entry) -> bytes:
        """The entry's bytes, never more than the limits allow whatever its header claims."""
        if entry.refused:
            raise Refused(entry.refused)
        limit = self.limits.entry_bytes
        try:
            with self.archive.open(entry.info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
            entry.refused = f"it cannot be unpacked ({error}): skipped"
            raise Refused(entry.refused) from None
        if len(data) > limit:
            entry.refused = f"it unpacks to more than the limit of {limit} bytes: skipped"
            raise Refused(entry.refused)
        self.bytes_read += len(data)
        if self.bytes_read > self.limits.total_bytes:
            raise CourseError(f"{self.path}: unpacks to more than {self.limits.total_bytes} bytes; refused as a zip bomb")
        return data


@dataclass
class Attempt:
    """One attempt as the zip and the archive know it; ``notebook`` is set when it can be graded."""

    username: str
    local: str  # ISO 8601 with offset
    files: list[str] = field(default_factory=list)
    used_file: str = ""
    problems: list[str] = field(default_factory=list)
    notebook: bytes | None = None

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.local)

    @property
    def key(self) -> str:
        return self.moment.strftime(STAMP_FORMAT)


@dataclass
class StudentLine:
    """One line of the report: a student, their attempts, the one used and how it stands."""

    username: str
    name: str
    attempts: list[Attempt]
    status: str
    deadline: datetime | None = None
    mitigation: Mitigation | None = None
    used: Attempt | None = None
    minutes_late: int = 0
    problems: list[str] = field(default_factory=list)
    written: bool = False

    def row(self) -> dict:
        mitigation = ""
        if self.mitigation:
            until = f" until {self.mitigation.until.isoformat()}" if self.mitigation.until else ""
            mitigation = f"{self.mitigation.kind}{until} ({self.mitigation.reference})".replace(" ()", "")
        used = self.used.moment if self.used else None
        return {
            "username": self.username,
            "name": self.name,
            "status": self.status,
            "minutes_late": str(self.minutes_late) if self.used else "",
            "attempts": str(len(self.attempts)),
            "attempt_times": "; ".join(a.local for a in self.attempts),
            "used_local": used.isoformat() if used else "",
            "used_utc": used.astimezone(timezone.utc).isoformat() if used else "",
            "used_file": self.used.used_file if self.used else "",
            "deadline_local": self.deadline.isoformat() if self.deadline else "",
            "mitigation": mitigation,
            "problems": "; ".join(self.all_problems()),
        }

    def all_problems(self) -> list[str]:
        return self.problems + [f"attempt {a.local}: {p}" for a in self.attempts for p in a.problems]


@dataclass
class CollectionReport:
    """What one collect run found and did; ``describe`` is the console summary."""

    lab: str
    zip_path: Path
    report_path: Path
    students: list[StudentLine]
    zip_problems: list[str]

    def count(self, status: str) -> int:
        return sum(line.status == status for line in self.students)

    def describe(self) -> str:
        collected = [line for line in self.students if line.used and line.status != "not on roster"]
        exempt = sum(bool(line.mitigation and line.mitigation.kind == "exempt") for line in self.students)
        lines = [
            f"{self.lab} from {self.zip_path.name}: {sum(len(l.attempts) for l in self.students)} attempt(s); "
            f"{len(collected)} submission(s) collected ({self.count('on time')} on time, "
            f"{self.count('on extension')} on extension, {self.count('late')} late), "
            f"{sum(line.written for line in self.students)} written or updated",
            f"  {self.count('no submission')} roster student(s) with no submission, "
            f"{self.count('no gradable attempt')} with no gradable attempt, "
            f"{self.count('not on roster')} submitter(s) not on the roster (not collected), "
            f"{exempt} exempt (recorded in the report; marks leaves the lab out)",
        ]
        problems = [f"{line.username}: {problem}" for line in self.students for problem in line.all_problems()]
        problems += [f"(zip) {problem}" for problem in self.zip_problems]
        lines.append(f"  {len(problems)} problem(s); every student and problem is in {self.report_path}")
        lines += [f"    {problem}" for problem in problems[:12]]
        if len(problems) > 12:
            lines.append(f"    ... and {len(problems) - 12} more in the report")
        return "\n".join(lines)


# --- pure rules -----------------------------------------------------------------------------------


def local_moment(naive: datetime, zone: ZoneInfo, abbreviation: str | None = None) -> tuple[datetime, str | None]:
    """A wall-clock time in ``zone``, and a note when the clock change makes it odd."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != naive:
        return first, f"{naive} does not exist in {zone.key} (clocks go forward); read as {first.isoformat()}"
    if first.utcoffset() != second.utcoffset():
        chosen = second if abbreviation == second.tzname() else first
        if abbreviation in (first.tzname(), second.tzname()):
            return chosen, None
        return chosen, f"{naive} happens twice in {zone.key} (clocks go back); read as {chosen.tzname()}"
    return first, None


def receipt_date(text: str) -> tuple[datetime, bool, str | None] | None:
    """The "Date Submitted" line as (naive time, whether it gave seconds, zone word), if understood."""
    match = RECEIPT_DATE.search(text)
    if not match:
        return None
    line = match.group(1)
    day_first, month_first, clock = DAY_MONTH_YEAR.search(line), MONTH_DAY_YEAR.search(line), CLOCK.search(line)
    if day_first and day_first.group(2).lower() in MONTHS:
        day, month, year = int(day_first.group(1)), MONTHS[day_first.group(2).lower()], int(day_first.group(3))
    elif month_first and month_first.group(1).lower() in MONTHS:
        day, month, year = int(month_first.group(2)), MONTHS[month_first.group(1).lower()], int(month_first.group(3))
    else:
        return None
    if not clock:
        return None
    hour, minute, seconds = int(clock.group(1)), int(clock.group(2)), clock.group(3)
    if clock.group(4):
        hour = hour % 12 + (12 if clock.group(4).lower() == "p" else 0)
    zone = ZONE_WORD.search(line)
    try:
        when = datetime(year, month, day, hour, minute, int(seconds or 0))
    except ValueError:
        return None
    return when, seconds is not None, zone.group(1) if zone else None


def receipt_problems(text: str, stamp: datetime, moment: datetime) -> list[str]:
    """Where the receipt's date disagrees with the file name's (the file name's time is used)."""
    parsed = receipt_date(text)
    if parsed is None:
        return ["the receipt's 'Date Submitted' was not understood; the file name's time is used"]
    when, with_seconds, zone = parsed
    problems = []
    if when != (stamp if with_seconds else stamp.replace(second=0)):
        problems.append(f"the receipt says {when} but the file name says {stamp}; the file name's time is used")
    names = {"UTC", "GMT", moment.replace(month=1, day=1).tzname(), moment.replace(month=7, day=1).tzname()}
    same = zone == moment.tzname() or (zone in ("UTC", "GMT") and not moment.utcoffset())
    if zone in names and not same:
        problems.append(f"the receipt says {zone} but {moment.tzinfo} was on {moment.tzname()} then; check c.Course.timezone")
    return problems


def lab_ids(nb) -> set[str]:
    """The grade ids that make a notebook recognisably one lab: its answer and test cells."""
    return set(grade_cells(nb)) | set(solution_cells(nb))


def recognise(ids: set[str], lab: str, fingerprints: dict[str, set[str]]) -> str | None:
    """The lab whose released notebook shares most grade ids with ``ids``; ``lab`` wins ties."""
    shared = {other: len(ids & known) for other, known in fingerprints.items()}
    best = max(shared.values(), default=0)
    if best == 0:
        return None
    return lab if shared.get(lab) == best else max(shared, key=shared.get)


def choose(attempts: list[Attempt], deadline: datetime, grace_minutes: int) -> Attempt | None:
    """The latest gradable attempt on time, else the latest gradable attempt."""
    gradable = sorted((a for a in attempts if a.notebook is not None), key=lambda a: a.moment)
    on_time = [a for a in gradable if minutes_late(a.moment, deadline, grace_minutes) == 0]
    return (on_time or gradable or [None])[-1]


# --- reading the zip ------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


@dataclass
class Lab:
    """What a file is compared with: this lab and the grade ids of every released lab."""

    name: str
    fingerprints: dict[str, set[str]]

    def judge(self, original: str, data: bytes) -> tuple[bool, str | None]:
        """Whether a file is this lab's notebook, and the problem to report about it."""
        suffix = PurePosixPath(original.lower()).suffix
        if data.startswith(b"PK\x03\x04") or suffix == ".zip":
            return False, f"{original} is a zip inside the zip: not opened"
        if suffix != ".ipynb":
            return False, f"{original} is {EXPORTS.get(suffix, 'not a notebook')}, not the {self.name} notebook"
        if not data.strip():
            return False, f"{original} is empty"
        try:
            nb = parse_notebook(data.decode("utf-8"), original)
            ids = lab_ids(nb)
        except UnicodeDecodeError:
            return False, f"{original}: not a notebook: not UTF-8 text"
        except CourseError as error:
            return False, str(error)
        except (KeyError, AttributeError, TypeError):
            return False, f"{original}: malformed nbgrader metadata"
        found = recognise(ids, self.name, self.fingerprints)
        if found == self.name:
            expected = self.fingerprints[self.name]
            shared = len(ids & expected)
            if shared < len(expected):
                return True, f"{original} has {shared} of the {len(expected)} answer and test cells of {self.name}"
            return True, None
        if found:
            return False, f"{original} is the {found} notebook, not {self.name}"
        if original.lower() == f"{self.name}.ipynb":
            return True, f"{original} has no nbgrader cells (made outside the released notebook?); graded as it is"
        return False, f"{original} has none of the {self.name} cells: not recognisably {self.name}"


def released_fingerprints(settings: CourseSettings) -> dict[str, set[str]]:
    fingerprints = {}
    for lab in settings.labs:
        path = released_notebook(settings.course_dir, lab)
        if path.is_file():
            fingerprints[lab] = lab_ids(read_notebook(path))
    return fingerprints


def read_attempts(safe: SafeZip, lab: Lab, settings: CourseSettings, roster: set[str]) -> tuple[list[Attempt], list[str]]:
    """Every attempt in the zip with its identity, time, notebook and problems; and the zip's own problems."""
    groups: dict[tuple[str, str], dict] = {}
    zip_problems = []
    for entry in safe.entries:
        match = ATTEMPT_NAME.fullmatch(entry.base)
        if not match:
            zip_problems.append(f"{entry.name}: not a Blackboard attempt file" + (f"; {entry.refused}" if entry.refused else ""))
            continue
        group = groups.setdefault((match["prefix"], match["stamp"]), {"receipt": None, "files": []})
        if match["receipt"]:
            group["receipt"] = entry
        else:
            group["files"].append((match["original"], entry))
    attempts, assignments = [], set()
    for (prefix, stamp), group in sorted(groups.items()):
        attempt = read_attempt(safe, lab, settings, roster, prefix, stamp, group["receipt"], group["files"])
        if attempt.username:
            attempts.append(attempt)
            assignments.add(prefix.removesuffix(f"_{attempt.username}"))
        else:
            zip_problems.append(f"{prefix}_attempt_{stamp}: " + "; ".join(attempt.problems))
    expected = settings.blackboard_columns[lab.name]
    if assignments - {expected}:
        zip_problems.append(
            f"the zip holds assignment(s) {sorted(assignments)}; {lab.name} is {expected!r} in c.Course.blackboard_columns"
        )
    return attempts, zip_problems


def read_attempt(safe: SafeZip, lab: Lab, settings: CourseSettings, roster: set[str], prefix: str, stamp: str,
                 receipt: Entry | None, files: list[tuple[str, Entry]]) -> Attempt:
    """One attempt: who (receipt, else file name), when (file name, checked against the receipt), what."""
    problems, text, listed = [], "", None
    if receipt is None:
        problems.append("no receipt in the zip")
    else:
        try:
            text = decode_text(safe.read(receipt))
        except Refused as why:
            problems.append(f"receipt {receipt.name}: {why}")
    user = RECEIPT_USER.search(text)
    if user:
        username = user.group(1)
        if not prefix.endswith(f"_{username}"):
            problems.append(f"the receipt names {username} but the file names say {prefix!r}")
    else:
        candidates = [name for name in roster if prefix.endswith(f"_{name}")]
        username = candidates[0] if len(candidates) == 1 else ""
        problems.append(
            f"no username on a receipt; taken from the file name as {username}" if username
            else "no receipt gives the username and the file name matches no single roster student"
        )
    try:
        naive = datetime.strptime(stamp, STAMP_FORMAT)
    except ValueError:
        return Attempt("", "", problems=[*problems, f"{stamp} in the file name is not a date and time"])
    parsed = receipt_date(text) if text else None
    moment, note = local_moment(naive, settings.timezone, parsed[2] if parsed else None)
    problems += [note] if note else []
    if text:
        problems += receipt_problems(text, naive, moment)
        listed = dict((zipped, original) for original, zipped in RECEIPT_FILE.findall(text))
        stored = {entry.base for _, entry in files}
        problems += [f"the receipt lists {original} but the zip does not hold it" for zipped, original in listed.items()
                     if PurePosixPath(zipped).name not in stored]
    attempt = Attempt(username, moment.isoformat(), problems=problems)
    if not files:
        attempt.problems.append("no file attached" if NO_FILES in text or not text else "no file in the zip")
    readable = []
    for original, entry in files:
        original = (listed or {}).get(entry.base, original)
        attempt.files.append(original)
        try:
            readable.append((original, safe.read(entry)))
        except Refused as why:
            attempt.problems.append(f"{entry.name}: {why}")
    attempt.used_file, attempt.notebook, problems = pick_notebook(lab, readable)
    attempt.problems += problems
    return attempt


def pick_notebook(lab: Lab, files: list[tuple[str, bytes]]) -> tuple[str | None, bytes | None, list[str]]:
    """The file of one hand-in that is the lab's notebook (name and bytes, or None), and what to report
    about the others. Of two notebooks of this lab, the one named <lab>.ipynb wins, else the first by name."""
    candidates, problems = [], []
    for original, data in files:
        ok, problem = lab.judge(original, data)
        problems += [problem] if problem else []
        if ok:
            candidates.append((original, data))
    if not candidates:
        return None, None, problems
    candidates.sort(key=lambda c: (c[0].lower() != f"{lab.name}.ipynb", c[0]))
    if len(candidates) > 1:
        problems.append(f"{len(candidates)} {lab.name} notebooks in one attempt; {candidates[0][0]} used")
    return *candidates[0], problems


# --- the archive of attempts and the writes -------------------------------------------------------


def inside(course_dir: Path, *parts: str) -> Path:
    """A path under the course folder, refused if any link or name would take it elsewhere."""
    path = course_dir.joinpath(*parts)
    if not path.resolve().is_relative_to(course_dir.resolve()):
        raise CourseError(f"{path}: leads outside the course folder {course_dir}; refusing to write there")
    return path


class Archive:
    """Every attempt ever collected for one lab: ``collection/<lab>/attempts.json`` plus notebooks."""

    def __init__(self, settings: CourseSettings, lab: str):
        self.course_dir, self.lab = settings.course_dir, lab
        self.index = inside(self.course_dir, "collection", lab, "attempts.json")
        try:
            self.records = json.loads(self.index.read_text(encoding="utf-8")) if self.index.exists() else {}
        except (OSError, ValueError) as error:
            raise CourseError(f"{self.index}: cannot be read ({error}); move it away to start the collection afresh") from None

    def notebook_path(self, attempt: Attempt) -> Path:
        return inside(self.course_dir, "collection", self.lab, attempt.username, f"{attempt.key}.ipynb")

    def add(self, attempt: Attempt) -> None:
        if attempt.notebook is not None:
            write_atomically(self.notebook_path(attempt), attempt.notebook)
        record = {k: v for k, v in asdict(attempt).items() if k != "notebook"}
        record["gradable"] = attempt.notebook is not None
        self.records.setdefault(attempt.username, {})[attempt.key] = record

    def attempts(self, username: str) -> list[Attempt]:
        found = []
        for record in self.records.get(username, {}).values():
            record = dict(record)
            attempt = Attempt(**{k: v for k, v in record.items() if k != "gradable"})
            if record["gradable"]:
                attempt.notebook = self.notebook_path(attempt).read_bytes()
            found.append(attempt)
        return sorted(found, key=lambda a: a.moment)

    def save(self) -> None:
        write_atomically(self.index, json.dumps(self.records, indent=1, sort_keys=True, ensure_ascii=False).encode())


def write_submission(settings: CourseSettings, lab: str, attempt: Attempt) -> bool:
    """nbgrader's layout: the notebook under the lab's own name, and the time with its offset."""
    if not is_safe_username(attempt.username):
        raise CourseError(f"username {attempt.username!r} cannot be a folder name")
    folder = ("submitted", attempt.username, lab)
    changed = write_atomically(inside(settings.course_dir, *folder, f"{lab}.ipynb"), attempt.notebook)
    return write_atomically(inside(settings.course_dir, *folder, "timestamp.txt"), attempt.local.encode()) or changed


def report_csv(lines: list[StudentLine], zip_problems: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_FIELDS, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerows(line.row() for line in lines)
    writer.writerows({"username": "", "status": "zip problem", "problems": problem} for problem in zip_problems)
    return out.getvalue().encode("utf-8")


# --- the stage ------------------------------------------------------------------------------------


def student_line(settings, lab, username, name, attempts, mitigation) -> StudentLine:
    """Which attempt counts for one roster student, and how it stands against the deadline."""
    deadline = student_deadline(settings, lab, mitigation)
    line = StudentLine(username, name, attempts, "no submission", deadline, mitigation)
    if not attempts:
        return line
    line.used = choose(attempts, deadline, settings.grace_minutes)
    if line.used is None:
        line.status = "no gradable attempt"
        return line
    line.minutes_late = minutes_late(line.used.moment, deadline, settings.grace_minutes)
    regular = minutes_late(line.used.moment, settings.deadline_for(lab), settings.grace_minutes)
    line.status = "late" if line.minutes_late else "on extension" if regular else "on time"
    later = [a for a in attempts if a.notebook is not None and a.moment > line.used.moment]
    if later:
        line.problems.append(f"{len(later)} later attempt(s) after the deadline not used")
    return line


def collect(settings: CourseSettings, lab: str, zip_path: Path, limits: ZipLimits = ZipLimits()) -> CollectionReport:
    """Collect one lab from one Blackboard download; see the module docstring for the rules."""
    settings.require_lab(lab)
    fingerprints = released_fingerprints(settings)
    if lab not in fingerprints:
        raise CourseError(f"{settings.course_dir / 'release' / lab}: {lab} is not released; run `labgrade release {lab}` first")
    roster = roster_usernames(settings)
    if not roster:
        raise CourseError(f"{settings.course_dir}: the gradebook has no students; run `labgrade roster GRADECENTER_FILE` first")
    mitigations = {user: m for (user, mlab), m in read_mitigations(settings).items() if mlab == lab}
    safe = SafeZip(Path(zip_path), limits)
    with safe.archive:
        attempts, zip_problems = read_attempts(safe, Lab(lab, fingerprints), settings, set(roster))
    zip_problems += [f"mitigations.csv: {user} is not on the roster" for user in sorted(set(mitigations) - set(roster))]

    archive = Archive(settings, lab)
    outsiders: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.username in roster:
            archive.add(attempt)
        else:
            outsiders.setdefault(attempt.username, []).append(attempt)
    archive.save()

    lines = []
    for username in sorted(roster):
        line = student_line(settings, lab, username, roster[username], archive.attempts(username), mitigations.get(username))
        if line.used:
            line.written = write_submission(settings, lab, line.used)
        lines.append(line)
    for username, theirs in sorted(outsiders.items()):
        lines.append(StudentLine(username, "", theirs, "not on roster",
                                 problems=["not on the roster: not collected (import a newer Grade Center download?)"]))
    report_path = inside(settings.course_dir, "reports", f"collect-{lab}.csv")
    write_atomically(report_path, report_csv(lines, zip_problems))
    return CollectionReport(lab, Path(zip_path), report_path, lines, zip_problems)
