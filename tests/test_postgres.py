"""The gradebook on a real PostgreSQL server: every labgrade stage gives what it gives on SQLite.

One lab, three students, the same commands run against a course on SQLite (the default) and one whose
c.CourseDirectory.db_url names a database of the test's own server (postgres_server.py)."""

import csv
import io
import shutil

import markfixtures
import nbformat
import pytest
import sqlalchemy
from autograde_fixtures import WRONG_ARRHENIUS, answered, make_course
from blackboard_fixtures import BlackboardZip, grade_center_bytes
from labharness import ROOT
from markfixtures import standard_columns, student_row, write_grade_center
from nbgrader.api import Gradebook
from postgres_server import PostgresMissing, PostgresServer

from grading.cli import main
from grading.lab_cells import STUDENT_REQUIREMENTS
from grading.settings import load_course

LAB = "lab1"
COHORT = [
    ("Lovelace", "Ada", "ada", "00123456"),
    ("O'Neil, Jr.", "Seán", "s.oneil-2", "00000042"),
    ("Øster", "Zoë", "zo_03", "01000000"),
]
WRONG_GROUPBY = "mean_Ea_by_mechanism = dopants.groupby('mechanism')['Ea_eV'].median()"
# Each student's answers (over the instructor's) and when they handed in, in local time (due 15:45).
WORK = {
    "ada": ({}, "2027-01-14 15:30:00"),
    "s.oneil-2": ({"arrhenius": WRONG_ARRHENIUS}, "2027-01-14 15:44:00"),
    "zo_03": ({"arrhenius": WRONG_ARRHENIUS, "groupby": WRONG_GROUPBY}, "2027-01-14 16:05:00"),  # late
}
OUTPUTS = ["upload.csv", "marks.csv", f"reports/collect-{LAB}.csv",
           *[f"autograded/{user}/{LAB}/{name}" for user in WORK for name in ("tests.json", "flags.json")],
           *[f"feedback/{user}/{LAB}/{LAB}.html" for user in WORK]]


@pytest.fixture(scope="module")
def postgres():
    try:
        server = PostgresServer.start()
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    yield server
    server.stop()


def on_server(folder, db_url):
    """A course folder with the real settings, its gradebook at ``db_url``."""
    return markfixtures.make_course(folder, f"c.CourseDirectory.db_url = {db_url!r}").course_dir


def labgrade(folder, *arguments):
    assert main(["--course-dir", str(folder), *arguments]) == 0, arguments


def run_stages_after_release(folder):
    """Roster, collect, autograde (sandboxed), marks, feedback and report, as staff run them."""
    rows = [student_row(username, first, last, **{"Student ID": number}) for last, first, username, number in COHORT]
    download = write_grade_center(folder / "gradecenter.csv", standard_columns(), rows)
    labgrade(folder, "roster", str(download))
    attempts, settings = BlackboardZip(), load_course(folder)
    for username, (answers, when) in WORK.items():
        attempts.attempt(username, when, {f"{LAB}.ipynb": nbformat.writes(answered(settings, answers)).encode()})
    labgrade(folder, "collect", LAB, str(attempts.write(folder / "download.zip")))
    labgrade(folder, "autograde", LAB, "--workers", "2", "--require-sandbox", "--no-progress")
    labgrade(folder, "marks", str(download))
    labgrade(folder, "feedback", LAB)
    labgrade(folder, "report")


def gradebook_contents(url):
    """Everything the stages wrote to the gradebook, without the database's own ids."""
    with Gradebook(url) as gradebook:
        students = sorted((s.id, s.first_name, s.last_name, s.lms_user_id) for s in gradebook.students)
        cells = sorted((a.name, c.name, c.max_score) for a in gradebook.assignments for n in a.notebooks for c in n.grade_cells)
        grades = sorted((s.student.id, s.timestamp, g.name, g.auto_score, g.needs_manual_grade)
                        for a in gradebook.assignments for s in a.submissions for n in s.notebooks for g in n.grades)
        return students, cells, grades


