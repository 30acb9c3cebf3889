"""Feedback: one HTML page per student and lab, safe to hand to the student.

nbgrader's feedback is the autograded notebook, hidden tests and all (nbgrader #917, #1363). Here the
page is assembled from parts that are safe by construction: the student's own answer cells, each test
cell as the *released* notebook shows it (hidden tests were never in it), and per task the points the
gradebook holds. Where a test failed comes from the judge's own record (``tests.json``, written by
autograde from the line of the test cell the judge's traceback stopped at), never from text that
student code printed. Each task is "passed", "not answered" (its answer cells as released), "failed a
visible test" (with that line and its error), "failed a hidden test" (nothing more: assertion messages
may hold expected values) or "did not run" (with why: the kernel stopped, a time limit).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from .files import write_atomically
from .marks import TaskScore, lab_result, read_gradebook, shown
from .mitigations import read_mitigations
from .autograde import test_records
from .notebooks import HIDDEN_FAILURE, grade_cells, nbgrader_meta, read_notebook
from .release import released_notebook
from .review import standings
from .settings import CourseError, CourseSettings

PASSED, NOT_ANSWERED, FAILED_VISIBLE, FAILED_HIDDEN, DID_NOT_RUN = (
    "passed", "not answered", "failed a visible test", "failed a hidden test", "did not run")
NO_RECORD = "failed"  # the gradebook says so, but the judge's record (tests.json) is missing


@dataclass(frozen=True)
class Outcome:
    """What happened to one task, as a student may be told it."""

    kind: str  # one of the six above
    detail: str = ""  # the failing visible line and its error, or why the test did not run

    def sentence(self) -> str:
        if self.kind == FAILED_HIDDEN:
            return HIDDEN_FAILURE
        if self.kind == NOT_ANSWERED:
            return "not answered: the answer cell is as released"
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


def task_outcome(record: dict | None) -> Outcome:
    """A task's outcome from the judge's record of its test (tests.json), never from student output:
    passed; not answered (its answer cells are as released); failed on a visible line (shown with the
    line and the error); failed in the hidden tests (nothing more); or did not run (kernel stopped,
    timed out, never reached)."""
    if record is None:
        return Outcome(NO_RECORD, "the grader's record of where is missing")
    if record.get("passed"):
        return Outcome(PASSED)
    if not record.get("answered", True):
        return Outcome(NOT_ANSWERED)
    if not record.get("reached", True) or not record.get("part"):
        return Outcome(DID_NOT_RUN, record.get("error") or "")
    if record["part"] == "hidden":
        return Outcome(FAILED_HIDDEN)
    return Outcome(FAILED_VISIBLE, f"line {record['released_line']} `{record['code']}`: {record.get('error') or 'failed'}")


def code_html(code: str) -> str:
    return highlight(code, PythonLexer(), HtmlFormatter(noclasses=True, nowrap=False))


def solution_cells_any(nb) -> dict:
    """Answer cells by grade id, code and written ones."""
    return {nbgrader_meta(cell)["grade_id"]: cell for cell in nb.cells if nbgrader_meta(cell).get("solution")}


@dataclass(frozen=True)
class LabTests:
    """A lab's test cells as students see them."""

    order: list[str]  # answer and test cell grade ids in notebook order
    released: dict  # grade id -> released test cell


def lab_tests(settings: CourseSettings, lab: str) -> LabTests:
    released_path = released_notebook(settings.course_dir, lab)
    if not released_path.is_file():
        raise CourseError(f"{released_path}: no released notebook; run `labgrade release {lab}` first")
    released = read_notebook(released_path)
    tests = grade_cells(released)
    order = [nbgrader_meta(cell)["grade_id"] for cell in released.cells
             if nbgrader_meta(cell).get("solution") or nbgrader_meta(cell).get("grade_id") in tests]
    return LabTests(order, tests)


def page(title: str, body: str, style: str = "") -> str:
    """A self-contained page; its policy lets no script run and nothing load, whatever text slipped in."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }}
.pass {{ color: #1a7f37; font-weight: bold; }} .fail {{ color: #c62828; font-weight: bold; }}
.cell {{ border-left: 4px solid #ccc; margin: 1rem 0; padding-left: .8rem; }} .test {{ border-color: #6a8fd0; }}
pre {{ overflow-x: auto; }} .note {{ color: #555; }}
{style}
</style></head><body>
{body}
</body></html>
"""


def outcome_of(task: TaskScore, records: dict) -> Outcome:
    """The judge's outcome for a task; from its points alone when the judge's records are gone."""
    if records:
        return task_outcome(records.get(task.name))
    return Outcome(PASSED) if task.passed else task_outcome(None)


