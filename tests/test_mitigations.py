"""Mitigations from the student office: every row checked, with errors naming the file and line."""

import pytest
from blackboard_fixtures import course_folder

from grading.mitigations import read_mitigations
from grading.settings import CourseError, load_course

HEADER = "username,lab,kind,until,reference\n"


@pytest.fixture
def course(tmp_path):
    return load_course(course_folder(tmp_path, fake_labs=()))


def read(course, text):
    (course.course_dir / "mitigations.csv").write_text(text, encoding="utf-8")
    return read_mitigations(course)


def test_no_file_means_no_mitigations(course):
    assert read_mitigations(course) == {}


def test_extension_is_local_time_and_exemption_has_none(course):
    found = read(course, "\ufeff" + HEADER + "j.smith-2,lab1,extension,2027-01-21 12:00,MC-1\nal1815,lab3,Exempt,,MC-2\n")
    extension, exemption = found[("j.smith-2", "lab1")], found[("al1815", "lab3")]
    assert extension.until.isoformat() == "2027-01-21T12:00:00+00:00" and extension.reference == "MC-1"
    assert (exemption.kind, exemption.until) == ("exempt", None)


def test_extension_in_summer_time_gets_the_bst_offset(course):
    found = read(course, HEADER + "al1815,lab8,extension,2027-04-01 09:00,MC-3\n")
    assert found[("al1815", "lab8")].until.isoformat() == "2027-04-01T09:00:00+01:00"


@pytest.mark.parametrize(
    "row, message",
    [
        ("al1815,lab9,exempt,,", "mitigations.csv:2: unknown lab 'lab9'"),
        ("al1815,lab1,excused,,", "kind 'excused' is neither 'extension' nor 'exempt'"),
        (",lab1,exempt,,", "mitigations.csv:2: no username"),
        ("al1815,lab1,extension,,", "an extension needs 'until'"),
        ("al1815,lab1,extension,21/01/2027 12:00,", "is not a local date-time YYYY-MM-DD HH:MM"),
        ("al1815,lab1,extension,2027-01-14 15:00,", "is not after the lab1 deadline"),
        ("al1815,lab1,extension,2027-01-21T12:00+00:00,", "gives a UTC offset"),
        ("al1815,lab1,extension,2027-03-28 01:30,", "does not exist in Europe/London"),
        ("al1815,lab1,extension,2027-10-31 01:30,", "happens twice in Europe/London"),
        ("al1815,lab1,exempt,2027-01-21 12:00,", "an exemption takes no 'until'"),
        ("al1815,lab1,exempt,,MC-1, extra note", "more fields than the header"),
    ],
)
def test_bad_row_is_refused_naming_the_line(course, row, message):
    with pytest.raises(CourseError, match="mitigations.csv") as error:
        read(course, HEADER + row + "\n")
    assert message in str(error.value)


def test_second_row_for_the_same_student_and_lab_is_refused(course):
    with pytest.raises(CourseError, match="mitigations.csv:3: a second mitigation for al1815 in lab1"):
        read(course, HEADER + "al1815,lab1,exempt,,\nal1815,lab1,extension,2027-01-21 12:00,\n")


def test_missing_columns_are_named(course):
    with pytest.raises(CourseError, match=r"missing column\(s\) \['kind'\]"):
        read(course, "username,lab\nal1815,lab1\n")
