"""nbgrader's markup in a cell's text: the solution and hidden-test regions, and which lines they hold.

Plain string rules with no notebook library, so the judge can use them without importing nbformat
(whose JSON-schema checks take over a second to import in each judge started).
"""

from __future__ import annotations

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def region_numbers(source: str, begin: str, end: str) -> set[int]:
    """Numbers (from 1) of the lines of a cell inside begin/end regions, the markers left out."""
    inside, depth = set(), 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == begin:
            depth += 1
        elif stripped == end:
            depth -= 1
        elif depth:
            inside.add(number)
    return inside


def region_lines(source: str, begin: str, end: str) -> tuple[set[str], set[str]]:
    """The stripped non-blank lines inside begin/end regions of a cell, and those outside them."""
    numbers, inside, outside = region_numbers(source, begin, end), set(), set()
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped and stripped not in (begin, end):
            (inside if number in numbers else outside).add(stripped)
    return inside, outside
