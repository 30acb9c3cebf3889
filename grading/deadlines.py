"""Deadline rules, as pure functions: when a student's lab is due and how late an attempt was."""

from __future__ import annotations

import math
from datetime import datetime

from .mitigations import Mitigation
from .settings import CourseSettings


def student_deadline(settings: CourseSettings, lab: str, mitigation: Mitigation | None = None) -> datetime:
    """The lab's 15:45 deadline, or the student's extension when the student office granted one."""
    if mitigation is not None and mitigation.kind == "extension":
        return mitigation.until
    return settings.deadline_for(lab)


def minutes_late(submitted: datetime, deadline: datetime, grace_minutes: int = 0) -> int:
    """Whole minutes past the deadline, rounded up (one second late is one minute late); 0 if on time.

    Within the grace period an attempt counts as on time.
    """
    if submitted.tzinfo is None or deadline.tzinfo is None:
        raise ValueError("deadline arithmetic needs time-zone-aware datetimes")
    seconds = (submitted - deadline).total_seconds()
    if seconds <= grace_minutes * 60:
        return 0
    return math.ceil(seconds / 60)
