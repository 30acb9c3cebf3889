"""Collect: Blackboard assignment downloads into nbgrader's submitted/, with the right attempt and time."""

import csv
import json
from pathlib import Path

import pytest
from blackboard_fixtures import (
    BlackboardZip,
    course_folder,
    grade_center_bytes,
    lab1_notebook,
    other_lab_notebook,
    unmarked_notebook,
)

from grading.cli import main
from grading.collect import collect
from grading.roster import import_roster
from grading.settings import load_course

ROSTER = [
    ("Lovelace", "Ada", "al1815", "00123456"),
    ("Smith", "Jo", "j.smith-2", "00000042"),
    ("Øster", "Zoë", "zo_03", "01000000"),
    ("Chen", "Mei", "m.c_h-e.n", "00777777"),
]
BST = 'c.Course.lab_dates = {**c.Course.lab_dates, "lab1": "2027-03-29"}'


def make_course(tmp_path, extra=""):
    course = load_course(course_folder(tmp_path, extra))
    roster = tmp_path / "gradecenter.csv"
    roster.write_bytes(grade_center_bytes(ROSTER))
    import_roster(course, roster)
    return course


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path)


def run(course, bb, name="lab1.zip"):
    return collect(course, "lab1", bb.write(course.course_dir.parent / name))


