"""`labgrade similarity`: copies found however disguised, starter code and honest work left alone,
hostile notebooks read safely, past terms compared, and nothing but the two reports written."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pytest
from copydetect import CodeFingerprint, compare_files

from autograde_fixtures import answered, released, solutions, submit
from grading.cli import build_parser, main
from grading.notebooks import parse_notebook, read_notebook
from grading.similarity import (NOISE_CHARACTERS, THIS_TERM, Release, boilerplate_hashes, fingerprint, lab_notebooks,
                                own_code, read_submissions)
from grading.settings import CONFIG_FILE, load_course
from labharness import ROOT
from similarity_cohort import COMPACT, HONEST, LAB, STEP_BY_STEP, disguised_copy

HOSTILE_NAME = "<img src=x onerror=alert(1)>eve"  # a folder name: anything but a slash
HOSTILE_CELL = 'note = "</pre><script>alert(document.cookie)</script>"'
# The network helpers the released lab 7 gives, pasted by a student with other spacing and line breaks.
GIVEN_HELPERS = '''def network_predict(params,X):
  """Forward pass: tanh hidden layer, linear output."""
  return np.tanh(X@params["W1"]+params["b1"])@params["w2"]+params["b2"]
def init_network(n_inputs, n_hidden, seed=0):
    """Small random weights (scaled by 1/sqrt(fan-in)) and zero biases."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(n_inputs, n_hidden)) / np.sqrt(n_inputs),
            "b1": np.zeros(n_hidden), "w2": rng.normal(size=n_hidden) / np.sqrt(n_hidden),
            "b2": 0.0}
