"""`labgrade marks`: from a real nbgrader gradebook and Grade Center downloads to the upload file and marks.csv."""

import csv
import io

import pytest
from markfixtures import (
    COLUMN_IDS, grade_column, local, make_course, make_gradebook, standard_columns, student_row, write_grade_center,
)

import grading.autograde
from grading.cli import main
from grading.marks import write_marks
from grading.settings import CourseError

LAB1, LAB2 = grade_column("Lab 1", 2), grade_column("Lab 2", 2)
LABS_TOTAL, ASSIGNMENT, MODULE = (grade_column("Computer Labs", 16), grade_column("Research Assignment", 100),
                                  grade_column("Module Mark", 100))
STUDENTS = {
    "al1815": ("Ada", "Lovelace"),
    "s.oneil-2": ("Seán", "O'Neil, Jr."),
    "zq_03": ('Zoë "Zed"', "Øster"),
    "nobody9": ("Nemo", "Absent"),
}
FULL = {"test_a": 2, "test_b": 1, "test_c": 1}


@pytest.fixture
def two_lab_course(tmp_path):
    """Two labs of 8 points each and an 84-point assignment, like the real course in miniature."""
    return make_course(tmp_path / "course", '\n'.join([
        'c.Course.lab_dates = {"lab1": "2027-01-14", "lab2": "2027-01-21"}',
        "c.Course.lab_weight = 8",
        'c.Course.blackboard_columns = {"lab1": "Lab 1", "lab2": "Lab 2", "labs_total": "Computer Labs",'
        ' "assignment": "Research Assignment", "module": "Module Mark"}',
    ]))


def lab_columns():
    return [grade_column("Lab 1", 8), grade_column("Lab 2", 8), grade_column("Computer Labs", 16), ASSIGNMENT, MODULE]


def cohort_gradebook(course):
    make_gradebook(course, STUDENTS, ["lab1", "lab2"], [
        ("al1815", "lab1", local(course, "2027-01-14 15:40"), FULL),
        ("al1815", "lab2", local(course, "2027-01-21 15:00"), {"test_a": 2, "test_b": 1}),
        ("s.oneil-2", "lab1", local(course, "2027-01-14 15:50"), FULL),  # late
        ("zq_03", "lab2", local(course, "2027-01-21 12:00"), {"test_a": 2}),
    ])


def download(course, name="gradecenter.csv", tab=False, columns=None, cells=None):
    headers = columns or lab_columns()
    cells = cells or {}
    rows = [student_row(user, first, last, **cells.get(user, {})) for user, (first, last) in STUDENTS.items()]
    return write_grade_center(course.course_dir / name, headers, rows, tab=tab)


def read_upload(path, delimiter=","):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=delimiter))


def test_upload_holds_username_and_only_the_set_columns_with_their_ids(two_lab_course):
    cohort_gradebook(two_lab_course)
    gc = download(two_lab_course, cells={"al1815": {ASSIGNMENT: "75"}})
    run = write_marks(two_lab_course, gc)
    text = run.upload.read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == ",".join(f'"{h}"' for h in ["Username", *lab_columns()[:3], MODULE])
    assert "|" + COLUMN_IDS["Module Mark"] in header and not text.startswith("\ufeff")
    for line in text.splitlines():
        fields = next(csv.reader([line]))
        assert line == ",".join(f'"{field}"' for field in fields)  # every value quoted
    rows = {row["Username"]: row for row in read_upload(run.upload)}
    assert set(rows) == set(STUDENTS)
    ada = rows["al1815"]
    # lab1 8 x 4/4 = 8.00, lab2 8 x 3/4 = 6.00; module (14 + 84 x 75/100 = 63) x 100/100 = 77
    assert (ada[lab_columns()[0]], ada[lab_columns()[1]], ada[lab_columns()[2]], ada[MODULE]) == ("8.00", "6.00", "14.00", "77")


def test_late_and_missing_labs_score_zero_and_module_stays_blank_while_unmarked(two_lab_course):
    cohort_gradebook(two_lab_course)
    gc = download(two_lab_course, cells={"s.oneil-2": {ASSIGNMENT: "Needs Grading"}})
    run = write_marks(two_lab_course, gc)
    sean = {row["Username"]: row for row in read_upload(run.upload)}["s.oneil-2"]
    assert sean[lab_columns()[0]] == "0.00" and sean[lab_columns()[1]] == "0.00"
    assert sean[MODULE] == ""  # carried from the download, never 0
    breakdown = [row for row in read_upload(run.breakdown) if row["username"] == "s.oneil-2"]
    lab1, lab2 = breakdown
    assert (lab1["status"], lab1["minutes_late"], lab1["policy"], lab1["submitted"]) == (
        "late", "5", "late: zero", "2027-01-14T15:50:00+00:00")
    assert (lab2["status"], lab2["policy"], lab2["lab_mark"]) == ("missing", "no submission: 0", "0.00")
    assert "assignment unmarked (Needs Grading)" in lab1["module_blank_because"]


