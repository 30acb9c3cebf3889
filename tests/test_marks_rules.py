"""The mark rules themselves: rounding, late policy, extensions, exemptions and the module mark."""

from decimal import Decimal
from fractions import Fraction

import pytest
from markfixtures import local

from grading.gradecenter import parse_grade_header
from grading.marks import (
    EXEMPT, LATE, MISSING, ON_TIME, AssignmentMark, Attempt, assignment_mark, lab_result, labs_total, module_mark,
    round_half_up,
)
from grading.mitigations import Mitigation
from grading.settings import CourseError

ASSIGNMENT = parse_grade_header("Research Assignment [Total Pts: 100 Score] |1234575")


@pytest.mark.parametrize("value, places, rounded", [
    (Fraction(139, 2), 0, "70"),        # 69.5 -> 70, not to the even 70/68 of banker's rounding
    (Fraction(137, 2), 0, "69"),        # 68.5 -> 69: banker's rounding would give 68
    (Decimal("1.005"), 2, "1.01"),      # float round(1.005, 2) gives 1.0
    (Fraction(2, 3), 2, "0.67"),        # 2 x 1/3
    (Fraction(1, 3), 2, "0.33"),
    (Decimal("0.125"), 2, "0.13"),
    (Fraction(0), 2, "0.00"),
])
def test_round_half_up_sends_exact_ties_up(value, places, rounded):
    assert str(round_half_up(value, places)) == rounded


def attempt(course, score, max_score=4, when="2027-01-14 15:40", graded=True):
    return Attempt(Fraction(score), Fraction(max_score), local(course, when), graded)


def test_lab_mark_is_weight_times_score_over_maximum_to_two_decimals(course):
    assert lab_result(course, "lab1", attempt(course, 3, 4), None).mark == Decimal("1.50")
    assert lab_result(course, "lab1", attempt(course, 1, 3), None).mark == Decimal("0.67")
    assert lab_result(course, "lab1", attempt(course, Fraction(201, 100), 4), None).mark == Decimal("1.01")  # 1.005


def test_missing_lab_scores_zero_and_says_so(course):
    result = lab_result(course, "lab1", None, None)
    assert (result.status, result.mark, result.policy) == (MISSING, Decimal("0.00"), "no submission: 0")


def test_late_lab_scores_zero_by_default_and_counts_under_accept(course, tmp_path):
    late = attempt(course, 4, 4, when="2027-01-14 15:46")
    result = lab_result(course, "lab1", late, None)
    assert (result.status, result.mark, result.minutes_late, result.policy) == (LATE, Decimal("0.00"), 1, "late: zero")
    from markfixtures import make_course
    accepting = make_course(tmp_path, 'c.Course.late_policy = "accept"')
    result = lab_result(accepting, "lab1", late, None)
    assert (result.status, result.mark, result.policy) == (LATE, Decimal("2.00"), "late: accepted")


def test_deadline_is_local_time_in_summer_time(course):
    # lab dates are in winter; an extension into BST at 15:44 local is 14:44 UTC and must be on time
    extension = Mitigation("al1815", "lab8", "extension", local(course, "2027-04-01 15:45"), "MC-1")
    on_time = lab_result(course, "lab8", attempt(course, 4, 4, when="2027-04-01 15:44"), extension)
    assert (on_time.status, on_time.mark) == (ON_TIME, Decimal("2.00"))
    assert on_time.policy.startswith("extension to 2027-04-01 15:45")


def test_extension_moves_the_deadline_and_lateness_counts_from_it(course):
    extension = Mitigation("al1815", "lab1", "extension", local(course, "2027-01-18 12:00"), "MC-1")
    assert lab_result(course, "lab1", attempt(course, 4, 4, when="2027-01-17 09:00"), extension).mark == Decimal("2.00")
    late = lab_result(course, "lab1", attempt(course, 4, 4, when="2027-01-18 12:30"), extension)
    assert (late.status, late.minutes_late, late.mark) == (LATE, 30, Decimal("0.00"))


