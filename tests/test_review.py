"""`labgrade review`: staff look at flagged work, decide with a note, and the decision sticks, through
marks, feedback and regrades, with an append-only record; `labgrade marks` lists what changed since."""

import csv
import json
import re
import shutil

import nbformat
import pytest
from autograde_fixtures import answered, enrol, graded_once, insert_after, make_course, submit
from markfixtures import standard_columns, student_row, write_grade_center
from nbgrader.api import Gradebook

from grading.autograde import autograde
from grading.cli import main
from grading.feedback import write_feedback
from grading.notebooks import read_notebook
from grading.release import generate, source_notebook
from grading.review import DECISIONS_FILE, outstanding_flags, submission_hash
from grading.settings import load_course

WRONG_SIGN = {"arrhenius": "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(Ea / (k_B * T))"}
ROUNDED = {"ea_units": 'dopants["Ea_kJ_mol"] = dopants["Ea_eV"] * 96'}  # only the hidden tests catch it
STUDENTS = {"ed": ("Ed", "Edits"), "wu": ("Wu", "Wrong"), "mo": ("Mo", "Misconduct"), "ro": ("Ro", "Rounds")}


def edited_test(settings):
    nb = insert_after(answered(settings), "fit", "print('my own check of the fit')")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_fit":
            cell.source = "assert True  # the student made the test pass"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    def submit_all(folder):
        settings = make_course(folder)
        enrol(settings, STUDENTS)
        submit(settings, "ed", edited_test(settings))
        submit(settings, "wu", answered(settings, WRONG_SIGN))
        submit(settings, "mo", answered(settings))
        submit(settings, "ro", answered(settings, ROUNDED))
        return settings

    return graded_once(tmp_path_factory, "review-cohort", submit_all)[0]


@pytest.fixture
def course(graded, tmp_path):
    """A copy of the graded course of this test's own: decisions change it."""
    shutil.copytree(graded.course_dir, tmp_path / "course")
    return load_course(tmp_path / "course")


def review(course, *args) -> int:
    return main(["--course-dir", str(course.course_dir), "review", "lab1", *args])


def marks(course, *args):
    download = write_grade_center(course.course_dir / "gc.csv", standard_columns(),
                                  [student_row(user, first, last) for user, (first, last) in STUDENTS.items()])
    assert main(["--course-dir", str(course.course_dir), "marks", str(download), *args]) == 0
    with open(course.course_dir / "upload.csv", encoding="utf-8") as handle:
        upload = {row["Username"]: row for row in csv.DictReader(handle)}
    with open(course.course_dir / "marks.csv", encoding="utf-8") as handle:
        breakdown = {row["username"]: row for row in csv.DictReader(handle) if row["lab"] == "lab1"}
    return upload, breakdown


def scores(course) -> dict[str, float]:
    with Gradebook(course.gradebook_url) as gb:
        return {s.student.id: s.score for s in gb.find_assignment("lab1").submissions}


def decisions(course) -> list[dict]:
    return [json.loads(line) for line in (course.course_dir / DECISIONS_FILE).read_text().splitlines()]


def test_the_listing_shows_each_flagged_submission_with_its_reasons(course, capsys):
    assert review(course) == 0
    out = capsys.readouterr().out
    assert "lab1: 1 submission(s) need review; 0 reviewed" in out
    assert re.search(r"  ed\n    - test cell 'test_fit' was edited; the original was used", out)


def test_one_students_view_shows_what_they_changed_and_each_tasks_result(course, capsys):
    assert review(course, "ed", "wu") == 0
    out = capsys.readouterr().out
    ed, wu = out.split("\n\nwu lab1")
    assert "arrhenius: changed" in ed and "+    return D0 * np.exp(-Ea / (k_B * np.asarray(T, dtype=float)))" in ed
    assert "cells the student added: 1" in ed and "code: print('my own check of the fit')" in ed
    assert "! test cell 'test_fit' was edited; the original was used" in ed
    assert "test_fit: 2 / 2  passed" in ed
    assert "test_arrhenius: 0 / 2  failed in the hidden tests (they are not shown)" in wu and "autograde flags: none" in wu


def test_accepting_clears_the_flag_so_the_marks_are_uploaded_and_the_record_says_who_when_why(course, capsys):
    upload, breakdown = marks(course)
    assert "ed" not in upload and breakdown["ed"]["in_upload"] == "no: needs review"
    assert review(course, "ed", "--accept", "--note", "edited test only; original used", "--by", "dr.who") == 0
    assert outstanding_flags(course, "lab1") == {}
    [record] = decisions(course)
    assert (record["student"], record["lab"], record["action"], record["by"], record["note"]) == (
        "ed", "lab1", "accept", "dr.who", "edited test only; original used")
    assert record["submission"] == submission_hash(course.course_dir, "ed", "lab1") and record["at"].endswith("+00:00")
    upload, breakdown = marks(course)
    assert upload["ed"][standard_columns()[0]] == "2.00" and breakdown["ed"]["flags"] == ""


def test_setting_a_tasks_points_reaches_the_gradebook_marks_feedback_and_the_changes_report(course, capsys):
    marks(course)
    assert review(course, "wu", "--set", "test_arrhenius", "2", "--note", "the sign convention was ambiguous") == 0
    assert scores(course)["wu"] == 10
    upload, breakdown = marks(course, "--changes-only")
    out = capsys.readouterr().out
    assert "changed since the last run: 1 student(s)" in out, out
    assert re.search(r"  wu: lab1: 1\.60 -> 2\.00 \(score 8\.00 -> 10\.00; review: .* set test_arrhenius to 2: "
                     r"the sign convention was ambiguous\)", out), out
    assert set(upload) == {"wu"} and upload["wu"][standard_columns()[0]] == "2.00"
    write_feedback(course, "lab1", students=["wu"])
    page = (course.course_dir / "feedback" / "wu" / "lab1" / "lab1.html").read_text()
    assert "2.00 / 2.00 (set by course staff on review)" in page
    assert "failed a hidden test" in page and "ambiguous" not in page  # the autograde's outcome; the note stays with staff


