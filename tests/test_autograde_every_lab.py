"""Every lab grades fairly in the sandbox: the instructor's answers score in full with no review flag,
and the untouched student copy scores 0. (Library calls the tests make, such as threadpoolctl loading
BLAS inside KMeans, must never look like tampering.)"""

import random

import nbformat
import pytest
from labharness import LABS

from grading.autograde import autograde, review_flags
from grading.demo import prepare_course, student_notebook
from grading.notebooks import max_points, read_notebook
from grading.release import source_notebook
from nbgrader.api import Gradebook



@pytest.mark.parametrize("lab", LABS)
def test_correct_work_scores_full_unflagged_and_untouched_work_scores_zero(course, lab, tmp_path):
    graded = prepare_course(course, tmp_path / "course", [lab])
    for student, outcome in (("honest", "correct"), ("idle", "empty")):
        folder = graded.course_dir / "submitted" / student / lab
        folder.mkdir(parents=True)
        nbformat.write(student_notebook(graded, lab, outcome, random.Random(0)), folder / f"{lab}.ipynb")
        (folder / "timestamp.txt").write_text(graded.deadline_for(lab).isoformat())

    summary = autograde(graded, lab, workers=2, require_sandbox=True, progress=False)
    assert not summary.failed, summary.describe()

    full = sum(max_points(read_notebook(source_notebook(course, lab))).values())
    with Gradebook(f"sqlite:///{graded.course_dir / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.find_assignment(lab).submissions}
    assert scores == {"honest": float(full), "idle": 0.0}
    assert review_flags(graded.course_dir, lab).get("honest", []) == []