def report_rows(course):
    with open(course.course_dir / "reports" / "collect-lab1.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row["username"]: row for row in rows if row["username"]}, [row for row in rows if not row["username"]]


def submitted(course, username):
    folder = course.course_dir / "submitted" / username / "lab1"
    if not folder.exists():
        return None
    return (folder / "timestamp.txt").read_text(), (folder / "lab1.ipynb").read_bytes()


@pytest.mark.parametrize(
    "extra, when, stamp, status, late",
    [
        ("", "2027-01-14 15:44:59", "2027-01-14T15:44:59+00:00", "on time", "0"),
        ("", "2027-01-14 15:45:00", "2027-01-14T15:45:00+00:00", "on time", "0"),
        ("", "2027-01-14 15:45:01", "2027-01-14T15:45:01+00:00", "late", "1"),
        (BST, "2027-03-29 15:44:59", "2027-03-29T15:44:59+01:00", "on time", "0"),
        (BST, "2027-03-29 15:45:01", "2027-03-29T15:45:01+01:00", "late", "1"),
        (BST, "2027-03-29 14:50:00", "2027-03-29T14:50:00+01:00", "on time", "0"),
    ],
)
def test_file_name_time_is_local_time_in_gmt_and_bst(tmp_path, extra, when, stamp, status, late):
    course = make_course(tmp_path, extra)
    run(course, BlackboardZip().attempt("al1815", when, {"lab1.ipynb": lab1_notebook()}))
    assert submitted(course, "al1815") == (stamp, lab1_notebook())
    row = report_rows(course)[0]["al1815"]
    assert (row["status"], row["minutes_late"], row["used_local"]) == (status, late, stamp)


def test_utc_time_in_report_is_the_same_instant(tmp_path):
    course = make_course(tmp_path, BST)
    run(course, BlackboardZip().attempt("al1815", "2027-03-29 15:40:00", {"lab1.ipynb": lab1_notebook()}))
    assert report_rows(course)[0]["al1815"]["used_utc"] == "2027-03-29T14:40:00+00:00"


def test_latest_on_time_attempt_counts_not_a_later_late_one(course):
    notebooks = [lab1_notebook().replace(b"Arrhenius", f"Arrhenius{i}".encode(), 1) for i in range(3)]
    bb = BlackboardZip()
    bb.attempt("al1815", "2027-01-14 15:00:00", {"lab1.ipynb": notebooks[0]})
    bb.attempt("al1815", "2027-01-14 15:30:00", {"lab1.ipynb": notebooks[1]})
    bb.attempt("al1815", "2027-01-14 16:10:00", {"lab1.ipynb": notebooks[2]})
    run(course, bb)
    assert submitted(course, "al1815") == ("2027-01-14T15:30:00+00:00", notebooks[1])
    row = report_rows(course)[0]["al1815"]
    assert row["attempts"] == "3" and row["status"] == "on time"
    assert "later attempt(s) after the deadline not used" in row["problems"]


def test_late_only_student_gets_the_latest_attempt_marked_late(course):
    bb = BlackboardZip()
    bb.attempt("j.smith-2", "2027-01-14 16:00:00", {"lab1.ipynb": lab1_notebook()})
    bb.attempt("j.smith-2", "2027-01-14 17:30:30", {"lab1.ipynb": lab1_notebook()})
    run(course, bb)
    assert submitted(course, "j.smith-2")[0] == "2027-01-14T17:30:30+00:00"
    row = report_rows(course)[0]["j.smith-2"]
    assert (row["status"], row["minutes_late"]) == ("late", "106")


def test_extension_moves_the_deadline_and_exemption_is_recorded(course):
    (course.course_dir / "mitigations.csv").write_text(
        "username,lab,kind,until,reference\n"
        "al1815,lab1,extension,2027-01-21 12:00,MC-1\n"
        "zo_03,lab1,exempt,,MC-2\n"
    )
    bb = BlackboardZip()
    bb.attempt("al1815", "2027-01-20 09:00:00", {"lab1.ipynb": lab1_notebook()})
    bb.attempt("zo_03", "2027-01-14 10:00:00", {"lab1.ipynb": lab1_notebook()})
    run(course, bb)
    rows = report_rows(course)[0]
    assert (rows["al1815"]["status"], rows["al1815"]["minutes_late"]) == ("on extension", "0")
    assert rows["al1815"]["deadline_local"] == "2027-01-21T12:00:00+00:00"
    assert rows["al1815"]["mitigation"] == "extension until 2027-01-21T12:00:00+00:00 (MC-1)"
    assert rows["zo_03"]["mitigation"] == "exempt (MC-2)"
    assert submitted(course, "al1815")[0] == "2027-01-20T09:00:00+00:00"


def test_attempt_after_the_extension_is_late_by_minutes_past_it(course):
    (course.course_dir / "mitigations.csv").write_text("username,lab,kind,until\nal1815,lab1,extension,2027-01-21 12:00\n")
    run(course, BlackboardZip().attempt("al1815", "2027-01-21 12:10:00", {"lab1.ipynb": lab1_notebook()}))
    row = report_rows(course)[0]["al1815"]
    assert (row["status"], row["minutes_late"]) == ("late", "10")


@pytest.mark.parametrize("name", ["lab1 (1).ipynb", "Untitled.ipynb", "Lab1_final.IPYNB"])
def test_renamed_notebook_of_this_lab_is_collected_under_the_lab_name(course, name):
    run(course, BlackboardZip().attempt("m.c_h-e.n", "2027-01-14 12:00:00", {name: lab1_notebook()}))
    assert submitted(course, "m.c_h-e.n") == ("2027-01-14T12:00:00+00:00", lab1_notebook())
    assert report_rows(course)[0]["m.c_h-e.n"]["used_file"] == name


@pytest.mark.parametrize(
    "files, problem",
    [
        ({"lab2.ipynb": other_lab_notebook("lab2")}, "lab2.ipynb is the lab2 notebook, not lab1"),
        ({"lab1.ipynb": other_lab_notebook("lab2")}, "lab1.ipynb is the lab2 notebook, not lab1"),
        ({"Untitled.ipynb": unmarked_notebook()}, "not recognisably lab1"),
        ({"lab1.pdf": b"%PDF-1.7"}, "lab1.pdf is a PDF export"),
        ({"lab1.html": b"<html></html>"}, "lab1.html is an HTML export"),
        ({"lab1.ipynb": b'{"cells": [ oops'}, "not a notebook: invalid JSON"),
        ({"lab1.ipynb": b""}, "lab1.ipynb is empty"),
        ({"lab1.ipynb": json.dumps({"nbformat": 3, "worksheets": []}).encode()}, "not an nbformat 4 notebook"),
        ({"work.zip": b"PK\x03\x04rest"}, "work.zip is a zip inside the zip: not opened"),
        ({}, "no file attached"),
    ],
)
def test_attempt_that_is_not_this_labs_notebook_is_reported_not_collected(course, files, problem):
    run(course, BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", files))
    assert submitted(course, "al1815") is None
    row = report_rows(course)[0]["al1815"]
    assert row["status"] == "no gradable attempt"
    assert problem in row["problems"]


def test_notebook_named_for_the_lab_without_nbgrader_cells_is_graded_as_it_is_and_flagged(course):
    run(course, BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": unmarked_notebook()}))
    assert submitted(course, "al1815")[1] == unmarked_notebook()
    assert "no nbgrader cells" in report_rows(course)[0]["al1815"]["problems"]


def test_earlier_good_attempt_counts_when_the_latest_has_the_wrong_file(course):
    bb = BlackboardZip()
    bb.attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    bb.attempt("al1815", "2027-01-14 13:00:00", {"lab1.pdf": b"%PDF"})
    run(course, bb)
    assert submitted(course, "al1815")[0] == "2027-01-14T12:00:00+00:00"
    assert "lab1.pdf is a PDF export" in report_rows(course)[0]["al1815"]["problems"]


def test_two_notebooks_in_one_attempt_prefer_the_one_named_for_the_lab(course):
    other = lab1_notebook().replace(b"Arrhenius", b"Other", 1)
    run(course, BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"copy.ipynb": other, "lab1.ipynb": lab1_notebook()}))
    assert submitted(course, "al1815")[1] == lab1_notebook()
    assert "2 lab1 notebooks in one attempt; lab1.ipynb used" in report_rows(course)[0]["al1815"]["problems"]


def test_identity_comes_from_the_receipt_for_usernames_with_underscores(course):
    # "Lab 1_m.c_h-e.n_attempt_..." cannot be split by the file name alone: the receipt decides.
    run(course, BlackboardZip().attempt("m.c_h-e.n", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()}))
    rows = report_rows(course)[0]
    assert rows["m.c_h-e.n"]["status"] == "on time"
    assert set(rows) == {"al1815", "j.smith-2", "zo_03", "m.c_h-e.n"}


