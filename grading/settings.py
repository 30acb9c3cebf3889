"""Course settings: read from ``nbgrader_config.py`` through one configurable, validated in one place.

Every command starts with :func:`load_course`, so a bad setting stops all of them with the same
message naming the setting, before anything is read or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traitlets import Dict, Integer, Unicode, Union
from traitlets.config import Config, Configurable
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

from .files import write_atomically

CONFIG_FILE = "nbgrader_config.py"
LAB_NAME = re.compile(r"lab([1-9][0-9]*)")
TOTAL_COLUMNS = ("labs_total", "assignment", "module")
LATE_POLICIES = ("zero", "accept")
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):[0-9]+")  # host or [IPv6], and port


class CourseError(Exception):
    """A problem with the course's files or settings that staff must fix; the message says where."""


class Course(Configurable):
    """The course's own settings, set in nbgrader_config.py as ``c.Course.<name>``."""

    timezone = Unicode("Europe/London", help="IANA time zone of the lab sessions and of Blackboard's clock.").tag(config=True)
    deadline = Unicode("15:45", help="Local time (HH:MM) on each lab's date by which the notebook is due.").tag(config=True)
    lab_dates = Dict(help="Lab name -> date of its session (YYYY-MM-DD), e.g. {'lab1': '2027-01-14'}.").tag(config=True)
    lab_weight = Union([Integer(), Unicode()], default_value=2, help="Percent of the module mark each lab is worth.").tag(config=True)
    assignment_weight = Union([Integer(), Unicode()], default_value=84, help="Percent of the module mark of the research assignment.").tag(config=True)
    late_policy = Unicode("zero", help="What a late lab scores: 'zero' (nothing) or 'accept' (its score, listed as late).").tag(config=True)
    grace_minutes = Integer(0, help="Minutes after the deadline still counted as on time (upload delays).").tag(config=True)
    blackboard_columns = Dict(
        help="Grade Center column names: one per lab, plus 'labs_total', 'assignment' and 'module'."
    ).tag(config=True)
    scheduler = Unicode("", help="Dask scheduler autograde grades on, e.g. 'tcp://head-node:8786' ('': this machine).").tag(config=True)


@dataclass(frozen=True)
class CourseSettings:
    """Validated settings plus where the course lives; the only object the stages read settings from."""

    course_dir: Path
    timezone: ZoneInfo
    deadline: time
    lab_dates: dict[str, date]
    lab_weight: Decimal
    assignment_weight: Decimal
    late_policy: str
    grace_minutes: int
    blackboard_columns: dict[str, str]
    scheduler: str = ""  # a Dask scheduler's address, or "" to grade on this machine

    @property
    def labs(self) -> list[str]:
        """Lab names in teaching order (lab2 before lab10)."""
        return sorted(self.lab_dates, key=lab_number)

    def deadline_for(self, lab: str) -> datetime:
        """The lab's deadline: its session date at the deadline time, as an aware local datetime."""
        self.require_lab(lab)
        return datetime.combine(self.lab_dates[lab], self.deadline, tzinfo=self.timezone)

    def late_after(self, deadline: datetime) -> datetime:
        """The last instant still counted on time for a deadline (deadline plus the grace period)."""
        return deadline + timedelta(minutes=self.grace_minutes)

    def require_lab(self, lab: str) -> None:
        if lab not in self.lab_dates:
            raise CourseError(f"unknown lab {lab!r}: the labs in c.Course.lab_dates are {', '.join(self.labs)}")

    @property
    def gradebook_url(self) -> str:
        """nbgrader's database for this course (sqlite:///<course>/gradebook.db unless configured)."""
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.nbgrader_config()).db_url

    def nbgrader_config(self) -> Config:
        """The full traitlets config (nbgrader's sections too) with the course folder as nbgrader's root."""
        config = read_config_file(self.course_dir)
        config.CourseDirectory.root = str(self.course_dir)
        return config


def lab_number(lab: str) -> int:
    match = LAB_NAME.fullmatch(lab)
    if not match:
        raise CourseError(f"{lab!r} is not a lab name: labs are named lab1, lab2, ...")
    return int(match.group(1))


def read_config_file(course_dir: Path) -> Config:
    path = course_dir / CONFIG_FILE
    if not path.is_file():
        raise CourseError(f"{path}: no course settings here; pass --course-dir, the folder with {CONFIG_FILE}")
    loader = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir))
    try:
        return loader.load_config()
    except ConfigFileNotFound as error:
        raise CourseError(f"{path}: {error}") from error
    except Exception as error:  # a syntax or name error in the settings file itself
        raise CourseError(f"{path}: cannot be read: {type(error).__name__}: {error}") from error