def test_every_stage_on_postgresql_writes_what_it_writes_on_sqlite(postgres, tmp_path):
    (tmp_path / "sqlite").mkdir()
    on_sqlite = make_course(tmp_path / "sqlite").course_dir  # generate_assignment, as release runs it
    on_postgres = on_server(tmp_path / "postgres", postgres.database("labgrade_stages"))
    shutil.copytree(ROOT / "source" / LAB, on_postgres / "source" / LAB)
    shutil.copy2(ROOT / STUDENT_REQUIREMENTS, on_postgres / STUDENT_REQUIREMENTS)  # release checks the labs against it
    labgrade(on_postgres, "release", LAB)  # with its checks, graded in a scratch course of its own
    for folder in (on_sqlite, on_postgres):
        run_stages_after_release(folder)

    for name in OUTPUTS:
        assert (on_postgres / name).read_text(encoding="utf-8") == (on_sqlite / name).read_text(encoding="utf-8"), name
    url = load_course(on_postgres).gradebook_url
    assert url.startswith("postgresql://") and not (on_postgres / "gradebook.db").exists()
    contents = gradebook_contents(url)
    assert contents == gradebook_contents(load_course(on_sqlite).gradebook_url)

    students, cells, grades = contents  # and what they are: the release check's own students are not there
    assert [student[:3] for student in students] == [("ada", "Ada", "Lovelace"), ("s.oneil-2", "Seán", "O'Neil, Jr."), ("zo_03", "Zoë", "Øster")]
    assert sum(points for _, _, points in cells) == 10
    scores = {}
    for username, _, _, points, _ in grades:
        scores[username] = scores.get(username, 0) + points
    assert scores == {"ada": 10, "s.oneil-2": 8, "zo_03": 7}
    upload = list(csv.DictReader(io.StringIO((on_postgres / "upload.csv").read_text(encoding="utf-8-sig"))))
    lab1 = next(column for column in upload[0] if column.startswith("Lab 1 "))
    assert {row["Username"]: row[lab1] for row in upload} == {"ada": "2.00", "s.oneil-2": "1.60", "zo_03": "0.00"}  # zo_03 is late
    assert "Zoë Øster" in (on_postgres / "feedback" / "zo_03" / LAB / f"{LAB}.html").read_text(encoding="utf-8")
    assert (on_postgres / "reports" / "report.html").stat().st_size > 0


@pytest.mark.parametrize("mistake, reason", [("password", "password authentication failed"), ("database", "does not exist")])
def test_wrong_credentials_or_database_are_a_clear_error_naming_the_setting_without_the_password(postgres, tmp_path, capsys, mistake, reason):
    url = postgres.database(f"labgrade_{mistake}")
    password = sqlalchemy.make_url(url).password
    wrong = url.replace(password, "wrong-secret") if mistake == "password" else url + "_missing"
    folder = on_server(tmp_path / "course", wrong)
    (tmp_path / "gradecenter.csv").write_bytes(grade_center_bytes(COHORT))
    assert main(["--course-dir", str(folder), "roster", str(tmp_path / "gradecenter.csv")]) == 2
    error = capsys.readouterr().err
    assert "c.CourseDirectory.db_url: cannot open the gradebook postgresql://" in error and reason in error
    assert password not in error and "wrong-secret" not in error and "Traceback" not in error


def test_marks_on_an_empty_postgresql_database_says_there_is_no_gradebook_yet(postgres, tmp_path, capsys):
    folder = on_server(tmp_path / "course", postgres.database("labgrade_empty"))
    (tmp_path / "gradecenter.csv").write_bytes(grade_center_bytes(COHORT))
    assert main(["--course-dir", str(folder), "marks", str(tmp_path / "gradecenter.csv")]) == 2
    assert "labgrade_empty: no gradebook yet; autograde the labs first" in capsys.readouterr().err
