"""Review: a person looks at one submission, decides, and the decision sticks, with a record of why.

Decisions go to ``reviews.jsonl`` in the course folder, one JSON line each, only ever appended: who
(``--by`` or the OS user), when, what (``accept``: the autograde stands; ``set``: a task's points;
``zero``: every task 0), why (the note) and the hash of the submission folder the decision was made
on. A decision holds while that submission is unchanged: it clears the submission's review flags, and
its points are written to nbgrader's gradebook as manual scores (so ``marks``, ``feedback``, ``report``
and formgrader all see them), again after every regrade. When the submission changes (a newer attempt
collected), its decisions stop applying, the points they set are taken back, and the submission is
flagged for review again.
"""

from __future__ import annotations

import difflib
import getpass
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .settings import CourseError, CourseSettings

DECISIONS_FILE = "reviews.jsonl"
ACTIONS = ("accept", "set", "zero")


@dataclass(frozen=True)
class Decision:
    lab: str
    student: str
    action: str  # accept, set or zero
    task: str | None  # the test cell, for set
    points: str | None  # exact decimal text, for set
    note: str
    by: str
    at: str  # ISO 8601, UTC
    submission: str  # sha256 of the submission folder it was made on

    def describe(self) -> str:
        what = {"accept": "accepted the autograde", "zero": "set every task to 0",
                "set": f"set {self.task} to {self.points}"}[self.action]
        return f"{self.at} {self.by} {what}: {self.note}"


def submission_hash(course_dir: Path, student: str, lab: str) -> str | None:
    """sha256 over the names and bytes of every file handed in (None when there is no submission)."""
    folder = Path(course_dir) / "submitted" / student / lab
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_decisions(course_dir: Path) -> list[Decision]:
    path = Path(course_dir) / DECISIONS_FILE
    if not path.is_file():
        return []
    decisions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            decision = Decision(**json.loads(line))
        except (ValueError, TypeError) as error:
            raise CourseError(f"{path}:{number}: not a review decision ({error}); the file is only ever appended to, "
                              "so this line was edited by hand") from None
        decisions.append(decision)
    return decisions


