"""The demo: the whole pipeline on a synthetic cohort, in a scratch course folder, offline.

It makes a fresh course folder (settings, source/ and release/ copied from the real course), invents a
cohort whose work covers every case staff meet (correct, partly correct, untouched, missing, late),
hands it in, autogrades it, and writes the Grade Center upload, marks.csv, feedback and the staff
report. Everything is seeded, so two runs agree.
"""

from __future__ import annotations

import csv
import random
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .autograde import autograde
from .feedback import write_feedback
from .marks import expected_points, write_atomically, write_marks
from .notebooks import SOLUTION_BEGIN, SOLUTION_END, read_notebook, solution_cells
from .release import generate, labs_with_source, released_notebook, source_notebook
from .report import write_report
from .settings import CONFIG_FILE, CourseError, CourseSettings, load_course

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


def answer_code(solution_source: str) -> str:
    """The instructor's answer as a student would hand it in: without the nbgrader markers."""
    return "\n".join(
        line for line in solution_source.splitlines() if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END)
    )


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
    shutil.copy2(settings.course_dir / CONFIG_FILE, out / CONFIG_FILE)
    for lab in labs:
        shutil.copytree(settings.course_dir / "source" / lab, out / "source" / lab)
    course = load_course(out)
    for lab in labs:
        generate(course, lab)
    return course


def hand_in(course: CourseSettings, cohort: list[DemoStudent], labs: list[str], seed: int = 2027) -> dict[str, int]:
    """Write each student's submission in nbgrader's layout, timed before or after the deadline."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with Gradebook(CourseDirectory(config=course.nbgrader_config()).db_url) as gradebook:
        for student in cohort:
            gradebook.update_or_create_student(
                student.username, first_name=student.first_name, last_name=student.last_name
            )
    for lab_index, lab in enumerate(course.labs):
        if lab not in labs:
            continue
        for student_index, student in enumerate(cohort):
            outcome = outcome_for(student_index, lab_index)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == "missing":
                continue
            offset = timedelta(minutes=rng.randint(1, 90)) if outcome == "late" else -timedelta(minutes=rng.randint(5, 150))
            folder = course.course_dir / "submitted" / student.username / lab
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(student_notebook(course, lab, outcome, rng), folder / f"{lab}.ipynb")
            (folder / "timestamp.txt").write_text((course.deadline_for(lab) + offset).isoformat())
    return counts


def run_demo(settings: CourseSettings, out: Path, students: int = 24, labs: list[str] | None = None) -> None:
    started = time.perf_counter()
    labs = labs or labs_with_source(settings)
    course = prepare_course(settings, Path(out), labs)
    cohort = synthetic_cohort(students)
    print(f"demo course: {course.course_dir} ({students} students, labs {', '.join(labs)})")
    counts = hand_in(course, cohort, labs)
    print("handed in: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    for lab in labs:
        summary = autograde(course, lab, require_sandbox=True)
        print(summary.describe())
    gradecenter = course.course_dir / GRADE_CENTER_FILE
    if not gradecenter.exists():  # until the hand-in step writes Blackboard's own download, make one here
        grade_center_download(course, cohort, gradecenter)
    write_demo_mitigations(course, cohort, labs)
    marks = write_marks(course, gradecenter)
    print(marks.describe())
    for lab in labs:
        print(write_feedback(course, lab).describe())
    report = write_report(course)
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s; it wrote:")
    print(f"  gradebook    {course.course_dir / 'gradebook.db'}")
    print(f"  autograded   {course.course_dir / 'autograded'}")
    print(f"  feedback     {course.course_dir / 'feedback'}")
    print(f"  upload file  {marks.upload}")
    print(f"  marks.csv    {marks.breakdown}")
    print(f"  report       {report}")


GRADE_CENTER_FILE = "gradecenter.csv"


def grade_center_download(course: CourseSettings, cohort: list[DemoStudent], path: Path, seed: int = 2027) -> Path:
    """A Grade Center download as Blackboard writes it (quoted UTF-8 CSV with a byte-order mark).

    Every configured column exists with its points; the research assignment is marked for most students
    and "Needs Grading" for the rest, so the module mark's blank rule shows.
    """
    rng = random.Random(seed)
    columns = {key: f"{name} [Total Pts: {expected_points(course, key) if key != 'assignment' else 100} Score] "
                    f"|{1234567 + index}" for index, (key, name) in enumerate(course.blackboard_columns.items())}
    header = ["Last Name", "First Name", "Username", "Student ID", "Last Access", "Availability", *columns.values()]
    rows = []
    for student in cohort:
        assignment = f"{rng.randint(400, 850) / 10:.1f}" if rng.random() < 0.85 else "Needs Grading"
        cells = {column: "" for column in columns.values()} | {columns["assignment"]: assignment}
        rows.append([student.last_name, student.first_name, student.username, student.student_id,
                     "2027-03-10 09:00:00", "Yes", *cells.values()])

    def write(out):
        out.write("\ufeff")
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)

    write_atomically(path, write)
    return path


def write_demo_mitigations(course: CourseSettings, cohort: list[DemoStudent], labs: list[str]) -> None:
    """The student office's decisions for the demo: an exemption, and an extension for a late student."""
    lab = labs[0]
    late = next(index for index in range(len(cohort)) if outcome_for(index, course.labs.index(lab)) == "late")
    until = course.deadline_for(lab) + timedelta(hours=2)
    (course.course_dir / "mitigations.csv").write_text(
        "username,lab,kind,until,reference\n"
        f"{cohort[1].username},{lab},exempt,,MC-DEMO-1\n"
        f"{cohort[late].username},{lab},extension,{until:%Y-%m-%d %H:%M},MC-DEMO-2\n", encoding="utf-8")
