"""The demo: the whole pipeline on a synthetic cohort, in a scratch course folder, offline.

It makes a fresh course folder (settings, source/ and release/ copied from the real course), invents a
cohort whose work covers every case staff meet (correct, partly correct, untouched, missing, late),
hands it in as Blackboard would (a Grade Center download and one assignment zip per lab, with the
oddities real zips hold), imports the roster, collects, autogrades, and writes the Grade Center upload,
marks.csv, feedback and the staff report. Everything is seeded, so two runs agree.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import nbformat

from . import autograde as autograde_stage
from .autograde import autograde
from .blackboard_files import STUDENT_HEADER, BlackboardZip, grade_center_bytes, grade_column_header
from .collect import collect
from .feedback import write_feedback
from .marks import expected_points, write_marks
from .notebooks import answer_code, read_notebook, solution_cells
from .release import generate, labs_with_source, released_notebook, source_notebook
from .report import write_report
from .roster import import_roster
from .settings import CONFIG_FILE, CourseError, CourseSettings, copy_settings

# What a student did in one lab; every lab sees every outcome once cohorts have eight students or more.
OUTCOMES = ("correct", "partial", "correct", "empty", "partial", "missing", "correct", "late")

FIRST_NAMES = ["Ada", "Zoë", "Seán", "Priya", "Kwame", "Mei", "Lars", "Fatima", "Tomás", "Aiko", "Olu", "Chloé"]
LAST_NAMES = ["Lovelace", "Durand", "O'Neil, Jr.", "Patel", "Mensah", "Chen", "Øster", "Haddad", "García", "Sato"]


@dataclass(frozen=True)
class DemoStudent:
    username: str
    first_name: str
    last_name: str
    student_id: str


# Submits every lab but is not in the Grade Center download: collect must report, not import, them.
VISITOR = DemoStudent("v.visitor-99", "Val", "Visitor", "09999999")
# Where the demo puts the Grade Center download; the marks stage reads the same file.
GRADE_CENTER_FILE = Path("downloads") / "gradecenter.csv"


def synthetic_cohort(size: int, seed: int = 2027) -> list[DemoStudent]:
    """Students with the usernames real rosters have: dots, dashes, underscores, leading-zero IDs."""
    rng = random.Random(seed)
    cohort = []
    for index in range(size):
        first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        initials = (first[0] + last[0]).lower().encode("ascii", "ignore").decode() or "xx"
        style = index % 4
        if style == 1:
            username = f"{initials[0]}.{last.split(',')[0].lower().replace(chr(39), '')}-{index}"
        elif style == 3:
            username = f"{initials}_{index:02d}"
        else:
            username = f"{initials}{1800 + index}"
        username = username.encode("ascii", "ignore").decode()
        cohort.append(DemoStudent(username, first, last, f"{rng.randrange(10**7):08d}"))
    return cohort


def outcome_for(student_index: int, lab_index: int) -> str:
    return OUTCOMES[(student_index + lab_index) % len(OUTCOMES)]


def student_notebook(settings: CourseSettings, lab: str, outcome: str, rng: random.Random):
    """The released notebook with the answers this outcome calls for filled in."""
    nb = read_notebook(released_notebook(settings.course_dir, lab))
    answers = solution_cells(read_notebook(source_notebook(settings, lab)))
    cells = solution_cells(nb)
    if outcome == "partial":
        chosen = set(rng.sample(sorted(cells), k=max(1, len(cells) // 2)))
    else:
        chosen = set(cells) if outcome in ("correct", "late") else set()
    for grade_id in chosen:
        cells[grade_id].source = answer_code(answers[grade_id].source)
    return nb


def prepare_course(settings: CourseSettings, out: Path, labs: list[str]) -> CourseSettings:
    """A fresh scratch course with the real settings and labs, released there as staff would."""
    out = out.resolve()
    if out == settings.course_dir:
        raise CourseError(f"{out}: the demo needs its own folder, not the course itself")
    if out.exists():
        if not (out / CONFIG_FILE).exists():
            raise CourseError(f"{out}: exists and is not a demo course folder; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    course = copy_settings(settings, out)  # the synthetic cohort never reaches the course's own gradebook
    for lab in labs:
        shutil.copytree(settings.course_dir / "source" / lab, out / "source" / lab)
    for lab in labs:
        generate(course, lab)
    return course


@dataclass(frozen=True)
class Downloads:
    """What staff fetch from Blackboard: the Grade Center and one assignment zip per lab."""

    grade_center: Path
    zips: dict[str, Path]
    counts: dict[str, int]


def grade_center_download(course: CourseSettings, cohort: list[DemoStudent], rng: random.Random) -> Path:
    """The Grade Center before marking: lab columns empty, research marks in (a few still "Needs Grading")."""
    columns, ids = course.blackboard_columns, iter(range(1234561, 1234600))
    header = [
        *STUDENT_HEADER,
        # Columns staff created to be filled by upload: plain Score columns with the points the marks use.
        *[grade_column_header(columns[key], expected_points(course, key), next(ids)) for key in [*course.labs, "labs_total"]],
        grade_column_header(columns["assignment"], 100, next(ids)),
        grade_column_header(columns["module"], expected_points(course, "module"), next(ids)),
    ]
    rows = []
    for index, student in enumerate(cohort):
        research = "Needs Grading" if index % 7 == 3 else str(rng.randint(80, 185) / 2)
        row = [student.last_name, student.first_name, student.username, student.student_id, "2027-03-10 09:12:00", "Yes"]
        rows.append(row + [""] * len(course.labs) + ["", research, ""])
    path = course.course_dir / GRADE_CENTER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(grade_center_bytes(header, rows))
    return path


def assignment_download(course: CourseSettings, cohort: list[DemoStudent], lab: str, lab_index: int,
                        rng: random.Random, counts: dict[str, int]) -> Path:
    """A lab's "Assignment File Download" with what real ones hold: several attempts, renamed notebooks,
    a PDF instead of the notebook, a receipt with no file, and a student who is not on the roster."""
    download = BlackboardZip(assignment=course.blackboard_columns[lab], zone=course.timezone.key)
    deadline = course.deadline_for(lab).replace(tzinfo=None)  # Blackboard's names carry naive local time
    for student_index, student in enumerate([*cohort, VISITOR]):
        outcome = "not on roster" if student is VISITOR else outcome_for(student_index, lab_index)
        counts[outcome] = counts.get(outcome, 0) + 1
        name = f"{student.first_name} {student.last_name}"
        if outcome == "missing":
            if student_index % 3 == 0:  # submitted without attaching anything
                download.attempt(student.username, deadline - timedelta(minutes=30), {}, name)
            continue
        late = outcome == "late"
        when = deadline + timedelta(minutes=rng.randint(1, 90)) if late else deadline - timedelta(minutes=rng.randint(5, 150))
        notebook = nbformat.writes(student_notebook(course, lab, outcome, rng)).encode()
        file_name = {1: f"{lab} (1).ipynb", 4: "Untitled.ipynb"}.get(student_index % 6, f"{lab}.ipynb")
        if student_index % 5 == 2:  # an earlier attempt with the wrong file
            download.attempt(student.username, when - timedelta(minutes=40), {f"{lab}.pdf": b"%PDF-1.7\n"}, name)
        download.attempt(student.username, when, {file_name: notebook}, name)
        if student_index % 5 == 0 and not late:  # re-uploaded after the deadline: the on-time one counts
            download.attempt(student.username, deadline + timedelta(minutes=20), {f"{lab}.ipynb": notebook}, name)
    return download.write(course.course_dir / "downloads" / f"{lab}.zip")


def blackboard_downloads(course: CourseSettings, cohort: list[DemoStudent], labs: list[str], seed: int = 2027) -> Downloads:
    """The cohort's work as staff get it from Blackboard, written into the demo course's downloads/."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    grade_center = grade_center_download(course, cohort, rng)
    zips = {
        lab: assignment_download(course, cohort, lab, lab_index, rng, counts)
        for lab_index, lab in enumerate(course.labs)
        if lab in labs
    }
    return Downloads(grade_center, zips, counts)