def student_page(settings: CourseSettings, lab: str, username: str, name: str, tests: LabTests, tasks: list[TaskScore],
                 result, autograded, records: dict, reviewed: set[str] = frozenset()) -> str:
    """The feedback page; ``autograded`` is the executed notebook (None if there is none), ``records``
    the judge's record of each test, ``reviewed`` the tasks whose points staff set on review ("*": all)."""
    scores = {task.name: task for task in tasks}
    answers = solution_cells_any(autograded) if autograded is not None else {}
    attempt = result.attempt
    submitted = f"{attempt.submitted.astimezone(settings.timezone):%Y-%m-%d %H:%M %Z}" if attempt and attempt.submitted else "unknown"
    score = f"{shown(sum(t.score for t in tasks))} / {shown(sum(t.max_score for t in tasks))}" if tasks else "none"
    mark = "exempt" if result.mark is None else f"{result.mark} of {settings.lab_weight}"
    parts = [f"<h1>{html.escape(lab)} feedback: {html.escape(name)} ({html.escape(username)})</h1>",
             "<table>",
             f"<tr><th>Submitted</th><td>{html.escape(submitted)}</td></tr>",
             f"<tr><th>Deadline</th><td>{result.deadline:%Y-%m-%d %H:%M %Z}</td></tr>",
             f"<tr><th>Points</th><td>{html.escape(score)}</td></tr>",
             f"<tr><th>Lab mark</th><td>{mark} ({html.escape(result.policy)})</td></tr>",
             "</table>", "<h2>Tasks</h2>", "<table><tr><th>Test</th><th>Result</th><th>Points</th></tr>"]
    for grade_id in tests.released:
        task = scores.get(grade_id)
        if task is None:
            parts.append(f"<tr><td>{html.escape(grade_id)}</td><td>not graded</td><td></td></tr>")
            continue
        outcome = outcome_of(task, records)
        verdict = f'<span class="{"pass" if outcome.kind == PASSED else "fail"}">{html.escape(outcome.kind)}</span>'
        note = " (set by course staff on review)" if grade_id in reviewed or "*" in reviewed else ""
        parts.append(f"<tr><td>{html.escape(grade_id)}</td><td>{verdict}</td><td>{shown(task.score)} / {shown(task.max_score)}{note}</td></tr>")
    parts += ["</table>", "<h2>Your answers and the tests</h2>"]
    for grade_id in tests.order:
        if grade_id in tests.released:
            task = scores.get(grade_id)
            parts.append(f'<div class="cell test"><h3>Test {html.escape(grade_id)}</h3>{code_html(tests.released[grade_id].source)}')
            if task is not None:
                outcome = outcome_of(task, records)
                parts.append(f'<p class="{"pass" if outcome.kind == PASSED else "fail"}">{html.escape(outcome.sentence())}</p>')
            parts.append("</div>")
        else:
            answer = answers.get(grade_id)
            text = answer.source if answer is not None else "(no answer found in your notebook)"
            body = code_html(text) if answer is not None and answer.cell_type == "code" else f"<pre>{html.escape(text)}</pre>"
            parts.append(f'<div class="cell"><h3>Your answer: {html.escape(grade_id)}</h3>{body}</div>')
    if autograded is None:
        parts.append('<p class="note">Your graded notebook was not found, so your answers are not shown.</p>')
    return page(f"{lab} feedback for {username}", "\n".join(parts))


@dataclass
class FeedbackRun:
    lab: str
    written: list[Path] = field(default_factory=list)
    without_notebook: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"{self.lab}: feedback for {len(self.written)} student(s)"
                 + (f" in {self.written[0].parent.parent.parent}" if self.written else "")]
        if self.without_notebook:
            lines.append(f"  no autograded notebook (points only): {', '.join(self.without_notebook)}")
        return "\n".join(lines)


def write_feedback(settings: CourseSettings, lab: str, students: list[str] | None = None) -> FeedbackRun:
    """`labgrade feedback LAB`: a page for every graded submission of the lab."""
    from nbgrader.coursedir import CourseDirectory

    settings.require_lab(lab)
    course = CourseDirectory(config=settings.nbgrader_config())
    tests = lab_tests(settings, lab)
    gradebook = read_gradebook(settings)
    mitigations = read_mitigations(settings)
    decided = {student: standing for student, standing in standings(settings, lab).items() if standing.current}
    run = FeedbackRun(lab)
    for username in sorted(students or [user for user, graded_lab in gradebook.attempts if graded_lab == lab]):
        key = (username, lab)
        if key not in gradebook.attempts:
            raise CourseError(f"{username} has no graded {lab} submission in the gradebook")
        notebook = Path(course.format_path(course.autograded_directory, username, lab)) / f"{lab}.ipynb"
        autograded = read_notebook(notebook) if notebook.is_file() else None
        if autograded is None:
            run.without_notebook.append(username)
        result = lab_result(settings, lab, gradebook.attempts[key], mitigations.get(key))
        last, first = gradebook.names.get(username, ("", ""))
        name = f"{first} {last}".strip() or username
        records = test_records(settings.course_dir, username, lab)
        reviewed = set(decided[username].points()) if username in decided else set()
        text = student_page(settings, lab, username, name, tests, gradebook.tasks[key], result, autograded, records, reviewed)
        path = Path(course.format_path(course.feedback_directory, username, lab)) / f"{lab}.html"
        write_atomically(path, text)
        run.written.append(path)
    return run
