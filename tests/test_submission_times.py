"""timestamp.txt in every form nbgrader's tools write, read as nbgrader reads them, stricter where it guesses."""

from datetime import datetime
from zoneinfo import ZoneInfo

import nbformat
import pytest
from autograde_fixtures import answered, make_course, submit
from blackboard_fixtures import other_lab_notebook
from nbgrader.utils import parse_utc

from grading.autograde import plan_jobs
from grading.timestamps import parse_submission_time

LONDON = ZoneInfo("Europe/London")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("text, expected", [
    ("2027-01-14T15:40:00+00:00", "2027-01-14 15:40:00"),  # labgrade collect
    ("2027-06-14T15:40:00+01:00", "2027-06-14 14:40:00"),
    ("2027-01-14 15:40:00.123456 UTC", "2027-01-14 15:40:00.123456"),  # nbgrader's exchange, default format
    ("2027-01-14 15:40:00 UTC", "2027-01-14 15:40:00"),  # ... without microseconds
    ("2027-06-14 15:40:00.5 Europe/London", "2027-06-14 14:40:00.5"),  # Exchange.timezone set
    ("2027-01-14 15:40:00 GMT", "2027-01-14 15:40:00"),
    ("2027-01-14 15:40:00 CET", "2027-01-14 14:40:00"),
    ("2027-01-14 10:40:00 EST", "2027-01-14 15:40:00"),
    ("2027-01-14T15:40:00Z", "2027-01-14 15:40:00"),
])
def test_the_forms_nbgrader_reads_give_the_moment_nbgrader_reads(text, expected):
    read = parse_submission_time(text, LONDON)
    assert read.utc_naive == utc(expected) == parse_utc(text)
    assert read.note is None


@pytest.mark.parametrize("text, expected, nbgrader_reads", [
    # nbgrader's gettz does not know BST and silently takes the time as UTC: an hour late in summer.
    ("2027-06-14 15:40:00.000001 BST", "2027-06-14 14:40:00.000001", "2027-06-14 15:40:00.000001"),
    # The hour the clocks go back happens twice; the abbreviation says which.
    ("2027-10-31 01:30:00 BST", "2027-10-31 00:30:00", "2027-10-31 01:30:00"),
    ("2027-10-31 01:30:00 GMT", "2027-10-31 01:30:00", None),
    # nbgrader reads "+0100" as 100 seconds.
    ("2027-01-14 16:40:00 +0100", "2027-01-14 15:40:00", "2027-01-14 16:38:20"),
    ("2027-01-14 10:10:00 -05:30", "2027-01-14 15:40:00", None),
])
def test_where_nbgrader_guesses_the_moment_is_the_one_the_text_names(text, expected, nbgrader_reads):
    assert parse_submission_time(text, LONDON).utc_naive == utc(expected)
    if nbgrader_reads:
        assert parse_utc(text) == utc(nbgrader_reads) != utc(expected)


def test_a_time_without_a_zone_is_taken_in_the_course_zone_and_noted():
    read = parse_submission_time("2027-06-14 15:40:00", LONDON)
    assert read.utc_naive == utc("2027-06-14 14:40:00")  # nbgrader would say 15:40 UTC
    assert "no time zone" in read.note and "Europe/London" in read.note
    assert parse_submission_time("2027-01-14 15:40:00.25", LONDON).utc_naive == utc("2027-01-14 15:40:00.25")


@pytest.mark.parametrize("text, why", [
    ("2027-01-14 15:40:00 BST", "'BST' is not a time zone nbgrader knows, nor one Europe/London goes by on 2027-01-14"),
    ("2027-06-14 15:40:00 Mars/Olympus", "'Mars/Olympus' is not a time zone"),
    ("2027-06-14 15:40:00+01:00 UTC", "two time zones"),
    ("14/01/2027 15:40", "is not a date and time nbgrader writes"),
    ("", "is not a date and time nbgrader writes"),
])
def test_a_timestamp_naming_no_moment_is_refused_with_the_reason(text, why):
    with pytest.raises(ValueError, match=why.replace("(", r"\(")):
        parse_submission_time(text, LONDON)


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path)


def plan(settings):
    return plan_jobs(settings, "lab1", None, False, None, None)


def test_each_hand_in_is_planned_from_its_own_timestamp_and_bad_ones_name_the_file(course):
    honest = answered(course)
    submit(course, "nb_utc", honest, timestamp="2027-01-14 15:40:00.123456 UTC")
    submit(course, "zoneless", honest, timestamp="2027-06-14 15:40:00")
    submit(course, "garbled", honest, timestamp="next thursday")
    jobs = {job.student: job for job in plan(course).jobs}
    found = plan(course)
    assert jobs["nb_utc"].timestamp == "2027-01-14T15:40:00.123456"
    assert jobs["zoneless"].timestamp == "2027-06-14T14:40:00"
    assert any("timestamp.txt" in note and "no time zone" in note for note in found.notes["zoneless"])
    assert found.notes["nb_utc"] == []
    error = found.errors["garbled"]
    assert str(course.course_dir / "submitted" / "garbled" / "lab1" / "timestamp.txt") in error and "next thursday" in error


def test_a_folder_without_this_labs_notebook_is_an_error_not_a_silent_skip(course):
    folder = course.course_dir / "submitted" / "wrong_lab" / "lab1"
    folder.mkdir(parents=True)
    (folder / "lab2.ipynb").write_bytes(other_lab_notebook("lab2"))
    (folder / "timestamp.txt").write_text("2027-01-14 15:40:00 UTC")
    empty = course.course_dir / "submitted" / "empty" / "lab1"
    empty.mkdir(parents=True)
    errors = plan(course).errors
    assert "no lab1 notebook handed in" in errors["wrong_lab"] and "lab2.ipynb has none of the lab1 cells" in errors["wrong_lab"]
    assert "no lab1 notebook handed in" in errors["empty"]


def test_a_renamed_notebook_is_graded_and_a_link_is_never_read(course):
    folder = submit(course, "renamed", answered(course)).parent
    (folder / "lab1.ipynb").rename(folder / "lab1 (2).ipynb")
    solution = course.course_dir / "source" / "lab1" / "lab1.ipynb"
    linked = submit(course, "linker", nbformat.v4.new_notebook()).parent
    (linked / "lab1.ipynb").unlink()
    (linked / "lab1.ipynb").symlink_to(solution)  # the instructor's notebook, answers and hidden tests
    found = plan(course)
    assert {job.student: job.submitted.name for job in found.jobs} == {"renamed": "lab1 (2).ipynb"}
    assert "lab1.ipynb is not a plain file: not read" in found.errors["linker"]
