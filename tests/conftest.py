import json
import os
from dataclasses import dataclass

import pytest

from autograde_fixtures import answered, graded_once, make_course, released, submit
from grading.settings import load_course
from labharness import ROOT, answers, batch_plan
from grading.notebooks import answer_code, read_notebook, solution_cells, task_answers

# Kernels started by tests must never look at the network or the tester's own Jupyter set-up.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def course():
    """The repository's own course settings and folders."""
    return load_course(ROOT)


@dataclass
class LabBatch:
    """One lab's batch as graded by the real autograder: the instructor's answers ("instructor"), the
    untouched release ("untouched") and the notebooks of labharness.batch_plan."""

    lab: str
    settings: object
    summary: dict
    scores: dict
    flags: dict
    plan: list
    tests: dict  # test -> the answer cells of its task

    def records(self, student: str) -> dict:
        from grading.autograde import autograded_folder

        return json.loads((autograded_folder(self.settings.course_dir, student, self.lab) / "tests.json").read_text())


def plan_for(settings, lab):
    released = solution_cells(read_notebook(settings.course_dir / "release" / lab / f"{lab}.ipynb"))
    correct, wrong = answers(lab)
    return batch_plan(list(released), {cell: answer_code(c.source) for cell, c in released.items()}, correct, wrong)


@pytest.fixture(scope="session")
def lab_batch(tmp_path_factory):
    """lab -> its LabBatch, graded once per lab and test run."""
    batches = {}

    def grade(lab):
        if lab not in batches:
            def submit_all(folder):
                settings = make_course(folder, lab)
                submit(settings, "instructor", answered(settings, lab=lab), lab=lab)
                submit(settings, "untouched", released(settings, lab), lab=lab)
                for handed in plan_for(settings, lab):
                    submit(settings, handed.student, answered(settings, handed.codes(), lab), lab=lab)
                return settings

            settings, summary, scores, flags = graded_once(tmp_path_factory, f"lab-batch-{lab}", submit_all, lab=lab)
            tests = task_answers(read_notebook(settings.course_dir / "source" / lab / f"{lab}.ipynb"))
            batches[lab] = LabBatch(lab, settings, summary, scores, flags, plan_for(settings, lab), tests)
        return batches[lab]

    return grade