def test_exempt_lab_has_no_mark_even_when_submitted(course):
    exemption = Mitigation("al1815", "lab1", "exempt", None, "MC-2")
    result = lab_result(course, "lab1", attempt(course, 4, 4), exemption)
    assert (result.status, result.mark, result.exemption) == (EXEMPT, None, "exempt (mitigations.csv MC-2)")
    assert lab_result(course, "lab1", None, None, exempt_in_blackboard=True).exemption == "exempt (Blackboard)"


def results(course, marks: list[str | None]):
    exempt = Mitigation("x", "lab1", "exempt", None, "")
    return [lab_result(course, f"lab{n}", None, exempt) if mark is None else
            lab_result(course, f"lab{n}", attempt(course, Fraction(Decimal(mark)) * 2, 4), None)
            for n, mark in enumerate(marks, start=1)]


def test_module_mark_rounds_69_point_5_up_to_70(course):
    labs = results(course, ["2", "2", "2", "2", "1.5", "1", "1", "1"])  # 12.5
    assert labs_total(labs) == Decimal("12.50")
    assert module_mark(course, labs, AssignmentMark("57", Fraction(57))).mark == Decimal(70)


def test_module_mark_adds_the_assignment_unrounded(course):
    labs = results(course, ["2"] * 8)
    # 84 x 1/3 = 28 exactly; 16 + 28 = 44 (a two-decimal assignment mark 28.00 would agree, 84 x 0.33 would not)
    third = assignment_mark("1", parse_grade_header("RA [Total Pts: 3 Score] |1"), Decimal(84), "here")
    assert third.mark == 28
    assert module_mark(course, labs, third).mark == Decimal(44)


def test_exempt_lab_weights_are_renormalised_to_100(course):
    labs = results(course, [None, "2", "2", "2", "2", "2", "2", "2"])
    assert labs_total(labs) == Decimal("14.00")
    assert module_mark(course, labs, AssignmentMark("100", Fraction(84))).mark == Decimal(100)
    # (14 + 42) x 100 / 98 = 57.14...
    assert module_mark(course, labs, AssignmentMark("50", Fraction(42))).mark == Decimal(57)


def test_student_exempt_from_every_lab_is_marked_on_the_assignment_alone(course):
    labs = results(course, [None] * 8)
    assert labs_total(labs) == Decimal("0.00")
    assert module_mark(course, labs, AssignmentMark("65", Fraction(84 * 65, 100))).mark == Decimal(65)


def test_module_mark_is_blank_never_zero_while_the_assignment_is_unmarked(course):
    labs = results(course, ["2"] * 8)
    for cell in ("", "Needs Grading", "In Progress", "Needs Marking"):
        unmarked = assignment_mark(cell, ASSIGNMENT, Decimal(84), "here")
        module = module_mark(course, labs, unmarked)
        assert module.mark is None and "unmarked" in module.why_blank


def test_module_mark_is_blank_while_a_lab_is_not_graded(course):
    module = module_mark(course, results(course, ["2"] * 7), AssignmentMark("80", Fraction(67)), ["lab8"])
    assert module.mark is None and "lab8" in module.why_blank


def test_assignment_cell_is_scaled_from_its_total_points(course):
    assert assignment_mark("67.5", ASSIGNMENT, Decimal(84), "here").mark == Fraction(567, 10)
    assert assignment_mark("67.50000", ASSIGNMENT, Decimal(84), "here").mark == Fraction(567, 10)
    assert assignment_mark("50%", parse_grade_header("RA [Total Pts: 40 Score] |2"), Decimal(84), "here").mark == 42
    assert assignment_mark("Exempt", ASSIGNMENT, Decimal(84), "here").exempt


def test_assignment_cell_that_is_no_score_names_the_place(course):
    with pytest.raises(CourseError, match=r"gc.csv:7 \(al1815\).*'B\+'"):
        assignment_mark("B+", ASSIGNMENT, Decimal(84), "gc.csv:7 (al1815)")
    with pytest.raises(CourseError, match="negative"):
        assignment_mark("-3", ASSIGNMENT, Decimal(84), "gc.csv:7")
