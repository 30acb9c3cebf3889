"""Marks: the gradebook and the Grade Center download in, the Blackboard upload and a breakdown out.

Arithmetic is exact: every score, weight and Grade Center number becomes a ``Fraction`` and nothing is
rounded until :func:`round_half_up`, the one rounding rule (ties go up: 69.5 -> 70, 1.005 -> 1.01).
It rounds three things: a lab mark to two decimals, the module mark to a whole number, and figures
shown to people (never fed back into a sum).

The rules, as staff and students can check them against Blackboard:

- lab mark = lab_weight x score / maximum for the lab, two decimals; 0.00 when nothing was handed in,
  and 0.00 when late under ``late_policy = 'zero'`` (an extension moves the student's deadline first);
- lab total = the sum of the student's non-exempt lab marks, as uploaded;
- assignment mark = assignment_weight x Grade Center score / the column's Total Pts, unrounded;
- module mark = (lab total + assignment mark) x 100 / (the weights of what is not exempt), rounded to
  a whole number. Exempt from one lab: (7 labs x 2 + 84 = 98) is renormalised to 100. The lab marks
  enter as uploaded, so the module mark can be recomputed from Blackboard's own cells. A research
  assignment Blackboard shows as "Exempt" is left out of the weights the same way.

Exempt labs. An exempt lab is left out of the lab total and of the weights. Its upload cell is never
set: it carries the value the download already holds (normally Blackboard's own "Exempt", which staff
set with Blackboard's Exempt Grade), so Blackboard sees no change there. We do not write "Exempt" or
a blank ourselves because what Blackboard does with either in an upload is not documented. The lab
total is the plain sum over the labs the student did not skip, not scaled up to 16: scaling would add
a second rounding, and the plain sum is exactly what enters the module mark. The same "carry the
download's value" rule fills the module mark cell while it is blank (assignment unmarked, a lab not
graded yet); ``MarkSheet.notices`` lists any such cell that holds something stale.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .deadlines import minutes_late, student_deadline
from .files import write_atomically
from .gradecenter import GradeCenter, GradeColumn
from .mitigations import Mitigation
from .settings import CourseError, CourseSettings

EXEMPT_TEXT = "Exempt"
# Cell texts Blackboard writes where no grade has been given yet.
NOT_GRADED_TEXTS = {"", "needs grading", "needs marking", "in progress", "attempt in progress"}
ON_TIME, LATE, MISSING, EXEMPT = "on time", "late", "missing", "exempt"


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """The only rounding rule for marks: to ``places`` decimals, exact ties away from zero."""
    scaled = Fraction(value) * 10**places
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(whole if scaled >= 0 else -whole).scaleb(-places)


def as_fraction(number) -> Fraction:
    """An exact copy of a score; floats from the gradebook go via their shortest decimal form (0.1 is 1/10)."""
    return Fraction(Decimal(str(number)))


@dataclass(frozen=True)
class Attempt:
    """What the gradebook holds for one student's lab: the graded submission."""

    score: Fraction
    max_score: Fraction
    submitted: datetime | None  # aware
    graded: bool  # every test cell has a score


@dataclass(frozen=True)
class LabResult:
    """One student's lab after the late policy and mitigations: the row of marks.csv."""

    lab: str
    status: str  # on time, late, missing, exempt
    mark: Decimal | None  # None when exempt
    attempt: Attempt | None
    deadline: datetime
    minutes_late: int
    policy: str  # the rule that gave the mark, in words
    exemption: str
    flags: tuple[str, ...]


