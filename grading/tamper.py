"""What a submission may change and what it may not: rebuild the notebook that is graded, and say why.

The graded notebook is the instructor's notebook (source/, hidden tests included) in the instructor's
order, with the student's code in the answer cells and the student's own extra cells kept after the
cell they followed. Test cells and every other locked cell always come from source/, so an edited,
deleted, moved, duplicated or renamed test cell changes nothing; each such change is reported.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

import nbformat

from .cells.check_cell import CHECK_ID, SETUP_ID
from .notebooks import grade_cells, nbgrader_meta, solution_cells

SHARED_CELLS = (SETUP_ID, CHECK_ID)


@dataclass
class Assembly:
    """The notebook to execute and what the student changed that a person may want to look at."""

    notebook: nbformat.NotebookNode
    flags: list[str] = field(default_factory=list)


def _grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def assemble(student, source, released) -> Assembly:
    """Merge a submission (None when unreadable) into the instructor's notebook."""
    flags: list[str] = []
    known = {_grade_id(cell): cell for cell in source.cells if _grade_id(cell)}
    answers_wanted = solution_cells(source)
    released_cells = {_grade_id(cell): cell for cell in released.cells if _grade_id(cell)}
    tests = grade_cells(source)
    answers: dict[str, str] = {}
    extra_after: dict[str | None, list] = {}
    seen: list[str] = []
    anchor = None
    for cell in student.cells if student is not None else []:
        grade_id = _grade_id(cell)
        if grade_id in known:
            if grade_id in seen:
                flags.append(f"cell {grade_id!r} appears more than once; the copies were not graded as that cell")
                if grade_id in answers_wanted and cell.cell_type == "code":
                    extra_after.setdefault(anchor, []).append(_free(cell))
                continue
            seen.append(grade_id)
            anchor = grade_id
            if grade_id in answers_wanted:
                answers[grade_id] = cell.source if cell.cell_type == "code" else ""
            elif grade_id in tests and cell.source.strip() != released_cells.get(grade_id, known[grade_id]).source.strip():
                flags.append(f"test cell {grade_id!r} was edited; the original was used")
            continue
        if grade_id and (nbgrader_meta(cell).get("grade") or nbgrader_meta(cell).get("solution") or nbgrader_meta(cell).get("locked")):
            flags.append(f"cell with unknown grade id {grade_id!r} (renamed or invented); graded as ordinary code")
        extra_after.setdefault(anchor, []).append(_free(cell))
    if student is not None:
        for grade_id in tests:
            if grade_id not in seen:
                flags.append(f"test cell {grade_id!r} was deleted; the original was used")
        order = [g for g in known if g in seen]
        if seen != order:
            flags.append("cells were moved; the notebook was graded in the instructor's order")
    cells = list(extra_after.get(None, []))
    for cell in source.cells:
        grade_id = _grade_id(cell)
        graded = copy.deepcopy(cell)
        if grade_id in answers_wanted:
            graded.source = answers.get(grade_id, released_cells.get(grade_id, cell).source)
        cells.append(graded)
        cells += extra_after.get(grade_id, []) if grade_id else []
    notebook = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    notebook.cells = cells
    return Assembly(notebook, flags)


def _free(cell):
    """A student's own cell: kept as plain code or text, without metadata: no nbgrader claims, no
    hiding, no tags that steer execution or conversion."""
    free = copy.deepcopy(cell)
    free.metadata = nbformat.NotebookNode()
    if free.cell_type == "code":
        free.outputs, free.execution_count = [], None
    return free


def released_version(graded, released):
    """The notebook to hand back: test cells as released (no hidden tests), answers as executed."""
    released_cells = {_grade_id(cell): cell for cell in released.cells if _grade_id(cell)}
    tests = grade_cells(graded)
    shared = copy.deepcopy(graded)
    for cell in shared.cells:
        grade_id = _grade_id(cell)
        if grade_id in tests:
            cell.source = released_cells[grade_id].source if grade_id in released_cells else ""
    return shared


def _imports(code: str) -> list[tuple[str, str]]:
    """(name bound, 'module' or 'module:attribute') for each import statement in the code."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    bound = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound.append((alias.asname or alias.name.split(".")[0], alias.name if alias.asname else alias.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    bound.append((alias.asname or alias.name, f"{node.module}:{alias.name}"))
    return bound


def lab_code(cell) -> bool:
    """Whether a cell is the lab's own instructor code: not an answer, and not one of the cells every lab
    shares (set-up and check), whose standard-library imports (os, subprocess...) are no lab library
    whose objects the judge should take as its own."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and not meta.get("solution") and meta.get("grade_id") not in SHARED_CELLS


def marked_pristine(cell) -> bool:
    """Whether a cell carries the mark ``"labgrade": {"pristine": true}`` (release checks where it may)."""
    return bool(cell.metadata.get("labgrade", {}).get("pristine"))


def pristine_cells(source) -> list:
    """The instructor's cells marked pristine (locked code that makes a lab's data): the judge runs
    them itself, so hidden tests take references from copies student code never reached, whatever an
    answer rebinds or changes in place."""
    return [cell for cell in source.cells if lab_code(cell) and marked_pristine(cell)]


def pristine_code(source) -> str:
    """What the judge runs for ``pristine``: the marked cells of the instructor's notebook, in order."""
    return "\n\n".join(cell.source for cell in pristine_cells(source))


def trusted_names(source) -> dict[str, str]:
    """Names the instructor's locked code binds to libraries (np -> numpy), which tests may rely on."""
    names = {}
    for cell in source.cells:
        if lab_code(cell) and nbgrader_meta(cell).get("locked"):
            names.update(_imports(cell.source))
    return names


def _modules(targets) -> list[str]:
    """The modules to import for import targets ('module' or 'module:attribute'), each once, in order."""
    modules = []
    for target in targets:
        module, _, attribute = target.partition(":")
        modules += [module] + ([f"{module}.{attribute}"] if attribute else [])
    return list(dict.fromkeys(modules))


def libraries(source) -> list[str]:
    """Modules the instructor's code imports: loaded once in the clean process before any student code."""
    return _modules(target for cell in source.cells if lab_code(cell) for _, target in _imports(cell.source))


def judged_libraries(source) -> list[str]:
    """The lab's libraries its tests and pristine cells read (by the instructor's names for them), and
    numpy and pandas, into which the codec decodes the arrays and tables a test fetches: what the judge
    imports before its first test. The rest (plotting, which no test does) stays unloaded there; a
    test that reaches one anyway imports it in its own process."""
    read = {"numpy", "pandas"} & set(libraries(source))
    for code in [cell.source for cell in grade_cells(source).values()] + [pristine_code(source)]:
        try:
            read |= {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
        except SyntaxError:  # the release check reports it; the test fails where it runs
            pass
    return _modules([*sorted(read & {"numpy", "pandas"}), *(target for name, target in trusted_names(source).items() if name in read)])
