"""`labgrade report`: one self-contained page with the counts, distributions and failing tests staff need."""

import re

import pytest
from markfixtures import standard_columns, student_row, write_grade_center
from test_feedback import graded_lab1  # noqa: F401 (fixture)
from test_marks_upload import STUDENTS, cohort_gradebook, download, two_lab_course  # noqa: F401 (fixtures)

from grading.cli import main
from grading.marks import write_marks
from grading.report import write_report
from grading.settings import CourseError


def cells(page: str, row: str) -> list[str]:
    """The cells of the table row whose header is ``row``."""
    match = re.search(rf"<th>{re.escape(row)}</th>(.*?)</tr>", page, re.S)
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def test_report_counts_on_time_late_missing_and_flagged_per_lab(two_lab_course, monkeypatch):
    import grading.autograde

    cohort_gradebook(two_lab_course)
    monkeypatch.setattr(grading.autograde, "review_flags", lambda course_dir, lab: {"zq_03": ["odd output"]} if lab == "lab2" else {})
    write_marks(two_lab_course, download(two_lab_course))
    path = write_report(two_lab_course)
    assert path == two_lab_course.course_dir / "reports" / "report.html"
    page = path.read_text(encoding="utf-8")
    # columns: on time, late, missing, exempt, flagged
    assert cells(page, "lab1") == ["1", "1", "2", "0", "0"]
    assert cells(page, "lab2") == ["2", "0", "2", "0", "1"]
    assert "odd output" in page


def test_report_is_one_self_contained_file(two_lab_course):
    cohort_gradebook(two_lab_course)
    write_marks(two_lab_course, download(two_lab_course, cells={u: {"Research Assignment [Total Pts: 100 Score] |1234575": "60"}
                                                                for u in STUDENTS}))
    page = write_report(two_lab_course, out=two_lab_course.course_dir / "staff.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]*src="([^"]*)"', page)
    assert len(images) == 5 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(?!data:)', page) and "<script" not in page


def test_report_splits_failures_by_the_outcome_students_are_told(graded_lab1):
    rows = [student_row("s.oneil-2", "Seán", "O'Neil, Jr."), student_row("kd_07", "Kay", "Dee")]
    write_marks(graded_lab1, write_grade_center(graded_lab1.course_dir / "gc.csv", standard_columns(), rows))
    page = write_report(graded_lab1).read_text(encoding="utf-8")
    header = re.search(r"<thead>(.*?)</thead>", page.split("Which tests fail most")[1], re.S).group(1)
    assert re.findall(r"<th>(.*?)</th>", header) == ["lab", "task", "submissions", "pass rate", "not answered",
                                                     "failed a visible test", "failed a hidden test", "did not run"]
    found = {match[0]: match[1:] for match in re.findall(
        r"<tr>\s*<td>lab1</td>\s*<td>(\w+)</td>" + r"\s*<td>([\d.]+)</td>" * 6, page)}
    # one student failed a visible line, a hidden one, left metrics unanswered; the other's kernel
    # stopped in the fit task, so fit and the tests after it did not run
    assert found["test_arrhenius"] == ("2", "0.5", "0", "1", "0", "0")
    assert found["test_ea_units"] == ("2", "0.5", "0", "0", "1", "0")
    assert found["test_metrics"] == ("2", "0.0", "1", "0", "0", "1")
    assert found["test_fit"] == ("2", "0.5", "0", "0", "0", "1")


def test_report_without_marks_breakdown_says_what_to_run(two_lab_course, capsys):
    cohort_gradebook(two_lab_course)
    with pytest.raises(CourseError, match="labgrade marks GRADECENTER_FILE"):
        write_report(two_lab_course)
    assert main(["--course-dir", str(two_lab_course.course_dir), "report"]) == 2
    assert "marks.csv" in capsys.readouterr().err
