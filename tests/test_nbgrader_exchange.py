"""Work collected by nbgrader's own exchange grades and marks as work collected by `labgrade collect` does.

The round trip runs nbgrader's real commands (release_assignment, fetch_assignment, submit, collect) on a
local exchange folder, then `labgrade autograde` and `labgrade marks` on what they wrote.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from autograde_fixtures import WRONG_ARRHENIUS, answered, make_course, released, submit
from markfixtures import grade_column, student_row, write_grade_center
from nbgrader.api import Gradebook

from grading import autograde
from grading.cli import main
from grading.settings import CONFIG_FILE, load_course

NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
LONDON = ZoneInfo("Europe/London")
LAB1 = grade_column("Lab 1", 2)
COLUMNS = [LAB1, grade_column("Computer Labs", 16), grade_column("Research Assignment", 100), grade_column("Module Mark", 100)]


def nbgrader(cwd: Path, exchange: Path, *args: str) -> str:
    done = subprocess.run([NBGRADER, *args, f"--Exchange.root={exchange}"], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def hand_in(home: Path, exchange: Path, student: str, nb, extras: dict[str, str]) -> None:
    """A student fetches lab 1 into their own folder, works on it, leaves copies about, and submits."""
    home.mkdir()
    nbgrader(home, exchange, "fetch_assignment", "lab1", "--course", "ml-for-materials")
    nbformat.write(nb, home / "lab1" / "lab1.ipynb")
    for name, text in extras.items():
        (home / "lab1" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "lab1" / name).write_text(text, encoding="utf-8")
    nbgrader(home, exchange, "submit", "lab1", "--course", "ml-for-materials", f"--student={student}")


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory):
    """Lab 1 was yesterday (UK), so the exchange's real submission times are late, except for the student
    with an extension to tomorrow; a third student hands in the first one's notebook at the same moment
    through labgrade's own layout."""
    base = tmp_path_factory.mktemp("exchange")
    course, exchange = base / "course", base / "exchange"
    course.mkdir()
    exchange.mkdir(mode=0o777)
    settings = make_course(course)
    today = datetime.now(LONDON).date()
    with open(course / CONFIG_FILE, "a") as config:
        config.write(f'\nc.Course.lab_dates = {{**c.Course.lab_dates, "lab1": "{today - timedelta(days=1)}"}}\n')
    (course / "mitigations.csv").write_text(f"username,lab,kind,until\nsw2024,lab1,extension,{today + timedelta(days=1)} 12:00\n")
    settings = load_course(course)
    nbgrader(course, exchange, "release_assignment", "lab1")
    honest = answered(settings)
    hand_in(base / "ada", exchange, "al1815", honest, {
        "lab1-Copy1.ipynb": nbformat.writes(released(settings)),  # an untouched copy beside the real one
        ".ipynb_checkpoints/lab1-checkpoint.ipynb": nbformat.writes(released(settings)),
        "notes.txt": "to self: check units",
    })
    hand_in(base / "sam", exchange, "sw2024", answered(settings, {"arrhenius": WRONG_ARRHENIUS}), {})
    nbgrader(course, exchange, "collect", "lab1")
    stamp = (course / "submitted" / "al1815" / "lab1" / "timestamp.txt").read_text().strip()
    moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f %Z").replace(tzinfo=timezone.utc)
    submit(settings, "gh1000", honest, timestamp=moment.astimezone(LONDON).isoformat())  # labgrade collect's form
    submit(settings, "zl0001", honest, timestamp=moment.astimezone(LONDON).replace(tzinfo=None).isoformat(" "))
    summary = autograde.autograde(settings, "lab1", require_sandbox=True, progress=False)
    assert not summary.errors
    names = [("al1815", "Ada", "Lovelace"), ("sw2024", "Sam", "Wu"), ("gh1000", "Grace", "Hopper"), ("zl0001", "Zoe", "Li")]
    download = write_grade_center(course / "gc.csv", COLUMNS, [student_row(u, f, l) for u, f, l in names])
    assert main(["--course-dir", str(course), "marks", str(download)]) == 0
    return settings, stamp, summary.describe()


def breakdown(settings) -> dict[str, dict[str, str]]:
    with open(settings.course_dir / "marks.csv", encoding="utf-8") as handle:
        return {row["username"]: row for row in csv.DictReader(handle) if row["lab"] == "lab1"}


def test_nbgrader_exchange_writes_its_own_timestamp_form(exchanged):
    _, stamp, _ = exchanged
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC", stamp)  # the form labgrade once refused


def test_exchange_submissions_grade_the_same_as_labgrade_collected_ones(exchanged):
    settings, _, _ = exchanged
    with Gradebook(settings.gradebook_url) as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment("lab1").submissions}
        max_score = gb.find_assignment("lab1").max_score
    assert scores["al1815"] == scores["gh1000"] == scores["zl0001"] == max_score
    assert 0 < scores["sw2024"] < max_score
    assert autograde.test_records(settings.course_dir, "al1815", "lab1") == autograde.test_records(settings.course_dir, "gh1000", "lab1")


def test_the_real_notebook_is_graded_and_the_copy_beside_it_is_reported(exchanged):
    settings, _, _ = exchanged
    log = (settings.course_dir / "autograded" / "al1815" / "lab1" / "autograde.log").read_text()
    assert "2 lab1 notebooks in one attempt; lab1.ipynb used" in log


def test_deadlines_and_late_policy_are_the_same_whichever_tool_collected(exchanged):
    settings, stamp, _ = exchanged
    rows = breakdown(settings)
    moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f %Z").replace(tzinfo=timezone.utc)
    for student in ("al1815", "gh1000", "zl0001"):
        assert rows[student]["status"] == "late" and rows[student]["lab_mark"] == "0.00"
        assert datetime.fromisoformat(rows[student]["submitted"]) == moment
    assert rows["al1815"]["minutes_late"] == rows["gh1000"]["minutes_late"] == rows["zl0001"]["minutes_late"]
    sam = rows["sw2024"]
    assert (sam["status"], sam["minutes_late"], sam["lab_mark"]) == ("on time", "0", "1.60")  # 2 x 8/10
    flags = json.loads((settings.course_dir / "autograded" / "sw2024" / "lab1" / "flags.json").read_text())
    assert flags == []


def test_a_time_without_a_zone_is_noted_in_the_autograde_summary(exchanged):
    _, _, summary = exchanged
    noted = [line for line in summary.splitlines() if line.startswith("  zl0001: note:")]
    assert len(noted) == 1 and "no time zone" in noted[0] and "taken as Europe/London time" in noted[0]
    assert "gh1000: note" not in summary and "sw2024: note" not in summary