def lab_result(settings: CourseSettings, lab: str, attempt: Attempt | None, mitigation: Mitigation | None,
               flags: tuple[str, ...] = (), exempt_in_blackboard: bool = False) -> LabResult:
    """Apply exemption, extension and late policy to one student's lab."""
    deadline = student_deadline(settings, lab, mitigation)
    extension = f"extension to {deadline:%Y-%m-%d %H:%M}; " if mitigation and mitigation.kind == "extension" else ""
    exemption = ""
    if mitigation and mitigation.kind == "exempt":
        exemption = f"exempt (mitigations.csv{' ' + mitigation.reference if mitigation.reference else ''})"
    elif exempt_in_blackboard:
        exemption = "exempt (Blackboard)"
    if exemption:
        return LabResult(lab, EXEMPT, None, attempt, deadline, 0, "left out, weights renormalised", exemption, flags)
    if attempt is None:
        return LabResult(lab, MISSING, Decimal("0.00"), None, deadline, 0, "no submission: 0", "", flags)
    late_by = minutes_late(attempt.submitted, deadline, settings.grace_minutes) if attempt.submitted else 0
    mark = round_half_up(Fraction(settings.lab_weight) * attempt.score / attempt.max_score, 2)
    if not late_by:
        return LabResult(lab, ON_TIME, mark, attempt, deadline, 0, f"{extension}on time", "", flags)
    if settings.late_policy == "zero":
        return LabResult(lab, LATE, Decimal("0.00"), attempt, deadline, late_by, f"{extension}late: zero", "", flags)
    return LabResult(lab, LATE, mark, attempt, deadline, late_by, f"{extension}late: accepted", "", flags)


@dataclass(frozen=True)
class AssignmentMark:
    """The research assignment as the Grade Center has it: marked, unmarked or exempt."""

    raw: str  # the cell as downloaded
    mark: Fraction | None  # out of assignment_weight; None unless marked
    exempt: bool = False


def assignment_mark(cell: str, column: GradeColumn, weight: Decimal, where: str) -> AssignmentMark:
    """Scale a Grade Center cell from the column's Total Pts to ``weight``; status texts are not marks."""
    text = cell.strip()
    if text.lower() == EXEMPT_TEXT.lower():
        return AssignmentMark(text, None, exempt=True)
    if text.lower() in NOT_GRADED_TEXTS:
        return AssignmentMark(text, None)
    percent = text.endswith("%")
    try:
        value = Fraction(Decimal(text.rstrip("%").strip()))
    except (ArithmeticError, ValueError):
        raise CourseError(f"{where}: {column.name!r} holds {text!r}, neither a score nor a status Blackboard writes "
                          "(set the column's primary display to Score)") from None
    if value < 0:
        raise CourseError(f"{where}: {column.name!r} holds a negative score {text!r}")
    fraction_of_total = value / 100 if percent else value / Fraction(column.points)
    return AssignmentMark(text, Fraction(weight) * fraction_of_total)


@dataclass(frozen=True)
class ModuleMark:
    mark: Decimal | None
    why_blank: str = ""


def module_mark(settings: CourseSettings, labs: list[LabResult], assignment: AssignmentMark,
                labs_not_graded: list[str] = ()) -> ModuleMark:
    """Weighted sum over what is not exempt, renormalised to 100 and rounded half up to a whole number."""
    if labs_not_graded:
        return ModuleMark(None, f"not graded yet: {', '.join(labs_not_graded)}")
    if assignment.mark is None and not assignment.exempt:
        return ModuleMark(None, f"assignment unmarked ({assignment.raw or 'blank'})")
    counted = [result for result in labs if result.status != EXEMPT]
    weights = Fraction(settings.lab_weight) * len(counted) + (0 if assignment.exempt else Fraction(settings.assignment_weight))
    if weights == 0:
        return ModuleMark(None, "exempt from every part of the module")
    total = sum((Fraction(result.mark) for result in counted), Fraction(0)) + (assignment.mark or 0)
    return ModuleMark(round_half_up(total * 100 / weights, 0))


def labs_total(labs: list[LabResult]) -> Decimal:
    return sum((result.mark for result in labs if result.mark is not None), Decimal("0.00"))


def csv_text(header: list[str], rows: list[dict], delimiter: str = ",", quoting: int = csv.QUOTE_ALL) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, quoting=quoting)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@dataclass(frozen=True)
class TaskScore:
    """One graded test cell of a submission."""

    name: str
    score: Fraction
    max_score: Fraction

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class GradebookMarks:
    """What the marks need from nbgrader's gradebook, read once and closed again."""

    names: dict[str, tuple[str, str]]  # username -> (last name, first name)
    max_scores: dict[str, Fraction]  # labs the gradebook knows
    attempts: dict[tuple[str, str], Attempt]
    tasks: dict[tuple[str, str], list[TaskScore]]


