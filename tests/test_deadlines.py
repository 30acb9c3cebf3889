"""Deadline rules: local 15:45 or the extension, lateness in whole minutes rounded up."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from grading.deadlines import minutes_late, student_deadline
from grading.mitigations import Mitigation

LONDON = ZoneInfo("Europe/London")
DEADLINE = datetime(2027, 3, 29, 15, 45, tzinfo=LONDON)


@pytest.mark.parametrize(
    "submitted, grace, late",
    [
        (DEADLINE - timedelta(seconds=1), 0, 0),
        (DEADLINE, 0, 0),
        (DEADLINE + timedelta(seconds=1), 0, 1),
        (DEADLINE + timedelta(minutes=1), 0, 1),
        (DEADLINE + timedelta(minutes=1, seconds=1), 0, 2),
        (DEADLINE + timedelta(minutes=5), 5, 0),
        (DEADLINE + timedelta(minutes=5, seconds=1), 5, 6),
    ],
)
def test_minutes_late_rounds_up_after_the_grace_period(submitted, grace, late):
    assert minutes_late(submitted, DEADLINE, grace) == late


def test_1540_bst_written_in_utc_is_on_time():
    assert minutes_late(datetime(2027, 3, 29, 14, 40, tzinfo=timezone.utc), DEADLINE) == 0


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        minutes_late(datetime(2027, 3, 29, 15, 40), DEADLINE)


def test_extension_replaces_the_deadline_and_exemption_does_not(course):
    until = datetime(2027, 1, 21, 12, tzinfo=LONDON)
    assert student_deadline(course, "lab1", Mitigation("al1815", "lab1", "extension", until, "MC-1")) == until
    assert student_deadline(course, "lab1", Mitigation("al1815", "lab1", "exempt", None, "MC-2")) == course.deadline_for("lab1")
    assert student_deadline(course, "lab1").isoformat() == "2027-01-14T15:45:00+00:00"
