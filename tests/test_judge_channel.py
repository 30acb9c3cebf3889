"""The judge and the kernel's namespace server, talking over a real socket, without a sandbox.

The server runs in a thread here with a namespace written as a student might; the judge runs test
code against it exactly as it does for a graded notebook (judge.run_test).
"""

import json
import os
import socket
import subprocess
import threading

import pytest

from grading.judge import pristine_namespace, run_test
from grading.sandbox import module_command, package_path
from grading.student_side.server import serve

STUDENT = '''
import numpy as np

def descend(gradient, w, steps):
    for _ in range(steps):
        w = w - 0.5 * gradient(w)
    return w

def peek(function):
    found = []
    for name in ("__globals__", "__code__", "__closure__", "__dict__"):
        try:
            found.append(repr(getattr(function, name)))
        except Exception:
            pass
    return found

class Yes:
    def __eq__(self, other):
        return True
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __array__(self, dtype=None, copy=None):
        return np.array(["not", "a", "number"], dtype=object)

def liar():
    return Yes()

def best(searches):
    return max(searches, key=lambda name: searches[name].score)

table = {"a": np.arange(3.0), "b": (1, "two", None)}

def shift(w, rows):
    w += 1.0
    rows.append(3)

def tidy(table, column):
    table.dropna(inplace=True)
    column.drop(column.index[0], inplace=True)
    table.loc[99] = [7.0, 8.0]

def narrow(table):
    table.drop(columns="b", inplace=True)
    table.loc[99] = [7.0]
'''


def judged(tmp_path, code: str) -> dict:
    namespace: dict = {}
    exec(STUDENT, namespace)
    path = str(tmp_path / "test.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    kernel = threading.Thread(target=serve, args=(namespace, path), daemon=True)
    kernel.start()
    request = {"grade_id": "t", "code": code, "trusted": {"np": "numpy"}, "timeout": 10}
    try:
        return run_test(request, listener, {"numpy"}, pristine_namespace(""))
    finally:
        listener.close()
        kernel.join(timeout=10)


def test_plain_values_arrive_as_genuine_objects(tmp_path):
    verdict = judged(tmp_path, "assert type(table['a']) is np.ndarray and table['b'] == (1, 'two', None)")
    assert verdict["passed"], verdict


def test_a_callback_of_the_test_is_run_by_the_judge(tmp_path):
    verdict = judged(tmp_path, "assert np.isclose(descend(lambda w: 2 * (w - 3.0), 0.0, 5), 3.0)")
    assert verdict["passed"], verdict


def test_student_code_cannot_read_the_code_or_globals_of_a_callback(tmp_path):
    code = "SECRET = 'hidden expected value'\nassert peek(lambda: SECRET) == []"
    assert judged(tmp_path, code)["passed"]


def test_objects_defined_by_the_test_stay_in_the_judge(tmp_path):
    code = (
        "class Search:\n"
        "    def __init__(self, score):\n"
        "        self.score = score\n"
        "assert best({'low': Search(0.1), 'high': Search(0.9)}) == 'high'"
    )
    assert judged(tmp_path, code)["passed"]


@pytest.mark.parametrize("comparison", ["liar() == 3", "liar() >= 3", "np.allclose(liar(), 3)", "3 == liar()"])
def test_a_liar_object_cannot_pass_a_comparison(tmp_path, comparison):
    verdict = judged(tmp_path, f"assert {comparison}")
    assert not verdict["passed"] and verdict["part"] == "visible" and verdict["line"] == 1
    assert "BoundaryError" in verdict["error"] or "TypeError" in verdict["error"] or "ValueError" in verdict["error"], verdict


def test_a_missing_name_is_a_name_error_on_the_line_that_reads_it(tmp_path):
    verdict = judged(tmp_path, "x = 1\n### BEGIN HIDDEN TESTS\nassert ratio > 0\n### END HIDDEN TESTS")
    assert verdict["error"] == "NameError: name 'ratio' is not defined"
    assert verdict["line"] == 3 and verdict["part"] == "hidden"


def test_arguments_a_student_function_changes_in_place_change_in_the_test_too(tmp_path):
    """As they would in a kernel: a test can check that a function leaves its inputs alone."""
    code = (
        "start = np.array([0.5, 0.5])\n"
        "rows = [1, 2]\n"
        "shift(start, rows)\n"
        "assert np.array_equal(start, [1.5, 1.5]) and rows == [1, 2, 3]"
    )
    assert judged(tmp_path, code)["passed"]


def test_rows_a_student_function_drops_or_adds_in_place_are_dropped_or_added_in_the_test_too(tmp_path):
    code = (
        "import pandas as pd\n"
        "table = pd.DataFrame({'a': [1.0, None, 3.0], 'b': [4.0, 5.0, 6.0]})\n"
        "column = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])\n"
        "tidy(table, column)\n"
        "assert list(table.index) == [0, 2, 99] and table.loc[99].tolist() == [7.0, 8.0], table\n"
        "assert list(column.index) == [11, 12] and column.tolist() == [2.0, 3.0], column"
    )
    verdict = judged(tmp_path, code)
    assert verdict["passed"], verdict


def test_a_column_dropped_and_a_row_added_in_place_reach_the_test_too(tmp_path):
    code = (
        "import pandas as pd\n"
        "table = pd.DataFrame({'a': [1.0, 2.0], 'b': [4.0, 5.0]})\n"
        "narrow(table)\n"
        "assert list(table.columns) == ['a'] and list(table.index) == [0, 1, 99] and table['a'].tolist() == [1.0, 2.0, 7.0], table"
    )
    verdict = judged(tmp_path, code)
    assert verdict["passed"], verdict


def test_the_judge_imports_this_checkouts_package_never_modules_in_the_lab_folder(tmp_path):
    """The judge runs in the lab's folder; a ``grading`` or ``numpy`` there must not be what it imports."""
    for name in ("grading", "numpy"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise SystemExit('imported from the lab folder')")
    command = [*module_command("grading.judge"), "--preload", "numpy"]
    judge = subprocess.run(command, cwd=tmp_path, env={**os.environ, **package_path()}, input="",
                           capture_output=True, text=True, timeout=120)
    assert "imported from the lab folder" not in judge.stdout + judge.stderr
    assert json.loads(judge.stdout.splitlines()[0]) == {"ready": True}
