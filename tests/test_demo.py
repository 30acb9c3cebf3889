"""The demo pipeline end to end on a small cohort: release, hand in, autograde, marks."""

import csv
from decimal import Decimal

from grading.demo import outcome_for, run_demo, synthetic_cohort


def test_demo_marks_follow_what_each_student_did(course, tmp_path, capsys):
    run_demo(course, tmp_path / "demo", students=8, labs=["lab1"])
    printed = capsys.readouterr().out
    assert "marks" in printed and str(tmp_path / "demo") in printed

    with open(tmp_path / "demo" / "marks.csv", encoding="utf-8") as handle:
        marks = {row["username"]: Decimal(row["lab1_mark"]) for row in csv.DictReader(handle)}
    lab_index = course.labs.index("lab1")
    for index, student in enumerate(synthetic_cohort(8)):
        outcome = outcome_for(index, lab_index)
        mark = marks[student.username]
        if outcome == "correct":
            assert mark == course.lab_weight, (student, outcome)
        elif outcome == "partial":
            assert 0 < mark < course.lab_weight, (student, outcome)
        else:  # empty, missing, and late under the default late policy
            assert mark == 0, (student, outcome)