def read_gradebook(settings: CourseSettings) -> GradebookMarks:
    from .gradebook import describe, open_gradebook

    data = GradebookMarks({}, {}, {}, {})
    with open_gradebook(settings, existing=True) as gradebook:
        for student in gradebook.students:
            data.names[student.id] = (student.last_name or "", student.first_name or "")
        for assignment in gradebook.assignments:
            if assignment.name not in settings.lab_dates:
                continue
            if not assignment.max_score:
                raise CourseError(f"{describe(settings.gradebook_url)}: {assignment.name} has no graded test cells (maximum score 0)")
            data.max_scores[assignment.name] = as_fraction(assignment.max_score)
            for submission in assignment.submissions:
                grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
                submitted = submission.timestamp.replace(tzinfo=timezone.utc) if submission.timestamp else None
                graded = all(grade.auto_score is not None or grade.manual_score is not None for grade in grades)
                key = (submission.student.id, assignment.name)
                data.attempts[key] = Attempt(as_fraction(submission.score), data.max_scores[assignment.name], submitted, graded)
                data.tasks[key] = [TaskScore(grade.name, as_fraction(grade.score), as_fraction(grade.max_score))
                                   for grade in grades]
    return data


@dataclass
class StudentMarks:
    username: str
    last_name: str
    first_name: str
    labs: list[LabResult]
    labs_total: Decimal
    assignment: AssignmentMark
    module: ModuleMark
    in_download: bool

    @property
    def flags(self) -> list[str]:
        return [f"{result.lab}: {flag}" for result in self.labs for flag in result.flags]


@dataclass
class MarkSheet:
    """Everyone's marks plus what staff must know before uploading them."""

    students: list[StudentMarks]
    labs: list[str]  # labs in the gradebook: their columns are set
    labs_not_graded: list[str]
    notices: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[StudentMarks]:
        return [student for student in self.students if student.flags]

    @property
    def not_in_download(self) -> list[StudentMarks]:
        return [student for student in self.students if not student.in_download]

    @property
    def without_submissions(self) -> list[StudentMarks]:
        return [student for student in self.students if student.in_download and self.labs
                and all(result.attempt is None for result in student.labs)]


def own_flags(attempt: Attempt | None, blackboard_cell: str) -> list[str]:
    """Reasons of our own to hold a student's marks back for a person to check."""
    flags = []
    if attempt is not None and not attempt.graded:
        flags.append("submitted but not autograded")
    if attempt is not None and attempt.submitted is None:
        flags.append("no submission time in the gradebook, so lateness is unknown")
    if attempt is None and blackboard_cell.lower() in NOT_GRADED_TEXTS - {""}:
        flags.append(f"Blackboard shows a submission ({blackboard_cell!r}) the gradebook does not have: collect again")
    return flags


def student_marks(settings: CourseSettings, username: str, names: tuple[str, str], gradebook: GradebookMarks,
                  labs: list[str], cells: dict[str, str], assignment: AssignmentMark,
                  mitigations: dict[tuple[str, str], Mitigation], review: dict[str, dict[str, list[str]]],
                  labs_not_graded: list[str], in_download: bool) -> StudentMarks:
    """One student's marks; ``cells`` holds the student's download cells by lab (empty when not downloaded)."""
    results = []
    for lab in labs:
        attempt = gradebook.attempts.get((username, lab))
        cell = cells.get(lab, "")
        flags = tuple(review.get(lab, {}).get(username, [])) + tuple(own_flags(attempt, cell))
        results.append(lab_result(settings, lab, attempt, mitigations.get((username, lab)), flags,
                                  exempt_in_blackboard=cell.lower() == EXEMPT_TEXT.lower()))
    module = module_mark(settings, results, assignment, labs_not_graded)
    if not in_download:
        module = ModuleMark(None, "not in the Grade Center download")
    return StudentMarks(username, *names, results, labs_total(results), assignment, module, in_download)


