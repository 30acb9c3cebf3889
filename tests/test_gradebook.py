"""Opening the gradebook: what staff see when c.CourseDirectory.db_url is wrong, never the password in it.

The PostgreSQL server itself is in test_postgres.py; these need none (nothing listens on the port)."""

import pytest
from blackboard_fixtures import grade_center_bytes
from markfixtures import make_course
from postgres_server import free_port

from grading.cli import main
from grading.gradebook import shown
from grading.settings import copy_settings

COHORT = [("Lovelace", "Ada", "al1815", "00123456")]


def course_with_url(tmp_path, url):
    make_course(tmp_path / "course", f"c.CourseDirectory.db_url = {url!r}")
    (tmp_path / "gradecenter.csv").write_bytes(grade_center_bytes(COHORT))
    return tmp_path / "course"


def roster_error(tmp_path, capsys, url) -> str:
    folder = course_with_url(tmp_path, url)
    assert main(["--course-dir", str(folder), "roster", str(tmp_path / "gradecenter.csv")]) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("url, secret", [
    ("postgresql://labgrade:s3cret@db.example.org/grades", "s3cret"),
    ("postgresql://labgrade:p@ss:word@db.example.org:5432/grades", "p@ss:word"),  # @ not percent-encoded
    ("postgresql://labgrade:p%40ss@db.example.org/grades", "p%40ss"),
    ("postgresql://db.example.org/grades?user=labgrade&password=s3cret", "s3cret"),
])
def test_a_shown_url_keeps_user_host_and_database_but_not_the_password(url, secret):
    text = shown(url)
    assert secret not in text and "***" in text
    assert "db.example.org" in text and "grades" in text and "labgrade" in text


def test_a_server_that_does_not_answer_is_a_clear_error_naming_the_setting_without_the_password(tmp_path, capsys):
    error = roster_error(tmp_path, capsys, f"postgresql://labgrade:s3cr%40t@127.0.0.1:{free_port()}/grades")
    assert "nbgrader_config.py: c.CourseDirectory.db_url: cannot open the gradebook postgresql://labgrade:***@127.0.0.1" in error
    assert "Connection refused" in error
    assert "s3cr" not in error and "Traceback" not in error


def test_a_database_sqlalchemy_has_no_driver_for_names_the_setting_and_says_what_a_url_looks_like(tmp_path, capsys):
    error = roster_error(tmp_path, capsys, "mysql://labgrade:s3cret@127.0.0.1/grades")
    assert "c.CourseDirectory.db_url" in error and "No module named" in error
    assert "postgresql://USER:PASSWORD@HOST:5432/DATABASE" in error and "s3cret" not in error


def test_text_that_is_no_url_names_the_setting(tmp_path, capsys):
    error = roster_error(tmp_path, capsys, "gradebook.db")
    assert "c.CourseDirectory.db_url: cannot open the gradebook gradebook.db: Could not parse" in error


def test_marks_before_any_gradebook_exists_says_so_and_creates_none(tmp_path, capsys):
    folder = make_course(tmp_path / "course").course_dir
    (tmp_path / "gradecenter.csv").write_bytes(grade_center_bytes(COHORT))
    assert main(["--course-dir", str(folder), "marks", str(tmp_path / "gradecenter.csv")]) == 2
    assert f"{folder / 'gradebook.db'}: no gradebook yet" in capsys.readouterr().err
    assert not (folder / "gradebook.db").exists()


def test_a_scratch_copy_of_a_course_keeps_its_settings_but_never_its_gradebook(tmp_path):
    course = make_course(tmp_path / "course", "c.CourseDirectory.db_url = 'postgresql://labgrade@db.example.org/grades'")
    (tmp_path / "scratch").mkdir()
    scratch = copy_settings(course, tmp_path / "scratch")
    assert scratch.gradebook_url == f"sqlite:///{tmp_path / 'scratch' / 'gradebook.db'}"
    assert (scratch.lab_dates, scratch.deadline, scratch.blackboard_columns) == (course.lab_dates, course.deadline, course.blackboard_columns)


def test_a_new_gradebook_is_stamped_with_the_migration_nbgraders_alembic_command_names_without_running_it(tmp_path, monkeypatch):
    import subprocess
    import sys

    import sqlalchemy
    from nbgrader.dbutil import write_alembic_ini

    from grading.gradebook import open_gradebook
    from grading.settings import load_course

    write_alembic_ini(str(tmp_path / "alembic.ini"), "sqlite:///unused.db")
    heads = subprocess.run([sys.executable, "-m", "alembic", "-c", str(tmp_path / "alembic.ini"), "heads"],
                           capture_output=True, text=True, check=True).stdout
    make_course(tmp_path / "course")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # nbgrader's own way needs `alembic` on PATH
    with open_gradebook(load_course(tmp_path / "course")):
        pass
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}")
    with engine.connect() as connection:
        stamped = connection.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert stamped == heads.split()[0]