def test_names_with_commas_quotes_and_accents_survive_the_breakdown(two_lab_course):
    cohort_gradebook(two_lab_course)
    run = write_marks(two_lab_course, download(two_lab_course))
    names = {(row["first_name"], row["last_name"]) for row in read_upload(run.breakdown)}
    assert {("Seán", "O'Neil, Jr."), ('Zoë "Zed"', "Øster")} <= names


def test_utf16_tab_download_and_tab_upload(two_lab_course):
    cohort_gradebook(two_lab_course)
    gc = download(two_lab_course, name="gradecenter.xls", tab=True, cells={"zq_03": {ASSIGNMENT: "50"}})
    run = write_marks(two_lab_course, gc, tab=True)
    assert run.upload.name == "upload.xls"
    text = run.upload.read_text(encoding="utf-8")
    assert text.splitlines()[0].split("\t") == ["Username", *lab_columns()[:3], MODULE] and '"' not in text
    zed = {row["Username"]: row for row in read_upload(run.upload, "\t")}["zq_03"]
    # lab1 missing 0, lab2 8 x 2/4 = 4.00; (4 + 42) = 46
    assert (zed[lab_columns()[1]], zed[MODULE]) == ("4.00", "46")


def test_old_headers_without_display_word_are_matched_and_kept(two_lab_course):
    cohort_gradebook(two_lab_course)
    old = [grade_column("Lab 1", 8, None), grade_column("Lab 2", 8, None), grade_column("Computer Labs", 16, None),
           grade_column("Research Assignment", 100, None), grade_column("Module Mark", 100, None)]
    run = write_marks(two_lab_course, download(two_lab_course, columns=old, cells={"al1815": {old[3]: "100"}}))
    rows = {row["Username"]: row for row in read_upload(run.upload)}
    assert list(rows["al1815"]) == ["Username", *old[:3], old[4]]
    assert rows["al1815"][old[4]] == "98"  # 8 + 6 + 84


def test_blackboard_exempt_cell_exempts_the_lab_and_is_left_as_it_is(two_lab_course):
    cohort_gradebook(two_lab_course)
    lab2 = lab_columns()[1]
    gc = download(two_lab_course, cells={"al1815": {lab2: "Exempt", ASSIGNMENT: "75"}})
    run = write_marks(two_lab_course, gc)
    ada = {row["Username"]: row for row in read_upload(run.upload)}["al1815"]
    # lab2 left out: (8 + 63) x 100 / (8 + 84) = 77.17 -> 77; lab total over lab1 only
    assert (ada[lab2], ada[lab_columns()[2]], ada[MODULE]) == ("Exempt", "8.00", "77")


def test_mitigations_exemption_renormalises_and_tells_staff_to_set_exempt_in_blackboard(two_lab_course):
    cohort_gradebook(two_lab_course)
    (two_lab_course.course_dir / "mitigations.csv").write_text(
        "username,lab,kind,until,reference\nzq_03,lab1,exempt,,MC-9\nzq_03,lab2,exempt,,MC-9\n")
    run = write_marks(two_lab_course, download(two_lab_course, cells={"zq_03": {ASSIGNMENT: "70"}}))
    zed = {row["Username"]: row for row in read_upload(run.upload)}["zq_03"]
    assert (zed[lab_columns()[0]], zed[lab_columns()[2]], zed[MODULE]) == ("", "0.00", "70")  # exempt from every lab
    assert any("zq_03 is exempt from lab1" in notice and "Exempt Grade" in notice for notice in run.sheet.notices)
    rows = [row for row in read_upload(run.breakdown) if row["username"] == "zq_03"]
    assert [row["exemption"] for row in rows] == ["exempt (mitigations.csv MC-9)"] * 2


def test_needs_grading_without_a_gradebook_submission_is_held_for_review(two_lab_course):
    cohort_gradebook(two_lab_course)
    run = write_marks(two_lab_course, download(two_lab_course, cells={"nobody9": {lab_columns()[0]: "Needs Grading"}}))
    assert "nobody9" not in {row["Username"] for row in read_upload(run.upload)}
    assert [s.username for s in run.sheet.flagged] == ["nobody9"]
    assert "collect again" in run.sheet.flagged[0].flags[0]


def test_flagged_students_are_listed_and_left_out_unless_included(two_lab_course, monkeypatch):
    cohort_gradebook(two_lab_course)
    monkeypatch.setattr(grading.autograde, "review_flags",
                        lambda course_dir, lab: {"al1815": ["output matches another submission"]} if lab == "lab2" else {})
    gc = download(two_lab_course)
    run = write_marks(two_lab_course, gc)
    assert "al1815" not in {row["Username"] for row in read_upload(run.upload)}
    assert "al1815: lab2: output matches another submission" in run.describe()
    assert [row["in_upload"] for row in read_upload(run.breakdown) if row["username"] == "al1815"] == ["no: needs review"] * 2
    included = write_marks(two_lab_course, gc, include_flagged=True)
    assert "al1815" in {row["Username"] for row in read_upload(included.upload)}


