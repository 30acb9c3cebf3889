"""The demo pipeline end to end on a small cohort: Blackboard downloads in, marks, feedback and report out."""

import csv
import re
from decimal import Decimal

from grading.demo import outcome_for, run_demo, synthetic_cohort
from grading.mitigations import read_mitigations


def test_demo_marks_follow_what_each_student_did(course, tmp_path, capsys):
    run_demo(course, tmp_path / "demo", students=8, labs=["lab1"])
    printed = capsys.readouterr().out
    for what in ("upload file", "marks.csv", "report"):
        assert what in printed
    demo = tmp_path / "demo"
    assert (demo / "upload.csv").is_file() and (demo / "reports" / "report.html").is_file()

    with open(demo / "marks.csv", encoding="utf-8") as handle:
        rows = {row["username"]: row for row in csv.DictReader(handle) if row["lab"] == "lab1"}
    mitigations = {user: m.kind for (user, lab), m in read_mitigations(course, demo / "mitigations.csv").items()}
    assert sorted(mitigations.values()) == ["exempt", "extension"]
    lab_index = course.labs.index("lab1")
    for index, student in enumerate(synthetic_cohort(8)):
        outcome, row = outcome_for(index, lab_index), rows[student.username]
        mark = Decimal(row["lab_mark"]) if row["lab_mark"] else None
        if mitigations.get(student.username) == "exempt":
            assert row["exemption"] and mark in (None, 0), row
        elif outcome == "correct" or (outcome == "late" and mitigations.get(student.username) == "extension"):
            assert mark == course.lab_weight, (student, outcome, row)
        elif outcome == "partial":
            assert 0 < mark < course.lab_weight, (student, outcome, row)
        else:  # untouched, missing, or late without an extension under the default late policy
            assert mark == 0, (student, outcome, row)


def test_without_a_sandbox_the_demo_still_runs_behind_a_banner(course, tmp_path, capsys, monkeypatch):
    import grading.autograde
    from grading.demo import UNSANDBOXED_BANNER
    from grading.sandbox import Sandbox

    monkeypatch.setattr(grading.autograde, "find_sandbox", lambda: Sandbox(None, missing=["no bubblewrap"]))
    monkeypatch.setenv("CI", "true")  # synthetic work may run unsandboxed even in CI; students' never
    run_demo(course, tmp_path / "demo", students=8, labs=["lab1"])
    printed = capsys.readouterr().out
    assert UNSANDBOXED_BANNER in printed and "WARNING" in printed
    assert re.search(r"lab1: [1-9]\d* graded, 0 already up to date, 0 could not be graded", printed) and (tmp_path / "demo" / "upload.csv").is_file()