def copy_settings(settings: CourseSettings, folder: Path) -> CourseSettings:
    """Give a scratch course (release's checks, the demo) the course's settings, but a SQLite gradebook of
    its own: wherever the course's db_url points, work in the scratch course never reaches it."""
    folder = Path(folder).resolve()
    own = f"sqlite:///{folder / 'gradebook.db'}"
    text = (settings.course_dir / CONFIG_FILE).read_text(encoding="utf-8")
    write_atomically(folder / CONFIG_FILE, f"{text}\n# A scratch copy of the course: its own gradebook.\nc.CourseDirectory.db_url = {own!r}\n")
    return load_course(folder)


def load_course(course_dir: str | Path = ".") -> CourseSettings:
    """Read and validate the settings of the course in ``course_dir``."""
    course_dir = Path(course_dir).resolve()
    course = Course(config=read_config_file(course_dir))
    return validate(course, course_dir)


def validate(course: Course, course_dir: Path) -> CourseSettings:
    """Check every setting, raising CourseError naming the first bad one."""
    where = f"{course_dir / CONFIG_FILE}: c.Course"
    try:
        timezone = ZoneInfo(course.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(f"{where}.timezone = {course.timezone!r} is not a known time zone (e.g. 'Europe/London')") from None

    deadline = _parse_clock(course.deadline, f"{where}.deadline")

    if not course.lab_dates:
        raise CourseError(f"{where}.lab_dates is empty: give each lab's session date, e.g. {{'lab1': '2027-01-14'}}")
    lab_dates = {}
    for lab, value in course.lab_dates.items():
        if not isinstance(lab, str) or not LAB_NAME.fullmatch(lab):
            raise CourseError(f"{where}.lab_dates has unknown lab {lab!r}: labs are named lab1, lab2, ...")
        try:
            lab_dates[lab] = date.fromisoformat(str(value))
        except ValueError:
            raise CourseError(f"{where}.lab_dates[{lab!r}] = {value!r} is not a date YYYY-MM-DD") from None

    lab_weight = _parse_percent(course.lab_weight, f"{where}.lab_weight")
    assignment_weight = _parse_percent(course.assignment_weight, f"{where}.assignment_weight")
    total = lab_weight * len(lab_dates) + assignment_weight
    if total != 100:
        raise CourseError(
            f"{where}.lab_weight x {len(lab_dates)} labs + {where}.assignment_weight = "
            f"{lab_weight} x {len(lab_dates)} + {assignment_weight} = {total}, not 100"
        )

    if course.late_policy not in LATE_POLICIES:
        raise CourseError(f"{where}.late_policy = {course.late_policy!r}: choose one of {', '.join(LATE_POLICIES)}")
    if course.grace_minutes < 0:
        raise CourseError(f"{where}.grace_minutes = {course.grace_minutes} must not be negative")

    columns = dict(course.blackboard_columns)
    expected = [*sorted(lab_dates, key=lab_number), *TOTAL_COLUMNS]
    unknown = sorted(set(columns) - set(expected))
    if unknown:
        raise CourseError(f"{where}.blackboard_columns has unknown key(s) {unknown}: the keys are {expected}")
    missing = [key for key in expected if not str(columns.get(key, "")).strip()]
    if missing:
        raise CourseError(f"{where}.blackboard_columns has no column name for {missing}")
    names = [columns[key] for key in expected]
    if len(set(names)) != len(names):
        raise CourseError(f"{where}.blackboard_columns names a Grade Center column twice: {names}")

    return CourseSettings(
        course_dir=course_dir,
        timezone=timezone,
        deadline=deadline,
        lab_dates=lab_dates,
        lab_weight=lab_weight,
        assignment_weight=assignment_weight,
        late_policy=course.late_policy,
        grace_minutes=course.grace_minutes,
        blackboard_columns={key: columns[key] for key in expected},
        scheduler=scheduler_address(course.scheduler, f"{where}.scheduler") if course.scheduler else "",
    )


def scheduler_address(address: str, setting: str) -> str:
    """A Dask scheduler's address as ``distributed`` takes it, or an error naming where it was given."""
    if not SCHEDULER_ADDRESS.fullmatch(address.strip()):
        raise CourseError(f"{setting} = {address!r} is not a Dask scheduler address such as 'tcp://head-node:8786'")
    return address.strip()


def _parse_clock(value: str, setting: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value).strip())
    if not match:
        raise CourseError(f"{setting} = {value!r} is not a time of day HH:MM (e.g. '15:45')")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_percent(value: int | str, setting: str) -> Decimal:
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        raise CourseError(f"{setting} = {value!r} is not a number") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise CourseError(f"{setting} = {value!r} must be a percentage between 0 and 100")
    return percent