def expected_points(settings: CourseSettings, key: str) -> Decimal:
    if key == "labs_total":
        return settings.lab_weight * len(settings.labs)
    return Decimal(100) if key == "module" else settings.lab_weight


def upload_headers(settings: CourseSettings, center: GradeCenter, keys: list[str], create_missing: bool,
                   notices: list[str]) -> dict[str, str]:
    """Each set column's header exactly as downloaded; a missing column stops us unless staff allow creating it."""
    headers, missing = {}, []
    for key in keys:
        name, points = settings.blackboard_columns[key], expected_points(settings, key)
        column = center.column(name)
        if column is None:
            missing.append(f"{name!r} (Score, Points Possible {points:g})")
            headers[key] = name
            continue
        if column.calculated:
            raise CourseError(f"{center.path}: {name!r} is a calculated column: Blackboard computes it and takes no "
                              f"upload; make it a Score column with Points Possible {points:g}")
        if column.points != points:
            raise CourseError(f"{center.path}: {name!r} has Total Pts {column.points:g} but its marks are out of "
                              f"{points:g}: edit the column's Points Possible in Blackboard and download again")
        headers[key] = column.header
    if missing and not create_missing:
        raise CourseError(f"{center.path}: no Grade Center column {', '.join(missing)}. Create it in Blackboard "
                          "(Grade Center > Create Column) with those points, download the Grade Center again and "
                          "rerun; or pass --create-missing to let the upload create it")
    if missing:
        notices.append(f"the upload creates column(s) {', '.join(missing)}: Blackboard makes such columns Text with 0 "
                       "points, outside every calculated total; edit them in Blackboard after the upload")
    return headers


def mark_sheet(settings: CourseSettings, center: GradeCenter, gradebook: GradebookMarks,
               mitigations: dict[tuple[str, str], Mitigation], review: dict[str, dict[str, list[str]]]) -> MarkSheet:
    """Everyone's marks: each student in the download, then students graded but not in it."""
    labs = [lab for lab in settings.labs if lab in gradebook.max_scores]
    sheet = MarkSheet([], labs, [lab for lab in settings.labs if lab not in gradebook.max_scores])
    column = center.column(settings.blackboard_columns["assignment"])
    if column is None:
        raise CourseError(f"{center.path}: no Grade Center column {settings.blackboard_columns['assignment']!r} "
                          "for the research assignment; create it in Blackboard and download the Grade Center again")
    if column.points <= 0:
        raise CourseError(f"{center.path}: {column.name!r} has Total Pts {column.points:g}; a marked column needs points")
    lab_columns = {lab: center.column(settings.blackboard_columns[lab]) for lab in labs}
    for line, row in enumerate(center.table.to_dict("records"), start=2):
        username = row["Username"]
        names = (row.get("Last Name", ""), row.get("First Name", ""))
        cells = {lab: row[column.header] for lab, column in lab_columns.items() if column is not None}
        assignment = assignment_mark(row[column.header], column, settings.assignment_weight, f"{center.path}:{line} ({username})")
        sheet.students.append(student_marks(settings, username, names, gradebook, labs, cells, assignment,
                                            mitigations, review, sheet.labs_not_graded, in_download=True))
        for lab, cell in cells.items():
            mitigation = mitigations.get((username, lab))
            if mitigation and mitigation.kind == "exempt" and cell.lower() != EXEMPT_TEXT.lower():
                sheet.notices.append(f"{username} is exempt from {lab} (mitigations.csv) but Blackboard's "
                                     f"{lab_columns[lab].name!r} shows {cell!r}: set Exempt Grade there")
    downloaded = set(center.table["Username"])
    graded = sorted({username for username, _ in gradebook.attempts} - downloaded)
    for username in graded:
        sheet.students.append(student_marks(settings, username, gradebook.names.get(username, ("", "")), gradebook,
                                            labs, {}, AssignmentMark("", None), mitigations, review,
                                            sheet.labs_not_graded, in_download=False))
    return sheet


