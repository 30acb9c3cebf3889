import os

import pytest

from autograde_fixtures import answered, graded_once, make_course, released, submit
from grading.settings import load_course
from labharness import ROOT, WRONG, wrong_student

# Kernels started by tests must never look at the network or the tester's own Jupyter set-up.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def course():
    """The repository's own course settings and folders."""
    return load_course(ROOT)


@pytest.fixture(scope="session")
def lab_batch(tmp_path_factory):
    """lab -> (settings, summary, scores, flags) of one batch graded by the real autograder, once per
    lab and test run: the instructor's answers ("instructor"), the untouched release ("untouched") and
    every wrong answer of tests/labs/<lab>_wrong_answers.py (``wrong_student(index)``)."""
    batches = {}

    def grade(lab):
        if lab not in batches:
            def submit_all(folder):
                settings = make_course(folder, lab)
                submit(settings, "instructor", answered(settings, lab=lab), lab=lab)
                submit(settings, "untouched", released(settings, lab), lab=lab)
                for index, (wrong_lab, wrong) in enumerate(WRONG):
                    if wrong_lab == lab:
                        submit(settings, wrong_student(index), answered(settings, {wrong.cell: wrong.code}, lab), lab=lab)
                return settings

            batches[lab] = graded_once(tmp_path_factory, f"lab-batch-{lab}", submit_all, lab=lab)
        return batches[lab]

    return grade