def test_submission_not_autograded_is_held_for_review(two_lab_course):
    make_gradebook(two_lab_course, STUDENTS, ["lab1", "lab2"],
                   [("al1815", "lab1", local(two_lab_course, "2027-01-14 15:00"), {})], autograde=False)
    run = write_marks(two_lab_course, download(two_lab_course))
    assert run.sheet.flagged[0].flags == ["lab1: submitted but not autograded"]


def test_students_outside_the_download_and_without_submissions_are_listed(two_lab_course):
    cohort_gradebook(two_lab_course)
    make_gradebook(two_lab_course, {"late.joiner": ("Lee", "Joiner")}, [],
                   [("late.joiner", "lab1", local(two_lab_course, "2027-01-14 15:00"), FULL)])
    run = write_marks(two_lab_course, download(two_lab_course))
    assert [s.username for s in run.sheet.not_in_download] == ["late.joiner"]
    assert [s.username for s in run.sheet.without_submissions] == ["nobody9"]
    assert "late.joiner" not in {row["Username"] for row in read_upload(run.upload)}
    nobody = {row["Username"]: row for row in read_upload(run.upload)}["nobody9"]
    assert nobody[lab_columns()[0]] == "0.00" and nobody[lab_columns()[2]] == "0.00"
    joiner = [row for row in read_upload(run.breakdown) if row["username"] == "late.joiner"]
    assert joiner[0]["lab_mark"] == "8.00" and joiner[0]["in_upload"] == "no: not in the Grade Center download"


def test_missing_column_stops_with_what_to_create(two_lab_course):
    cohort_gradebook(two_lab_course)
    without_module = lab_columns()[:4]
    gc = download(two_lab_course, columns=without_module)
    with pytest.raises(CourseError, match=r"no Grade Center column 'Module Mark' \(Score, Points Possible 100\).*"
                                          r"Create it in Blackboard.*--create-missing"):
        write_marks(two_lab_course, gc)
    assert not (two_lab_course.course_dir / "upload.csv").exists()
    run = write_marks(two_lab_course, gc, create_missing=True)
    assert read_upload(run.upload)[0].keys() >= {"Module Mark"}
    assert any("Text with 0 points" in notice for notice in run.sheet.notices)


def test_column_with_wrong_points_or_calculated_is_refused(two_lab_course):
    cohort_gradebook(two_lab_course)
    wrong = [grade_column("Lab 1", 10), *lab_columns()[1:]]
    with pytest.raises(CourseError, match="'Lab 1' has Total Pts 10 but its marks are out of 8"):
        write_marks(two_lab_course, download(two_lab_course, columns=wrong))
    calculated = [*lab_columns()[:2], grade_column("Computer Labs", "up to 16"), *lab_columns()[3:]]
    with pytest.raises(CourseError, match="'Computer Labs' is a calculated column"):
        write_marks(two_lab_course, download(two_lab_course, columns=calculated))


def test_labs_not_in_the_gradebook_are_left_out_and_blank_the_module_mark(tmp_path):
    course = make_course(tmp_path)  # the real eight-lab course
    make_gradebook(course, {"al1815": ("Ada", "Lovelace")}, ["lab1"],
                   [("al1815", "lab1", local(course, "2027-01-14 15:00"), {"test_a": 2, "test_b": 1})])
    gc = write_grade_center(course.course_dir / "gc.csv", standard_columns(),
                            [student_row("al1815", "Ada", "Lovelace", **{ASSIGNMENT: "80"})])
    run = write_marks(course, gc)
    row = read_upload(run.upload)[0]
    assert list(row) == ["Username", LAB1, LABS_TOTAL, MODULE]
    assert (row[LAB1], row[LABS_TOTAL], row[MODULE]) == ("1.50", "1.50", "")
    assert "not graded yet: lab2" in run.describe()


def test_cli_marks_prints_where_the_files_are_and_errors_name_the_file(two_lab_course, capsys):
    cohort_gradebook(two_lab_course)
    gc = download(two_lab_course)
    assert main(["--course-dir", str(two_lab_course.course_dir), "marks", str(gc)]) == 0
    out = capsys.readouterr().out
    assert "upload file  " + str(two_lab_course.course_dir / "upload.csv") in out and "marks.csv" in out
    assert main(["--course-dir", str(two_lab_course.course_dir), "marks", str(gc.with_name("nope.csv"))]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_folder_of_downloads_reads_the_newest(two_lab_course):
    import os

    cohort_gradebook(two_lab_course)
    folder = two_lab_course.course_dir / "downloads"
    folder.mkdir()
    old = download(two_lab_course, name="downloads/gc_old.csv", cells={"al1815": {ASSIGNMENT: "10"}})
    new = download(two_lab_course, name="downloads/gc_new.xls", tab=True, cells={"al1815": {ASSIGNMENT: "75"}})
    os.utime(old, (1_800_000_000, 1_800_000_000))
    os.utime(new, (1_800_000_100, 1_800_000_100))
    run = write_marks(two_lab_course, folder)
    assert run.gradecenter == new and f"read {new}" in run.describe()
    assert {row["Username"]: row for row in read_upload(run.upload)}["al1815"][MODULE] == "77"
