"""``labgrade check NOTEBOOK [--lab LAB]``: the check a lab's last cell makes, for staff a student asks
at 15:30, and whether ``labgrade collect`` would take the file as that lab.

The file is hostile: it is read as data (collect's rules decide what it is), and its code runs only in
the autograder's sandbox, graded in a scratch course, from which only each visible test's verdict is
reported (hidden tests stay unmentioned, as in the notebook). The wording comes from the lab's own
check cell (grading/cells/check_cell.py with the lab's constants), so staff and student read the same.
What only the student's kernel knows (whether the file holds their latest run) is left to the cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePath

from .collect import EXPORTS, Lab, lab_ids, recognise, released_fingerprints
from .lab_cells import check_constants, render
from .notebooks import grade_cells, parse_notebook, read_notebook
from .release import graded_in_scratch, released_notebook, test_line
from .sandbox import find_sandbox
from .settings import CourseError, CourseSettings

STUDENT = "checked"  # the scratch course's one student


@dataclass
class CheckReport:
    path: Path
    lab: str | None
    collected: bool  # labgrade collect would take the file as this lab
    lines: list[str]

    def describe(self) -> str:
        return "\n".join(self.lines)


def lab_cell(settings: CourseSettings, lab: str) -> dict:
    """The lab's check cell as released, loaded as a module: our own code, never the student's."""
    namespace: dict = {"__name__": "labgrade_check_cell"}
    released = read_notebook(released_notebook(settings.course_dir, lab))
    exec(compile(render("check_cell.py", check_constants(settings, lab, released)), "check_cell", "exec"), namespace)
    return namespace


def which_lab(name: str, data: bytes, fingerprints: dict[str, set[str]]) -> tuple[str | None, str]:
    """The released lab a file is the notebook of, by its cells, else by its name; or None and why."""
    stem, suffix = PurePath(name).stem, PurePath(name.lower()).suffix
    why, ids = f"{name} is {EXPORTS.get(suffix, 'not a notebook')}, not a lab notebook", set()
    if suffix == ".ipynb":
        try:
            ids, why = lab_ids(parse_notebook(data.decode("utf-8"), name)), f"{name} has the cells of no released lab"
        except UnicodeDecodeError:
            why = f"{name}: not a notebook: not UTF-8 text"
        except CourseError as error:
            why = str(error)
        except (KeyError, AttributeError, TypeError):
            why = f"{name}: malformed nbgrader metadata"
    found = recognise(ids, stem, fingerprints) or (stem if stem in fingerprints else None)
    return found, "" if found else why


def visible_verdicts(settings: CourseSettings, lab: str, data: bytes) -> tuple[dict[str, str | None], list[str]]:
    """Each test cell's visible verdict (None: passed) from grading the file in the sandbox, and notes."""
    if not find_sandbox().isolated:
        return {}, ["Visible tests not run: there is no sandbox on this machine, and a student's code runs only in one."]
    from .autograde import test_records

    tests = grade_cells(read_notebook(released_notebook(settings.course_dir, lab)))
    with graded_in_scratch(settings, lab, {STUDENT: data}, workers=1, require_sandbox=True) as (course, summary):
        if summary.errors:
            return {}, [f"Visible tests not run: {error}" for error in summary.errors.values()]
        verdicts = {}
        for grade_id, record in test_records(course.course_dir, STUDENT, lab).items():
            if record["passed"] or record["part"] == "hidden":
                verdicts[grade_id] = None
            elif record["reached"]:
                verdicts[grade_id] = f"{record['error']}{test_line(tests[grade_id].source, record['line'])}"
    return verdicts, []


def check_notebook(settings: CourseSettings, path: Path, lab: str | None = None, now: datetime | None = None) -> CheckReport:
    """What the lab's check cell would say of this file, and whether collect would take it as the lab."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CourseError(f"{path}: cannot be read: {error.strerror}") from None
    fingerprints = released_fingerprints(settings)
    if lab is not None:
        settings.require_lab(lab)
        if lab not in fingerprints:
            raise CourseError(f"{released_notebook(settings.course_dir, lab)}: {lab} is not released; run `labgrade release {lab}`")
    else:
        lab, why = which_lab(path.name, data, fingerprints)
        if lab is None:
            return CheckReport(path, None, False, [f"{path}: labgrade collect would not take it: {why}."])
    taken, problem = Lab(lab, fingerprints).judge(path.name, data)
    verdict = f"labgrade collect takes it as {lab}" if taken else f"labgrade collect would not take it as {lab}"
    lines = [f"{path}: {verdict}" + (f" ({problem})." if problem else ".")]
    if not taken:
        return CheckReport(path, lab, False, lines)
    cell = lab_cell(settings, lab)
    cells = cell["cells_of"](json.loads(data))
    verdicts, notes = visible_verdicts(settings, lab, data)
    lines += cell["task_lines"](cells, verdicts) + notes
    lines += cell["intact_lines"](cells)
    lines += [cell["order_line"](cells), cell["name_line"](path.name),
              cell["deadline_line"](now or datetime.now(timezone.utc)),
              "Whether this file holds the student's latest run only their kernel knows: the notebook's last cell says."]
    return CheckReport(path, lab, True, lines)
