"""Every lab's tests give full points to every correct answer, none to a plausible wrong one, and a task
scores as its own answer says whatever the other tasks hold.

Each lab lists correct alternatives and wrong answers in tests/labs/<lab>_answers.py. They are handed
in together (labharness.batch_plan: several tasks' answers per notebook, with the stubs and a wrong
answer that defines each task's names set against every other task) and graded by the real autograder,
sandbox and judge, once per lab.
"""

import pytest
from labharness import LABS, ROOT, Stub, WrongAnswer, answers, is_correct

from grading.notebooks import grade_cells, read_notebook, solution_cells, task_answers


def source(lab):
    return read_notebook(ROOT / "source" / lab / f"{lab}.ipynb")


@pytest.mark.parametrize("lab", LABS)
def test_every_task_has_two_correct_alternatives_and_three_wrong_answers_one_of_which_defines_its_names(lab):
    correct, wrong = answers(lab)
    cells, tests = set(solution_cells(source(lab))), set(grade_cells(source(lab)))
    solutions = {cell: c.source for cell, c in solution_cells(source(lab)).items()}
    assert {a.cell for a in correct} <= cells and {w.cell for w in wrong} <= cells, f"{lab}: answers for cells that do not exist"
    assert {w.loses for w in wrong} <= tests, f"{lab}: wrong answers name tests that do not exist"
    short = {cell: n for cell in cells if (n := sum(a.cell == cell for a in correct)) < 2}
    assert short == {}, f"{lab}: answer cells with fewer than two correct alternatives: {short}"
    copies = [str(a) for a in correct if a.code.strip() in solutions[a.cell]]
    assert copies == [], f"{lab}: alternatives that are the solution itself"
    few = {test: n for test in tests if (n := sum(w.loses == test for w in wrong)) < 3}
    assert few == {}, f"{lab}: tests with fewer than three wrong answers: {few}"
    undefined = sorted(cell for cell in cells if not any(w.cell == cell and w.rebinds for w in wrong))
    assert undefined == [], f"{lab}: answer cells without a wrong answer that defines their names (rebinds=True)"


@pytest.mark.parametrize("lab", LABS)
def test_the_batch_sets_each_tasks_stub_against_every_other_task_and_hands_in_every_answer(lab_batch, lab):
    batch = lab_batch(lab)
    correct, wrong = answers(lab)
    cells = list(solution_cells(source(lab)))
    rounds = {"stub": lambda answer: isinstance(answer, Stub),
              "rebinds": lambda answer: isinstance(answer, WrongAnswer) and answer.rebinds}
    for kind, failing in rounds.items():
        notebooks = [h for h in batch.plan if h.student.startswith(kind)]
        apart = {(k, j) for h in notebooks for k in cells for j in cells if failing(h.cells[k]) and is_correct(h.cells[j])}
        missing = {(k, j) for k in cells for j in cells if k != j} - apart
        assert missing == set(), f"{lab}: pairs of tasks never set apart in the {kind} round: {sorted(missing)[:5]}"
    handed = [answer for h in batch.plan for answer in h.cells.values()]
    assert [str(a) for a in [*correct, *wrong] if a not in handed] == [], f"{lab}: answers the batch never hands in"


@pytest.mark.parametrize("lab", LABS)
def test_each_test_scores_as_its_own_tasks_answer_says_whatever_the_other_tasks_hold(lab_batch, lab):
    batch = lab_batch(lab)
    assert batch.summary["errors"] == {}
    wrong_scores = []
    for handed in batch.plan:
        records = batch.records(handed.student)
        for test, must_pass in handed.expected(batch.tests).items():
            if records[test]["passed"] != must_pass:
                wrong_scores.append(f"{handed.student}: {test} {'failed' if must_pass else 'passed'} "
                                    f"({records[test]['error']}) holding {handed.describe(batch.tests[test])}")
    assert wrong_scores == [], f"{lab}:\n" + "\n".join(wrong_scores)