def append_decision(course_dir: Path, decision: Decision) -> None:
    """One line added at the end, flushed to disk; earlier lines are never rewritten."""
    with open(Path(course_dir) / DECISIONS_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(decision), ensure_ascii=False, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class Standing:
    """A submission's decisions: those on the submission as it is now, and those on an earlier one."""

    current: list[Decision]
    stale: list[Decision]

    def points(self) -> dict[str, Decimal | None]:
        """Task -> points the current decisions set (None: a zero for "every task", resolved by the caller)."""
        chosen: dict[str, Decimal | None] = {}
        for decision in self.current:
            if decision.action == "zero":
                chosen = {"*": Decimal(0)}
            elif decision.action == "set":
                chosen[decision.task] = Decimal(decision.points)
        return chosen

    def flags(self) -> list[str]:
        if self.current or not self.stale:
            return []
        last = self.stale[-1]
        return [f"review again: the submission changed after {last.by}'s decision of {last.at} ({last.action}: {last.note})"]


def standings(settings: CourseSettings, lab: str, students: list[str] | None = None) -> dict[str, Standing]:
    """By student, for everyone with a decision on this lab (or only ``students``: each standing hashes
    that student's submission)."""
    grouped: dict[str, list[Decision]] = {}
    for decision in read_decisions(settings.course_dir):
        if decision.lab == lab and (students is None or decision.student in students):
            grouped.setdefault(decision.student, []).append(decision)
    found = {}
    for student, decisions in grouped.items():
        now = submission_hash(settings.course_dir, student, lab)
        found[student] = Standing([d for d in decisions if d.submission == now], [d for d in decisions if d.submission != now])
    return found


def outstanding_flags(settings: CourseSettings, lab: str) -> dict[str, list[str]]:
    """Reasons a submission still needs a person: the autograde's flags unless a decision on the submission
    as it is now settled them, and decisions made on an earlier submission."""
    from .autograde import review_flags

    flags = review_flags(settings.course_dir, lab)
    for student, standing in standings(settings, lab).items():
        if standing.current:
            flags.pop(student, None)
        elif standing.stale and (settings.course_dir / "submitted" / student / lab).is_dir():
            flags[student] = [*flags.get(student, []), *standing.flags()]
    return flags


def apply_to_gradebook(settings: CourseSettings, lab: str, students: list[str] | None = None) -> None:
    """Write the current decisions' points as manual scores; take back those of stale decisions."""
    from .gradebook import open_gradebook

    chosen = standings(settings, lab, students)  # autograde records one student at a time: hash only theirs
    if not chosen:
        return
    with open_gradebook(settings) as gb:
        for student, standing in sorted(chosen.items()):
            points = standing.points()
            taken_back = {d.task for d in standing.stale if d.action == "set"} | (
                {"*"} if any(d.action == "zero" for d in standing.stale) else set())
            try:
                submission = gb.find_submission(lab, student)
            except Exception:  # not graded (yet): applied when autograde records it
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if "*" in points or grade.name in points:
                        grade.manual_score = float(points.get(grade.name, points.get("*")))
                        grade.needs_manual_grade = False  # a person has decided
                    elif grade.name in taken_back or "*" in taken_back:
                        grade.manual_score = None
            gb.db.commit()


def decide(settings: CourseSettings, lab: str, student: str, action: str, note: str, by: str | None = None,
           task: str | None = None, points: str | None = None) -> Decision:
    """Check, record and apply one decision on one graded submission."""
    from .autograde import test_records

    if action not in ACTIONS:
        raise CourseError(f"unknown review decision {action!r}: choose one of {', '.join(ACTIONS)}")
    if not note or not note.strip():
        raise CourseError("a review decision needs --note: why it was made")
    records = test_records(settings.course_dir, student, lab)
    now = submission_hash(settings.course_dir, student, lab)
    if now is None or not records:
        raise CourseError(f"{student} has no graded {lab} submission to review; run `labgrade autograde {lab}` first")
    if action == "set":
        from .notebooks import max_points, read_notebook
        from .release import source_notebook

        maxima = max_points(read_notebook(source_notebook(settings, lab)))
        if task not in maxima:
            raise CourseError(f"{lab} has no task {task!r}; its tasks are {', '.join(maxima)}")
        try:
            value = Decimal(points)
        except (InvalidOperation, TypeError):
            raise CourseError(f"--set {task} {points!r}: points must be a number") from None
        if not value.is_finite() or not 0 <= value <= maxima[task]:
            raise CourseError(f"--set {task} {points}: points must be between 0 and {maxima[task]}")
        points = str(value)
    decision = Decision(lab, student, action, task if action == "set" else None, points if action == "set" else None,
                        note.strip(), by or getpass.getuser(), datetime.now(timezone.utc).isoformat(timespec="seconds"), now)
    append_decision(settings.course_dir, decision)
    apply_to_gradebook(settings, lab, [student])
    return decision


# --- what staff read in a terminal ---------------------------------------------------------------


def flagged_listing(settings: CourseSettings, lab: str) -> str:
    flags = outstanding_flags(settings, lab)
    decided = {student for student, standing in standings(settings, lab).items() if standing.current}
    lines = [f"{lab}: {len(flags)} submission(s) need review; {len(decided)} reviewed"]
    for student, reasons in sorted(flags.items()):
        lines.append(f"  {student}")
        lines += [f"    - {reason}" for reason in reasons]
    return "\n".join(lines)


def student_report(settings: CourseSettings, lab: str, student: str) -> str:
    """What the student changed against the release, each task's result, and the decisions so far."""
    from .autograde import review_flags, test_records
    from .feedback import task_outcome
    from .notebooks import max_points, read_notebook, solution_cells
    from .release import released_notebook, source_notebook
    from .tamper import _grade_id, assemble

    source, released = read_notebook(source_notebook(settings, lab)), read_notebook(released_notebook(settings.course_dir, lab))
    folder = settings.course_dir / "submitted" / student / lab
    notebook_path = folder / f"{lab}.ipynb"
    lines = [f"{student} {lab}: {folder}"]
    try:
        submitted = read_notebook(notebook_path)
    except CourseError as error:
        submitted = None
        lines.append(f"  not readable as a notebook: {error}")
    stubs, known = solution_cells(released), {_grade_id(cell) for cell in source.cells if _grade_id(cell)}
    if submitted is not None:
        lines.append("answer cells:")
        theirs = solution_cells(submitted)
        for grade_id, stub in stubs.items():
            answer = theirs.get(grade_id)
            if answer is None:
                lines.append(f"  {grade_id}: missing from the notebook")
            elif answer.source.strip() == stub.source.strip():
                lines.append(f"  {grade_id}: unchanged (as released)")
            else:
                lines.append(f"  {grade_id}: changed")
                diff = difflib.unified_diff(stub.source.splitlines(), answer.source.splitlines(), "released", "handed in", lineterm="", n=1)
                lines += [f"      {line}" for line in list(diff)[2:40]]
        added = [cell for cell in submitted.cells if _grade_id(cell) not in known]
        lines.append(f"cells the student added: {len(added)}")
        for cell in added[:20]:
            first = next((line for line in cell.source.splitlines() if line.strip()), "(empty)")
            lines.append(f"  {cell.cell_type}: {first[:100]}")
        lines += [f"  ! {flag}" for flag in assemble(submitted, source, released).flags]
    lines.append("tasks:")
    records, maxima = test_records(settings.course_dir, student, lab), max_points(source)
    standing = standings(settings, lab, [student]).get(student, Standing([], []))
    overrides = standing.points()
    for grade_id, maximum in maxima.items():
        outcome = task_outcome(records.get(grade_id)) if records else None
        points = overrides.get(grade_id, overrides.get("*"))
        auto = maximum if outcome and outcome.kind == "passed" else Decimal(0)
        shown = f"{points} / {maximum} (set on review; autograde {auto})" if points is not None else f"{auto} / {maximum}"
        lines.append(f"  {grade_id}: {shown}  {outcome.sentence() if outcome else 'not graded'}")
    autograde_flags = review_flags(settings.course_dir, lab).get(student, [])
    lines.append("autograde flags: " + ("; ".join(autograde_flags) if autograde_flags else "none"))
    for title, decisions in (("decisions on this submission", standing.current), ("decisions on an earlier submission", standing.stale)):
        if decisions:
            lines.append(f"{title}:")
            lines += [f"  {decision.describe()}" for decision in decisions]
    return "\n".join(lines)