def upload_rows(sheet: MarkSheet, center: GradeCenter, headers: dict[str, str], include_flagged: bool) -> list[dict]:
    """Rows of the upload file: downloaded students, without flagged ones unless staff include them.

    A cell we do not set (exempt lab, blank module mark) carries the download's value, so Blackboard sees no change.
    """
    downloaded = center.table.set_index("Username")
    rows = []
    for student in sheet.students:
        if not student.in_download or (student.flags and not include_flagged):
            continue
        current = downloaded.loc[student.username]
        row = {"Username": student.username}
        for result in student.labs:
            header = headers[result.lab]
            row[header] = str(result.mark) if result.mark is not None else current.get(header, "")
        row[headers["labs_total"]] = str(student.labs_total)
        module_header = headers["module"]
        row[module_header] = str(student.module.mark) if student.module.mark is not None else current.get(module_header, "")
        rows.append(row)
    return rows


def stale_cells(sheet: MarkSheet, rows: list[dict], headers: dict[str, str]) -> list[str]:
    """Carried cells that hold something other than blank or Exempt: staff should look at them."""
    by_user = {student.username: student for student in sheet.students}
    notices = []
    for row in rows:
        student = by_user[row["Username"]]
        module = row[headers["module"]]
        if student.module.mark is None and module:
            notices.append(f"{student.username}: the module mark is blank now ({student.module.why_blank}) but "
                           f"Blackboard holds {module!r}; the upload leaves it")
    return notices


def write_upload(path: Path, header: list[str], rows: list[dict], tab: bool) -> None:
    """Blackboard's upload: UTF-8, every value quoted when comma-delimited, plain when tab-delimited."""
    text = csv_text(header, rows, "\t", csv.QUOTE_MINIMAL) if tab else csv_text(header, rows)
    write_atomically(path, text)


BREAKDOWN_FIELDS = [
    "username", "last_name", "first_name", "lab", "status", "score", "max_score", "submitted", "deadline",
    "minutes_late", "policy", "exemption", "flags", "lab_mark", "labs_total", "assignment_cell",
    "assignment_mark", "module_mark", "module_blank_because", "in_upload",
]


def shown(value: Fraction | None, places: int = 2) -> str:
    return "" if value is None else str(round_half_up(value, places))


def breakdown_rows(sheet: MarkSheet, settings: CourseSettings, include_flagged: bool) -> list[dict]:
    """marks.csv: one row per student and lab, with the student's totals repeated on each."""
    rows = []
    for student in sheet.students:
        if not student.in_download:
            in_upload = "no: not in the Grade Center download"
        elif student.flags and not include_flagged:
            in_upload = "no: needs review"
        else:
            in_upload = "yes"
        for result in student.labs:
            attempt = result.attempt
            rows.append({
                "username": student.username, "last_name": student.last_name, "first_name": student.first_name,
                "lab": result.lab, "status": result.status,
                "score": shown(attempt.score if attempt else None), "max_score": shown(attempt.max_score if attempt else None),
                "submitted": attempt.submitted.astimezone(settings.timezone).isoformat() if attempt and attempt.submitted else "",
                "deadline": result.deadline.isoformat(), "minutes_late": result.minutes_late, "policy": result.policy,
                "exemption": result.exemption, "flags": "; ".join(result.flags),
                "lab_mark": "" if result.mark is None else str(result.mark), "labs_total": str(student.labs_total),
                "assignment_cell": student.assignment.raw, "assignment_mark": shown(student.assignment.mark),
                "module_mark": "" if student.module.mark is None else str(student.module.mark),
                "module_blank_because": student.module.why_blank, "in_upload": in_upload,
            })
    return rows


def write_breakdown(path: Path, rows: list[dict]) -> None:
    write_atomically(path, csv_text(BREAKDOWN_FIELDS, rows))


