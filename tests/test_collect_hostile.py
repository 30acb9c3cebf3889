"""Hostile zips: nothing in a download is extracted by its own name, and every refusal is reported."""

import csv
import stat
import zipfile
from pathlib import Path

import pytest
from blackboard_fixtures import BlackboardZip, course_folder, grade_center_bytes, lab1_notebook

from grading.collect import ZipLimits, collect
from grading.roster import import_roster
from grading.settings import CourseError, load_course

STEM = "Lab 1_al1815_attempt_2027-01-14-12-00-00"
LIMITS = ZipLimits(entry_bytes=200_000, total_bytes=1_000_000, entries=100)


@pytest.fixture
def course(tmp_path):
    course = load_course(course_folder(tmp_path))
    (tmp_path / "gc.csv").write_bytes(grade_center_bytes([("Lovelace", "Ada", "al1815", "1"), ("Smith", "Jo", "js1", "2")]))
    import_roster(course, tmp_path / "gc.csv")
    return course


def good_attempts() -> BlackboardZip:
    """A student whose collection must go through whatever else the zip holds."""
    return BlackboardZip().attempt("js1", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()})


def files_outside(tmp_path: Path, course) -> list[str]:
    return sorted(
        str(p) for p in tmp_path.rglob("*")
        if p.is_file() and not p.is_relative_to(course.course_dir) and p.suffix not in (".zip", ".csv")
    )


def collect_and_read(tmp_path, course, bb: BlackboardZip):
    report = collect(course, "lab1", bb.write(tmp_path / "hostile.zip"), LIMITS)
    with open(report.report_path, encoding="utf-8") as handle:
        text = " | ".join(row["problems"] for row in csv.DictReader(handle))
    assert (course.course_dir / "submitted" / "js1" / "lab1" / "lab1.ipynb").read_bytes() == lab1_notebook()
    assert files_outside(tmp_path, course) == []
    return text


@pytest.mark.parametrize(
    "name",
    [
        f"../../{STEM}_lab1.ipynb",
        f"/tmp/{STEM}_lab1.ipynb",
        f"..\\..\\{STEM}_lab1.ipynb",
        f"C:/Users/{STEM}_lab1.ipynb",
        "../../../outside.txt",
    ],
)
def test_entries_climbing_out_of_the_folder_are_skipped_and_reported(tmp_path, course, name):
    text = collect_and_read(tmp_path, course, good_attempts().raw(name, lab1_notebook()))
    assert "its path leads outside the download folder: skipped" in text
    assert not (course.course_dir / "submitted" / "al1815").exists()


def test_symbolic_link_entry_is_skipped(tmp_path, course):
    link = zipfile.ZipInfo(f"{STEM}_lab1.ipynb")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    text = collect_and_read(tmp_path, course, good_attempts().raw(link, b"/etc/passwd"))
    assert "is a symbolic link: skipped" in text


def test_entry_declaring_more_than_the_limit_is_not_unpacked(tmp_path, course):
    text = collect_and_read(tmp_path, course, good_attempts().raw(f"{STEM}_lab1.ipynb", b" " * 300_000))
    assert "declares 300000 bytes, over the limit of 200000: skipped" in text


def test_entry_whose_header_understates_its_size_is_refused(tmp_path, course):
    path = tmp_path / "lying.zip"
    good_attempts().write(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{STEM}_lab1.ipynb", b"{" + b" " * 5_000_000)
        archive.filelist[-1].file_size = 1000  # the central directory now lies
    report = collect(course, "lab1", path, LIMITS)
    problems = " ".join(p for line in report.students for p in line.all_problems())
    assert "cannot be unpacked" in problems
    assert not (course.course_dir / "submitted" / "al1815").exists()


def test_zip_unpacking_to_more_than_the_total_limit_is_refused(tmp_path, course):
    bb = good_attempts()
    for n in range(8):
        bb.attempt("al1815", f"2027-01-14 12:0{n}:00", {"lab1.ipynb": b" " * 150_000})
    with pytest.raises(CourseError, match="hostile.zip: unpacks to more than 1000000 bytes"):
        collect(course, "lab1", bb.write(tmp_path / "hostile.zip"), LIMITS)


def test_zip_with_too_many_entries_is_refused(tmp_path, course):
    bb = good_attempts()
    for n in range(120):
        bb.raw(f"junk{n}.txt", b"")
    with pytest.raises(CourseError, match="more than the limit of 100"):
        collect(course, "lab1", bb.write(tmp_path / "hostile.zip"), LIMITS)


def test_nested_zip_is_not_opened(tmp_path, course):
    inner = BlackboardZip().attempt("al1815", "2027-01-14 12:00:00", {"lab1.ipynb": lab1_notebook()}).write(tmp_path / "inner.zip")
    bb = good_attempts().attempt("al1815", "2027-01-14 12:00:00", {"lab1.zip": inner.read_bytes()})
    text = collect_and_read(tmp_path, course, bb)
    assert "lab1.zip is a zip inside the zip: not opened" in text
    assert not (course.course_dir / "submitted" / "al1815").exists()


def test_entry_name_that_is_not_utf8_is_skipped(tmp_path, course):
    bb = good_attempts().attempt("al1815", "2027-01-14 12:00:00", {"caf#.ipynb": lab1_notebook()})
    path = bb.write(tmp_path / "hostile.zip")
    path.write_bytes(path.read_bytes().replace(b"caf#.ipynb", b"caf\xe9.ipynb"))  # Latin-1, no UTF-8 flag
    report = collect(course, "lab1", path, LIMITS)
    problems = " ".join(p for line in report.students for p in line.all_problems())
    assert "its name is not UTF-8 (b'Lab 1_al1815_attempt_2027-01-14-12-00-00_caf\\xe9.ipynb'): skipped" in problems
    assert "the receipt lists caf#.ipynb but the zip does not hold it" in problems


def test_file_that_is_not_a_zip_is_refused_naming_it(tmp_path, course):
    path = tmp_path / "download.zip"
    path.write_text("<html>Session expired</html>")
    with pytest.raises(CourseError, match="download.zip: not a zip file"):
        collect(course, "lab1", path)


def test_submitted_folder_that_is_a_link_elsewhere_is_not_written_through(tmp_path, course):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (course.course_dir / "submitted").mkdir()
    (course.course_dir / "submitted" / "js1").symlink_to(elsewhere)
    with pytest.raises(CourseError, match="outside the course folder"):
        collect(course, "lab1", good_attempts().write(tmp_path / "ok.zip"), LIMITS)
    assert list(elsewhere.iterdir()) == []
