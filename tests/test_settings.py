"""Settings validation: every bad setting stops the command with a message naming the setting."""

import json
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from labharness import ROOT

from grading.cli import main
from grading.settings import CONFIG_FILE, CourseError, load_course


def course_with(tmp_path, extra: str):
    """A course folder whose nbgrader_config.py is the real one plus lines that override it."""
    shutil.copy(ROOT / CONFIG_FILE, tmp_path / CONFIG_FILE)
    with open(tmp_path / CONFIG_FILE, "a") as f:
        f.write("\n" + extra + "\n")
    return tmp_path


def test_repository_settings_are_valid_and_weights_make_100(course):
    assert course.labs == [f"lab{n}" for n in range(1, 9)]
    assert course.lab_weight * len(course.labs) + course.assignment_weight == 100
    assert course.late_policy == "zero" and course.grace_minutes == 0


def test_deadline_is_local_1545_in_gmt_and_bst(tmp_path):
    course = load_course(course_with(tmp_path, 'c.Course.lab_dates = {"lab1": "2027-01-14", "lab2": "2027-03-29"}\n'
                                               "c.Course.lab_weight = 8\n"
                                               'c.Course.blackboard_columns = {"lab1": "Lab 1", "lab2": "Lab 2", '
                                               '"labs_total": "Labs", "assignment": "RA", "module": "Module"}'))
    assert course.deadline_for("lab1").isoformat() == "2027-01-14T15:45:00+00:00"
    assert course.deadline_for("lab2").isoformat() == "2027-03-29T15:45:00+01:00"
    assert course.deadline_for("lab2") == datetime(2027, 3, 29, 14, 45, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    "line, named",
    [
        ('c.Course.timezone = "Europe/Londn"', "c.Course.timezone"),
        ('c.Course.deadline = "25:45"', "c.Course.deadline"),
        ('c.Course.deadline = "3:45pm"', "c.Course.deadline"),
        ('c.Course.lab_dates = {**c.Course.lab_dates, "lab9": "2027-14-03"}', "lab_dates['lab9']"),
        ('c.Course.lab_dates = {**c.Course.lab_dates, "tutorial": "2027-03-11"}', "unknown lab 'tutorial'"),
        ('c.Course.lab_dates = {**c.Course.lab_dates, "lab1": "14/01/2027"}', "lab_dates['lab1']"),
        ("c.Course.assignment_weight = 80", "not 100"),
        ('c.Course.lab_weight = "two"', "c.Course.lab_weight"),
        ('c.Course.late_policy = "halve"', "c.Course.late_policy"),
        ("c.Course.grace_minutes = -5", "c.Course.grace_minutes"),
        ('c.Course.blackboard_columns = {**c.Course.blackboard_columns, "lab3": ""}', "blackboard_columns"),
        ('c.Course.blackboard_columns = {**c.Course.blackboard_columns, "lab9": "Lab 9"}', "unknown key"),
        ('c.Course.blackboard_columns = {**c.Course.blackboard_columns, "lab2": "Lab 1"}', "twice"),
        ('c.Course.scheduler = "head-node:8786"', "c.Course.scheduler"),
    ],
)
def test_bad_setting_is_refused_naming_the_setting(tmp_path, line, named):
    with pytest.raises(CourseError) as error:
        load_course(course_with(tmp_path, line))
    assert named in str(error.value)
    assert CONFIG_FILE in str(error.value)


def test_every_command_stops_on_a_bad_setting(tmp_path, capsys):
    folder = course_with(tmp_path, 'c.Course.timezone = "Mars/Olympus"')
    for argv in (["schedule"], ["release", "lab1"], ["autograde", "lab1"], ["marks", "gradecenter.csv"], ["feedback", "lab1"], ["report"]):
        assert main(["--course-dir", str(folder), *argv]) == 2
        assert "c.Course.timezone" in capsys.readouterr().err


def test_missing_settings_file_names_the_folder(tmp_path, capsys):
    assert main(["schedule", "--course-dir", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_schedule_json_gives_each_lab_an_iso_deadline_with_offset(capsys):
    assert main(["--course-dir", str(ROOT), "schedule", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["lab"] for row in rows] == [f"lab{n}" for n in range(1, 9)]
    for row in rows:
        parsed = datetime.fromisoformat(row["deadline"])
        assert parsed.utcoffset() is not None and (parsed.hour, parsed.minute) == (15, 45)