def write_demo_mitigations(course: CourseSettings, cohort: list[DemoStudent], lab: str) -> Path:
    """The student office's decisions for the demo: an exemption, and an extension for a late student."""
    lab_index = course.labs.index(lab)
    late = next(index for index in range(len(cohort)) if outcome_for(index, lab_index) == "late")
    exempt = next(index for index in range(len(cohort)) if outcome_for(index, lab_index) == "missing")
    until = course.deadline_for(lab) + timedelta(hours=2)
    path = course.course_dir / "mitigations.csv"
    path.write_text(
        "username,lab,kind,until,reference\n"
        f"{cohort[exempt].username},{lab},exempt,,MC-DEMO-1\n"
        f"{cohort[late].username},{lab},extension,{until:%Y-%m-%d %H:%M},MC-DEMO-2\n",
        encoding="utf-8",
    )
    return path


UNSANDBOXED_BANNER = """
################################################################################################
#  UNSANDBOXED DEMO. bubblewrap is not available here, so the demo's synthetic notebooks run as  #
#  your own user: with your network, your files, and no limit on what they write. They are our  #
#  own made-up answers, so that is safe for the demo; it is NOT safe for students' work.         #
#  Real grading needs bubblewrap on Linux: run `make sandbox` (or apt-get install bubblewrap).   #
################################################################################################"""


def run_demo(settings: CourseSettings, out: Path, students: int = 24, labs: list[str] | None = None) -> None:
    started = time.perf_counter()
    labs = labs or labs_with_source(settings)
    course = prepare_course(settings, Path(out), labs)
    cohort = synthetic_cohort(students)
    print(f"demo course: {course.course_dir} ({students} students, labs {', '.join(labs)})")
    downloads = blackboard_downloads(course, cohort, labs)
    print("handed in: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(downloads.counts.items())))
    mitigations = write_demo_mitigations(course, cohort, labs[0])
    print(import_roster(course, downloads.grade_center).describe())
    for lab, download in downloads.zips.items():
        print(collect(course, lab, download).describe())
    sandboxed = autograde_stage.find_sandbox().isolated
    if not sandboxed:
        print(UNSANDBOXED_BANNER, flush=True)
    for lab in labs:
        summary = autograde(course, lab, require_sandbox=sandboxed, synthetic=True)
        print(summary.describe())
        if summary.failed:
            raise CourseError(f"{lab}: the demo's submissions could not all be graded (see above)")
    marks = write_marks(course, downloads.grade_center)
    print(marks.describe())
    for lab in labs:
        print(write_feedback(course, lab).describe())
    report = write_report(course)
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s; it wrote:")
    print(f"  downloads    {course.course_dir / 'downloads'} (Grade Center {downloads.grade_center.name}, zips)")
    print(f"  mitigations  {mitigations}")
    print(f"  collection   {course.course_dir / 'reports'} (collect-<lab>.csv)")
    print(f"  gradebook    {course.course_dir / 'gradebook.db'}")
    print(f"  autograded   {course.course_dir / 'autograded'}")
    print(f"  feedback     {course.course_dir / 'feedback'}")
    print(f"  upload file  {marks.upload}")
    print(f"  marks.csv    {marks.breakdown}")
    print(f"  report       {report}")