MODELS = {"kNN": (KNeighborsRegressor(), {"model__n_neighbors": [2, 4, 8]}), "SVR": (SVR(), {"model__C": [0.3, 3.0, 30.0]}),
    "random forest": (RandomForestRegressor(n_estimators=50, random_state=0),
                      {"model__max_depth": [3, None]})}'''


def course_folder(folder: Path):
    """A course with the real settings and the committed release of lab 7: all similarity reads."""
    folder.mkdir(parents=True)
    shutil.copy2(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    shutil.copytree(ROOT / "release" / LAB, folder / "release" / LAB)
    return load_course(folder)


def with_cell(nb, code: str):
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


def only(settings, answers: dict[str, str]):
    """The released notebook with just these answer cells filled in, the others left as stubs."""
    nb = released(settings, LAB)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in answers:
            cell.source = answers[cell.metadata.nbgrader.grade_id]
    return nb


def similarity(settings, *options: str) -> list[dict]:
    """Run the command and return the CSV it wrote, one dict per reported pair."""
    assert main(["similarity", LAB, "--course-dir", str(settings.course_dir), *options]) == 0
    with open(settings.course_dir / "reports" / f"similarity-{LAB}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pair_names(rows: list[dict]) -> set[frozenset[str]]:
    return {frozenset((row["student_a"], row["student_b"])) for row in rows}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Three students working alone, a disguised copy of one, a hostile copy of another, two who hand in
    only the starter code, two who wrote the same two lines and nothing else, and two broken notebooks."""
    settings = course_folder(tmp_path_factory.mktemp("similarity") / "course")
    for student, answers in HONEST.items():
        submit(settings, student, answered(settings, answers, LAB), lab=LAB)
    submit(settings, "copier", answered(settings, disguised_copy(COMPACT), LAB), lab=LAB)
    submit(settings, HOSTILE_NAME, with_cell(answered(settings, disguised_copy(STEP_BY_STEP), LAB), HOSTILE_CELL), lab=LAB)
    submit(settings, "untouched", released(settings, LAB), lab=LAB)
    for student in ("starter_only", "starter_only_too"):
        submit(settings, student, with_cell(released(settings, LAB), GIVEN_HELPERS), lab=LAB)
    for student in ("one_task", "one_task_too"):
        submit(settings, student, only(settings, {"gradient": solutions(LAB)["gradient"]}), lab=LAB)
    submit(settings, "broken", '{"cells": [', lab=LAB)
    submit(settings, "nested", "[" * 100_000 + "]" * 100_000, lab=LAB)  # deeper than Python's JSON parser goes
    rows = similarity(settings)
    return settings, rows, settings.course_dir / "reports" / f"similarity-{LAB}.html"


def test_a_copy_with_renamed_variables_and_reordered_functions_is_found(cohort):
    _, rows, _ = cohort
    found = [row for row in rows if {row["student_a"], row["student_b"]} == {"compact", "copier"}]
    assert len(found) == 1
    assert float(found[0]["score"]) >= 0.8
    assert found[0]["term_b"] == "this term"


def test_independent_solutions_score_below_the_threshold(cohort):
    _, rows, _ = cohort
    honest = set(HONEST)
    assert not [row for row in rows if {row["student_a"], row["student_b"]} <= honest]


def test_starter_code_alone_matches_nobody_not_even_an_identical_notebook(cohort):
    _, rows, _ = cohort
    starters = {"untouched", "starter_only", "starter_only_too"}
    assert not [row for row in rows if {row["student_a"], row["student_b"]} & starters]


def test_a_few_lines_everyone_writes_alike_are_no_evidence(cohort):
    _, rows, _ = cohort
    assert frozenset(("one_task", "one_task_too")) not in pair_names(rows)


def test_the_reported_pairs_are_exactly_the_two_copies(cohort):
    _, rows, _ = cohort
    assert pair_names(rows) == {frozenset(("compact", "copier")), frozenset(("steps", HOSTILE_NAME))}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_student_text_and_names_are_escaped_on_the_page(cohort):
    _, _, page = cohort
    text = page.read_text(encoding="utf-8")
    parsed = Tags()
    parsed.feed(text)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not {name for name in parsed.attributes if name.startswith("on")}
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;eve" in text
    assert "default-src &#x27;none&#x27;" in text or "default-src 'none'" in text  # no script may run at all


def test_the_page_shows_both_sides_with_the_shared_code_marked(cohort):
    _, _, page = cohort
    text = page.read_text(encoding="utf-8")
    assert text.count("<mark>") >= 4  # on both sides of both pairs
    shown = html.unescape(re.sub(r"<[^>]*>", "", text))  # what a browser displays
    assert 'g_hidden = g_out[:, None] * params["w2"][None, :] * (1 - h * h)' in shown  # compact's line
    assert 'delta1 = delta2[:, None] * params["w2"][None, :] * (1 - act * act)' in shown  # the copier's


def test_broken_notebooks_are_listed_and_the_rest_still_compared(cohort, capsys):
    settings, rows, page = cohort
    broken, nested = (settings.course_dir / "submitted" / student / LAB / f"{LAB}.ipynb" for student in ("broken", "nested"))
    assert f"{broken}: not a notebook: invalid JSON" in page.read_text(encoding="utf-8")
    assert f"{nested}: not a notebook: its JSON is nested too deeply" in page.read_text(encoding="utf-8")
    assert rows  # the others were compared
    similarity(settings)
    assert f"left out: {broken}: not a notebook" in capsys.readouterr().out


def test_a_huge_notebook_is_compared_on_its_first_characters_and_said_so(tmp_path, capsys):
    settings = course_folder(tmp_path / "course")
    submit(settings, "loops", answered(settings, HONEST["loops"], LAB), lab=LAB)
    flood = "\n".join(f"value_{n} = {n} * {n}" for n in range(20_000))  # over 500,000 characters
    submit(settings, "flooder", with_cell(answered(settings, HONEST["loops"], LAB), flood), lab=LAB)
    rows = similarity(settings)
    assert pair_names(rows) == {frozenset(("loops", "flooder"))}  # the copy comes first, and is found
    assert re.search(r"flooder/lab7/lab7.ipynb: \d+ characters of code; only the first 100000", capsys.readouterr().out)
    assert "characters of code; only the first 100000 compared" in (
        settings.course_dir / "reports" / f"similarity-{LAB}.html").read_text(encoding="utf-8")


def test_only_answer_cells_and_added_cells_count_without_the_released_lines():
    release = Release.of(read_notebook(ROOT / "release" / LAB / f"{LAB}.ipynb"))
    nb = read_notebook(ROOT / "release" / LAB / f"{LAB}.ipynb")
    cells = {cell.metadata.nbgrader.grade_id: cell for cell in nb.cells if "nbgrader" in cell.metadata}
    cells["gradient"].source += "\n    return 2 * X.T @ (X @ w - y) / len(y)"
    cells["code-18"].source += "\nprint('the student edited a given cell')"
    cells["test_gradient"].source = "print('and a test cell')"
    with_cell(nb, "import numpy as np\nmy_check = mse_gradient(np.eye(2), np.ones(2), np.zeros(2))")
    code = own_code(nb, release)
    assert "return 2 * X.T @ (X @ w - y) / len(y)" in code
    assert "my_check = mse_gradient(np.eye(2), np.ones(2), np.zeros(2))" in code
    for left_out in ("def mse_gradient", "YOUR CODE HERE", "NotImplementedError", "Gradient of the mean squared",
                     "import numpy as np", "edited a given cell", "and a test cell"):
        assert left_out not in code


def test_cells_with_odd_metadata_or_source_are_read_for_what_they_hold():
    release = Release.of(read_notebook(ROOT / "release" / LAB / f"{LAB}.ipynb"))
    cell = {"cell_type": "code", "execution_count": None, "outputs": []}
    cells = [{**cell, "metadata": {"nbgrader": ["not", "a", "dict"]}, "source": "kept = 'from a cell with a list for nbgrader'"},
             {**cell, "metadata": {"nbgrader": {"grade_id": 7}}, "source": "also_kept = 'a number for a grade id'"},
             {**cell, "metadata": {}, "source": 12345},
             {**cell, "metadata": {"nbgrader": {"grade_id": "code-18", "solution": True}}, "source": "hidden = 'a given cell'"}]
    cells = [{**cell, "id": f"cell-{number}"} for number, cell in enumerate(cells)]
    text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    code = own_code(parse_notebook(text, "odd.ipynb"), release)
    assert "kept = 'from a cell with a list for nbgrader'" in code and "also_kept" in code
    assert "12345" not in code and "a given cell" not in code


def test_fingerprints_from_the_parallel_readers_are_copydetects_own(cohort):
    settings, _, _ = cohort
    release = Release.of(read_notebook(settings.course_dir / "release" / LAB / f"{LAB}.ipynb"))
    notebooks = [(path, THIS_TERM) for path in lab_notebooks(settings.course_dir / "submitted", LAB)]
    submissions = [found for found, _ in read_submissions(notebooks, release) if found]
    boilerplate = boilerplate_hashes(release)
    ours = [fingerprint(submission, boilerplate) for submission in submissions]
    theirs = [CodeFingerprint("answer.py", NOISE_CHARACTERS, 1, boilerplate, language="python", fp=io.StringIO(s.code))
              for s in submissions]
    assert [p.hashes for p in ours] == [p.hashes for p in theirs]
    for first, second in zip(ours[1:], theirs[1:]):
        slices = compare_files(ours[0], first)[2], compare_files(theirs[0], second)[2]
        assert all(np.array_equal(mine, copydetects) for mine, copydetects in zip(*slices))


def past_term(folder: Path, answers: dict[str, str], students: list[str]) -> Path:
    settings = course_folder(folder)
    for student in students:
        submit(settings, student, answered(settings, answers, LAB), lab=LAB)
    return folder


def test_past_terms_are_compared_with_this_term_but_not_with_each_other(tmp_path):
    settings = course_folder(tmp_path / "course")
    submit(settings, "reuser", answered(settings, disguised_copy(solutions(LAB)), LAB), lab=LAB)
    submit(settings, "loops", answered(settings, HONEST["loops"], LAB), lab=LAB)
    archive = tmp_path / "archive"
    past_term(archive / "2025", solutions(LAB), ["senior", "senior_twin"])  # identical: past with past
    past_term(archive / "2024", STEP_BY_STEP, ["alumna"])

    one_term = similarity(settings, "--past", str(archive / "2025"))
    assert {(row["student_a"], row["student_b"], row["term_b"]) for row in one_term} == {
        ("reuser", "senior", str(archive / "2025")), ("reuser", "senior_twin", str(archive / "2025"))}

    every_term = similarity(settings, "--past", str(archive))
    assert {(row["student_b"], row["term_b"]) for row in every_term} == {
        ("senior", str(archive / "2025")), ("senior_twin", str(archive / "2025"))}
    page = (settings.course_dir / "reports" / f"similarity-{LAB}.html").read_text(encoding="utf-8")
    assert "with 3 submissions of past terms" in page  # alumna's too, unlike anyone's


def test_a_past_folder_without_submissions_is_an_error_naming_it(tmp_path, capsys):
    settings = course_folder(tmp_path / "course")
    submit(settings, "loops", answered(settings, HONEST["loops"], LAB), lab=LAB)
    (tmp_path / "empty").mkdir()
    assert main(["similarity", LAB, "--course-dir", str(settings.course_dir), "--past", str(tmp_path / "empty")]) == 2
    assert f"{tmp_path / 'empty'}: no submitted/ folder" in capsys.readouterr().err


def test_no_submissions_is_an_error_saying_to_collect_first(tmp_path, capsys):
    settings = course_folder(tmp_path / "course")
    assert main(["similarity", LAB, "--course-dir", str(settings.course_dir)]) == 2
    assert "run `labgrade collect lab7 ZIP` first" in capsys.readouterr().err


def test_a_threshold_outside_0_to_1_is_refused(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["similarity", LAB, "--threshold", "50"])
    assert "'50' is not a share between 0 and 1" in capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.rglob("*") if path.is_file()}


def test_it_writes_the_two_reports_and_changes_nothing_else(tmp_path):
    settings = course_folder(tmp_path / "course")
    for student in ("compact", "copier"):
        answers = COMPACT if student == "compact" else disguised_copy(COMPACT)
        submit(settings, student, answered(settings, answers, LAB), lab=LAB)
    (settings.course_dir / "gradebook.db").write_bytes(b"the marks")
    flags = settings.course_dir / "autograded" / "copier" / LAB / "flags.json"
    flags.parent.mkdir(parents=True)
    flags.write_text("[]", encoding="utf-8")
    before = snapshot(settings.course_dir)
    assert pair_names(similarity(settings)) == {frozenset(("compact", "copier"))}
    after = snapshot(settings.course_dir)
    assert {name: digest for name, digest in after.items() if name in before} == before
    assert set(after) - set(before) == {f"reports/similarity-{LAB}.html", f"reports/similarity-{LAB}.csv"}
