"""The Grade Center reader the roster and marks stages share: columns, ids and cells kept as text."""

import codecs
from decimal import Decimal

import pytest
from blackboard_fixtures import grade_center_bytes

from grading.blackboard_files import STUDENT_HEADER
from grading.blackboard_files import grade_center_bytes as raw_grade_center
from grading.gradecenter import read_grade_center
from grading.settings import CourseError

STUDENTS = [("Lovelace", "Ada", "00al1815", "00123456"), ("O'Neil, Jr.", "Seán", "s.oneil-2", "0042")]


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("xls", "\t")])
def test_columns_are_parsed_with_points_display_and_id(tmp_path, fmt, delimiter):
    path = tmp_path / f"gc.{fmt}"
    path.write_bytes(grade_center_bytes(STUDENTS, fmt))
    grade_center = read_grade_center(path)
    assert grade_center.delimiter == delimiter
    lab1, labs = grade_center.column("Lab 1"), grade_center.column("Computer Labs")
    assert (lab1.points, lab1.display, lab1.column_id, lab1.calculated) == (Decimal(2), "Score", "1234561", False)
    assert (labs.points, labs.calculated) == (Decimal(16), True)
    assert grade_center.column("Quiz 9") is None
    assert list(grade_center.table["Username"]) == ["00al1815", "s.oneil-2"]
    assert list(grade_center.table["Student ID"]) == ["00123456", "0042"]


def test_older_headers_text_columns_and_status_cells_are_kept(tmp_path):
    header = [*STUDENT_HEADER, "Quiz 3 [Total Pts: 10] |664617", "Programme [Total Pts: 0 Text] |981722",
              "Research Assignment [Total Pts: 100 Score] |1234575", "Child Course ID"]
    rows = [["Lovelace", "Ada", "al1815", "1", "", "Yes", "7.5", "MSc", "Needs Grading", "CHILD-1"],
            ["Smith", "Jo", "js1", "2", "", "Yes", "Exempt", "", "", "CHILD-2"]]
    path = tmp_path / "gc.csv"
    path.write_bytes(raw_grade_center(header, rows))
    grade_center = read_grade_center(path)
    quiz, programme = grade_center.column("Quiz 3"), grade_center.column("Programme")
    assert (quiz.display, quiz.points, programme.display) == (None, Decimal(10), "Text")
    assert [c.name for c in grade_center.columns] == ["Quiz 3", "Programme", "Research Assignment"]
    assert list(grade_center.table[grade_center.column("Research Assignment").header]) == ["Needs Grading", ""]
    assert list(grade_center.table[quiz.header]) == ["7.5", "Exempt"]


def test_utf16_without_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "gc.xls"
    path.write_bytes(grade_center_bytes(STUDENTS, "xls").removeprefix(codecs.BOM_UTF16_LE))
    assert list(read_grade_center(path).table["Last Name"]) == ["Lovelace", "O'Neil, Jr."]


@pytest.mark.parametrize(
    "students, message",
    [
        ([*STUDENTS, ("Other", "Ada", "00al1815", "9")], "usernames listed twice: ['00al1815']"),
        ([*STUDENTS, ("Blank", "Bo", "", "9")], "rows [4] have no Username"),
    ],
)
def test_broken_download_is_refused_naming_the_file(tmp_path, students, message):
    path = tmp_path / "gc.csv"
    path.write_bytes(grade_center_bytes(students))
    with pytest.raises(CourseError) as error:
        read_grade_center(path)
    assert f"gc.csv: {message}" in str(error.value)


def test_a_file_that_is_not_a_download_is_refused(tmp_path):
    path = tmp_path / "gc.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe")
    with pytest.raises(CourseError, match="gc.csv"):
        read_grade_center(path)