@dataclass
class MarksRun:
    gradecenter: Path
    sheet: MarkSheet
    upload: Path
    breakdown: Path
    uploaded: int
    changed: list | None = None  # changes.StudentChange since the last run (None: this is the first)

    def describe(self) -> str:
        sheet = self.sheet
        lines = [f"read {self.gradecenter}", f"marks for {len(sheet.students)} student(s), labs {', '.join(sheet.labs) or 'none'}; "
                 f"{self.uploaded} row(s) in the upload"]
        if sheet.labs_not_graded:
            lines.append(f"not in the gradebook yet (columns left out): {', '.join(sheet.labs_not_graded)}")
        blank: dict[str, list[str]] = {}
        for student in sheet.students:
            if student.in_download and student.module.mark is None:
                blank.setdefault(student.module.why_blank, []).append(student.username)
        for why, usernames in blank.items():
            lines.append(f"module mark blank for {len(usernames)} ({why}): {', '.join(usernames[:8])}"
                         + (" ..." if len(usernames) > 8 else ""))
        for title, students in (("needs review (left out of the upload unless --include-flagged)", sheet.flagged),
                                ("graded but not in the Grade Center download", sheet.not_in_download),
                                ("enrolled with no submissions", sheet.without_submissions)):
            if students:
                lines.append(f"{title}: {len(students)}")
                lines += [f"  {s.username}: " + ("; ".join(s.flags) if title.startswith("needs") else f"{s.first_name} {s.last_name}".strip())
                          for s in students]
        lines += [f"note: {notice}" for notice in sheet.notices]
        if self.changed is not None:
            lines.append(f"changed since the last run: {len(self.changed)} student(s)")
            lines += [f"  {change.username}: {line}" for change in self.changed for line in change.lines]
        lines += [f"upload file  {self.upload}", f"breakdown    {self.breakdown}"]
        return "\n".join(lines)


def latest_download(path: str | Path) -> Path:
    """The Grade Center download to read: the file given, or the newest .csv/.xls in the folder given."""
    path = Path(path)
    if not path.is_dir():
        return path
    downloads = [file for file in path.iterdir() if file.suffix.lower() in (".csv", ".xls") and file.is_file()]
    if not downloads:
        raise CourseError(f"{path}: no Grade Center download (.csv or .xls) in this folder")
    return max(downloads, key=lambda file: file.stat().st_mtime)


def write_marks(settings: CourseSettings, gradecenter: str | Path, out: str | Path | None = None, tab: bool = False,
                create_missing: bool = False, include_flagged: bool = False, changes_only: bool = False) -> MarksRun:
    """`labgrade marks`: the upload file and marks.csv from the gradebook and a Grade Center download;
    what changed since the last run (its marks.csv), and with ``changes_only`` an upload of just those."""
    from .changes import changes, read_baseline
    from .gradecenter import read_grade_center
    from .mitigations import read_mitigations
    from .review import outstanding_flags

    center = read_grade_center(latest_download(gradecenter))
    mitigations = read_mitigations(settings)
    gradebook = read_gradebook(settings)
    review = {lab: outstanding_flags(settings, lab) for lab in settings.labs if lab in gradebook.max_scores}
    sheet = mark_sheet(settings, center, gradebook, mitigations, review)
    headers = upload_headers(settings, center, [*sheet.labs, "labs_total", "module"], create_missing, sheet.notices)
    rows = upload_rows(sheet, center, headers, include_flagged)
    sheet.notices += stale_cells(sheet, rows, headers)
    breakdown = settings.course_dir / "marks.csv"
    baseline, now = read_baseline(breakdown), breakdown_rows(sheet, settings, include_flagged)
    changed = None if baseline is None else changes(baseline, now, review_notes(settings, sheet.labs))
    if changes_only:
        if changed is None:
            raise CourseError(f"{breakdown}: no earlier run to compare with; run `labgrade marks` without --changes-only first")
        moved = {change.username for change in changed}
        rows = [row for row in rows if row["Username"] in moved]
    upload = Path(out) if out else settings.course_dir / ("upload.xls" if tab else "upload.csv")
    write_upload(upload, ["Username", *headers.values()], rows, tab)
    write_breakdown(breakdown, now)
    return MarksRun(center.path, sheet, upload, breakdown, len(rows), changed)


def review_notes(settings: CourseSettings, labs: list[str]) -> dict[tuple[str, str], str]:
    """(student, lab) -> the latest review decision standing on that submission, in words."""
    from .review import standings

    return {(student, lab): standing.current[-1].describe()
            for lab in labs for student, standing in standings(settings, lab).items() if standing.current}
