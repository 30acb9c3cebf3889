"""Roster import: Grade Center downloads (.csv with or without BOM, UTF-16 .xls) into the gradebook."""

import pytest
from blackboard_fixtures import course_folder, grade_center_bytes
from nbgrader.api import Gradebook

from grading.cli import main
from grading.roster import import_roster, read_roster
from grading.settings import CourseError, load_course

COHORT = [
    ("Lovelace", "Ada", "al1815", "00123456"),
    ("O'Neil, Jr.", "Seán", "s.oneil-2", "0042"),
    ("Øster", "Zoë", "zo_03", "01000000"),
]


@pytest.fixture
def course(tmp_path):
    return load_course(course_folder(tmp_path))


def students_in(course):
    with Gradebook(course.gradebook_url) as gradebook:
        return {s.id: (s.first_name, s.last_name, s.lms_user_id) for s in gradebook.students}


@pytest.mark.parametrize("fmt, bom", [("csv", True), ("csv", False), ("xls", True)])
def test_roster_reads_every_download_format_keeping_ids_as_text(tmp_path, course, fmt, bom):
    path = tmp_path / f"gradecenter.{fmt}"
    path.write_bytes(grade_center_bytes(COHORT, fmt, bom))
    result = import_roster(course, path)
    assert sorted(result.added) == ["al1815", "s.oneil-2", "zo_03"]
    assert students_in(course) == {
        "al1815": ("Ada", "Lovelace", "00123456"),
        "s.oneil-2": ("Seán", "O'Neil, Jr.", "0042"),
        "zo_03": ("Zoë", "Øster", "01000000"),
    }


def test_reimport_updates_names_adds_students_and_keeps_grades(tmp_path, course):
    path = tmp_path / "gradecenter.csv"
    path.write_bytes(grade_center_bytes(COHORT[:2]))
    import_roster(course, path)
    with Gradebook(course.gradebook_url) as gradebook:
        gradebook.add_assignment("lab1")
        gradebook.add_submission("lab1", "al1815")
    renamed = [("Lovelace-King", "Ada", "al1815", "00123456"), *COHORT[1:]]
    path.write_bytes(grade_center_bytes(renamed))
    result = import_roster(course, path)
    assert (result.added, result.updated, result.unchanged) == (["zo_03"], ["al1815"], ["s.oneil-2"])
    assert students_in(course)["al1815"] == ("Ada", "Lovelace-King", "00123456")
    with Gradebook(course.gradebook_url) as gradebook:
        assert gradebook.find_submission("lab1", "al1815") is not None


def test_students_missing_from_a_new_download_are_kept_and_reported(tmp_path, course):
    path = tmp_path / "gradecenter.csv"
    path.write_bytes(grade_center_bytes(COHORT))
    import_roster(course, path)
    path.write_bytes(grade_center_bytes(COHORT[:1]))
    result = import_roster(course, path)
    assert result.not_in_download == ["s.oneil-2", "zo_03"]
    assert set(students_in(course)) == {"al1815", "s.oneil-2", "zo_03"}
    assert "zo_03" in result.describe()


def test_username_that_could_escape_the_submission_folder_is_refused(tmp_path):
    path = tmp_path / "gradecenter.csv"
    path.write_bytes(grade_center_bytes([*COHORT, ("Evil", "Eve", "../eve", "1")]))
    with pytest.raises(CourseError, match=r"gradecenter.csv.*'\.\./eve'"):
        read_roster(path)


def test_file_without_name_columns_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text('"Username"\n"al1815"\n')
    with pytest.raises(CourseError, match=r"names.csv.*First Name"):
        read_roster(path)


def test_roster_command_prints_counts(tmp_path, course, capsys):
    path = tmp_path / "gradecenter.xls"
    path.write_bytes(grade_center_bytes(COHORT, "xls"))
    assert main(["--course-dir", str(course.course_dir), "roster", str(path)]) == 0
    assert "3 students; 3 added" in capsys.readouterr().out