def test_attempt_without_receipt_is_matched_to_a_roster_student_and_flagged(course):
    run(course, BlackboardZip().attempt("j.smith-2", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()}, with_receipt=False))
    assert submitted(course, "j.smith-2")[0] == "2027-01-14T12:00:00+00:00"
    assert "no receipt in the zip" in report_rows(course)[0]["j.smith-2"]["problems"]


def test_receipt_date_disagreeing_with_the_file_name_is_reported(course):
    bb = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    name, text = bb.entries[0]
    bb.entries[0] = (name, text.replace(b"12:00:00", b"12:07:00"))
    run(course, bb)
    assert "the receipt says 2027-01-14 12:07:00 but the file name says 2027-01-14 12:00:00" in report_rows(course)[0]["al1815"]["problems"]


def test_students_not_on_the_roster_are_reported_not_collected(course, capsys):
    run(course, BlackboardZip().attempt("x.stranger", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()}))
    assert not (course.course_dir / "submitted" / "x.stranger").exists()
    row = report_rows(course)[0]["x.stranger"]
    assert row["status"] == "not on roster" and "not collected" in row["problems"]


def test_roster_students_without_attempts_have_a_line(course):
    run(course, BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()}))
    assert report_rows(course)[0]["zo_03"]["status"] == "no submission"


def all_files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_rerun_with_the_same_zip_changes_nothing(course):
    bb = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    run(course, bb)
    before = all_files(course.course_dir)
    report = run(course, bb)
    assert all_files(course.course_dir) == before
    assert not any(line.written for line in report.students)


def test_newer_zip_adds_late_attempts_and_an_older_zip_takes_nothing_back(course):
    first = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    run(course, first, "first.zip")
    newer = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    newer.attempt("al1815", "2027-01-14 15:40:00", {"lab1.ipynb": lab1_notebook()})
    newer.attempt("zo_03", "2027-01-15 09:00:00", {"lab1.ipynb": lab1_notebook()})
    run(course, newer, "newer.zip")
    assert submitted(course, "al1815")[0] == "2027-01-14T15:40:00+00:00"
    assert submitted(course, "zo_03")[0] == "2027-01-15T09:00:00+00:00"
    run(course, first, "first.zip")
    assert submitted(course, "al1815")[0] == "2027-01-14T15:40:00+00:00"
    assert submitted(course, "zo_03")[0] == "2027-01-15T09:00:00+00:00"
    assert report_rows(course)[0]["al1815"]["attempts"] == "2"


def test_collect_command_prints_a_summary_naming_the_report(course, capsys):
    path = BlackboardZip().attempt("al1815", "2027-01-14 16:00:00", {"lab1.ipynb": lab1_notebook()}).write(course.course_dir.parent / "l.zip")
    assert main(["--course-dir", str(course.course_dir), "collect", "lab1", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 submission(s) collected (0 on time, 0 on extension, 1 late)" in out
    assert "0 exempt" in out
    assert "collect-lab1.csv" in out


def test_collect_before_roster_is_refused(tmp_path):
    course = load_course(course_folder(tmp_path))
    with pytest.raises(Exception, match="labgrade roster"):
        run(course, BlackboardZip().attempt("al1815", "2027-01-14 16:00:00", {"lab1.ipynb": lab1_notebook()}))


def test_files_in_sub_folders_of_the_zip_are_found(course):
    bb = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})
    bb.entries = [(f"Lab 1/gradebook_download/{name}", data) for name, data in bb.entries]
    run(course, bb)
    assert submitted(course, "al1815") == ("2027-01-14T12:00:00+00:00", lab1_notebook())


def test_zip_of_another_assignment_is_reported(course):
    run(course, BlackboardZip(assignment="Lab 3").attempt("al1815", "2027-01-14 12:00:00", {"lab3.ipynb": b"{}"}))
    zip_rows = report_rows(course)[1]
    assert any("the zip holds assignment(s) ['Lab 3']; lab1 is 'Lab 1'" in row["problems"] for row in zip_rows)