def test_zero_all_scores_every_task_zero(course):
    assert review(course, "mo", "--zero", "all", "--note", "academic misconduct panel AM-17, outcome: zero") == 0
    assert scores(course)["mo"] == 0
    upload, _ = marks(course)
    assert upload["mo"][standard_columns()[0]] == "0.00"
    write_feedback(course, "lab1", students=["mo"])
    page = (course.course_dir / "feedback" / "mo" / "lab1" / "lab1.html").read_text()
    assert page.count("(set by course staff on review)") == 7 and "0.00 / 10.00" in page
    assert "misconduct" not in page  # the note is for staff


@pytest.mark.parametrize("args, why", [
    (["wu", "--accept"], "needs --note"),
    (["wu", "--set", "test_arrhenius", "3", "--note", "x"], "between 0 and 2"),
    (["wu", "--set", "test_nonsense", "1", "--note", "x"], "no task 'test_nonsense'"),
    (["wu", "--set", "test_arrhenius", "lots", "--note", "x"], "must be a number"),
    (["nobody", "--accept", "--note", "x"], "no graded lab1 submission"),
    (["--accept", "--note", "x"], "names the student"),
])
def test_a_decision_that_cannot_stand_is_refused_and_nothing_is_recorded(course, capsys, args, why):
    assert review(course, *args) == 2
    assert why in capsys.readouterr().err
    assert not (course.course_dir / DECISIONS_FILE).exists()


def test_decisions_are_only_appended(course):
    review(course, "ed", "--accept", "--note", "first")
    first = (course.course_dir / DECISIONS_FILE).read_bytes()
    review(course, "wu", "--set", "test_arrhenius", "1.5", "--note", "half credit")
    assert (course.course_dir / DECISIONS_FILE).read_bytes().startswith(first)
    assert [d["note"] for d in decisions(course)] == ["first", "half credit"]


def test_a_decision_on_a_submission_that_later_changes_is_taken_back_and_flagged_again(course):
    review(course, "wu", "--set", "test_arrhenius", "2", "--note", "ambiguous sign")
    assert scores(course)["wu"] == 10
    submit(course, "wu", answered(course, {**WRONG_SIGN, "groupby": "mean_Ea_by_mechanism = None"}),
           timestamp="2027-01-14T15:44:00+00:00")  # a newer attempt, collected again
    summary = autograde(course, "lab1", require_sandbox=True, progress=False)
    assert summary.graded == ["wu"]
    assert scores(course)["wu"] == 7  # the review's 2 points are gone with the submission they were given on
    [reason] = outstanding_flags(course, "lab1")["wu"]
    assert reason.startswith("review again: the submission changed after") and "ambiguous sign" in reason
    upload, breakdown = marks(course)
    assert "wu" not in upload and breakdown["wu"]["in_upload"] == "no: needs review"


def test_a_regrade_after_a_hidden_test_is_fixed_keeps_decisions_and_lists_the_marks_that_change(course, capsys):
    review(course, "wu", "--set", "test_arrhenius", "2", "--note", "ambiguous sign")
    review(course, "ed", "--accept", "--note", "fine")
    before, _ = marks(course)
    assert before["ro"][standard_columns()[0]] == "1.80"  # 9 of 10: the rounded factor fails a hidden test
    path = source_notebook(course, "lab1")
    nb = read_notebook(path)
    for cell in nb.cells:  # the instructor decides a factor rounded to 96 is close enough
        cell.source = cell.source.replace('_table["Ea_eV"] * 96.485332, rtol=1e-3)', '_table["Ea_eV"] * 96.485332, rtol=1e-2)')
    assert any('96.485332, rtol=1e-2)' in cell.source for cell in nb.cells), "the hidden test to loosen is not in lab 1"
    nbformat.write(nb, path)
    generate(course, "lab1")
    summary = autograde(course, "lab1", require_sandbox=True, progress=False)
    assert sorted(summary.graded) == sorted(STUDENTS)  # the instructor's notebook is part of every hash
    assert scores(course)["wu"] == 10 and outstanding_flags(course, "lab1") == {}  # decisions still stand
    capsys.readouterr()
    after, _ = marks(course, "--changes-only")
    out = capsys.readouterr().out
    assert "changed since the last run: 1 student(s)" in out
    assert "  ro: lab1: 1.80 -> 2.00 (score 9.00 -> 10.00)" in out
    assert set(after) == {"ro"}


def test_the_changes_report_names_new_students_and_a_module_mark_moved_by_the_assignment():
    from grading.changes import changes

    def row(user, lab, mark, total, module, cell, score="8.00"):
        return {"username": user, "lab": lab, "lab_mark": mark, "labs_total": total, "module_mark": module,
                "assignment_cell": cell, "score": score, "status": "on time", "minutes_late": 0, "exemption": "", "flags": ""}

    before = [row("al", "lab1", "1.60", "1.60", "", "Needs Grading")]
    after = [row("al", "lab1", "1.60", "1.60", "64", "75"), row("new", "lab1", "2.00", "2.00", "", "", "10.00")]
    found = {change.username: change.lines for change in changes(before, after)}
    assert found == {"al": ["module_mark: - -> 64 (assignment_cell Needs Grading -> 75)"],
                     "new": ["lab1: 2.00 (first marks for this student)"]}
    assert changes(after, after) == []
