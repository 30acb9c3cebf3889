"""Reading Blackboard's clock: file-name times across the clock changes, and receipts' date lines."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from grading.collect import local_moment, receipt_date, receipt_problems

LONDON = ZoneInfo("Europe/London")


def test_time_in_the_repeated_hour_follows_the_receipts_zone_word():
    naive = datetime(2027, 10, 31, 1, 30)
    assert local_moment(naive, LONDON, "GMT")[0].isoformat() == "2027-10-31T01:30:00+00:00"
    assert local_moment(naive, LONDON, "BST")[0].isoformat() == "2027-10-31T01:30:00+01:00"
    moment, note = local_moment(naive, LONDON)
    assert moment.utcoffset().total_seconds() == 3600 and "happens twice" in note


def test_time_in_the_skipped_hour_is_flagged():
    assert "does not exist" in local_moment(datetime(2027, 3, 28, 1, 30), LONDON)[1]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Monday, 25 January 2027 15:41:07 o'clock GMT", (datetime(2027, 1, 25, 15, 41, 7), True, "GMT")),
        ("Monday, January 25, 2027 3:41:07 PM GMT", (datetime(2027, 1, 25, 15, 41, 7), True, "GMT")),
        ("25 Jan 2027 15:41", (datetime(2027, 1, 25, 15, 41), False, None)),
        ("lundi 25 janvier 2027 15:41:07", None),
    ],
)
def test_receipt_date_lines_in_several_formats(line, expected):
    assert receipt_date(f"Name: A (a)\nDate Submitted: {line}\n") == expected


def test_receipt_in_gmt_for_a_summer_time_stamp_is_reported():
    naive = datetime(2027, 3, 29, 15, 40)
    moment = local_moment(naive, LONDON)[0]
    problems = receipt_problems("Date Submitted: Monday, 29 March 2027 15:40:00 o'clock GMT\n", naive, moment)
    assert problems == ["the receipt says GMT but Europe/London was on BST then; check c.Course.timezone"]
