"""Tampering never raises a mark: each attacked submission scores no more than the same submission
without the attack (or is flagged for review), and an honest answer still scores.

All submissions are graded in one sandboxed run (module fixture); each test reads one student's result.
The common starting point is a submission whose arrhenius() is wrong (8 of 10 points). The attacks on
the judge's boundary itself (liars, patched libraries, hostile bytes, frame walks) are in
test_judge_boundary.py; those on the sandbox's reset in test_sandbox_reset.py.
"""

import json
import os

import nbformat
import pytest
from autograde_fixtures import AFTER_ARRHENIUS, LAB, WRONG_ARRHENIUS, answered, graded_once, insert_after, make_course, released, submit
from dask_fixtures import descendants

from grading import autograde as autograde_module
from grading.autograde import autograde, test_records as records_of
from grading.notebooks import read_notebook
from nbgrader.api import Gradebook


ATTACK_CELLS = {
    "input_transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: [l for l in lines if 'assert' not in l])",
    "input_transformer_blank": "get_ipython().input_transformers_post.append(lambda lines: [])",
    "ast_transformer": (
        "import ast\n"
        "class NoAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n"
        "        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(NoAsserts())"
    ),
    "settrace": (
        "import sys\n"
        "def skip_asserts(frame, event, arg):\n"
        "    if event == 'line':\n"
        "        try:\n"
        "            frame.f_lineno = frame.f_lineno + 1\n"
        "        except Exception:\n"
        "            pass\n"
        "    return skip_asserts\n"
        "sys.settrace(skip_asserts)"
    ),
    "hooks": (
        "import sys\n"
        "sys.excepthook = lambda *args: None\n"
        "sys.displayhook = lambda value: None\n"
        "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
        "get_ipython().custom_exceptions = (BaseException,)\n"
        "get_ipython().CustomTB = lambda *args, **kwargs: None"
    ),
    "monkeypatch_kernel": (
        "import builtins, math\n"
        "np.allclose = np.isclose = lambda *a, **k: True\n"
        "np.all = builtins.all = lambda *a, **k: True\n"
        "math.isclose = lambda *a, **k: True\n"
        "class AlwaysTrue:\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *a, **k: True\n"
        "np = AlwaysTrue()\n"
        "isinstance = lambda *a: True"
    ),
    "exit": "import sys\nsys.exit(0)",
    "os_exit": "import os\nos._exit(0)",
    "kill_kernel": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    "infinite_loop": "while True:\n    pass",
    "sleep": "import time\ntime.sleep(10**6)",
    "memory_bomb": "hog = bytearray(2**40)",
    "fork_bomb": (
        "import os, time\n"
        "for _ in range(100000):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        break"
    ),
    "huge_output": "for _ in range(40):\n    print('x' * 10**6)",
    # The kernel's parent is the sandbox's launcher: stop it or kill it.
    "stop_launcher": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
    "kill_launcher": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
}
# The answer itself cheats while the test calls it.
WRONG_AND_PATCHING = (
    "def arrhenius(D0, Ea, T):\n"
    "    np.allclose = np.isclose = lambda *a, **k: True\n"
    "    np.core.numeric.isclose = lambda *a, **k: True\n"
    "    return D0 * np.exp(Ea / (k_B * T))"
)
WRONG_AND_TRACING = (
    "def arrhenius(D0, Ea, T):\n"
    "    import sys\n"
    "    sys.settrace(lambda *a: None)\n"
    "    return D0 * np.exp(Ea / (k_B * T))"
)
# The answer writes a passing verdict on every open file descriptor it has (the kernel's sockets, the
# test's channel) and ends its process before the real verdict: the shape of verdict the old judge used.
FORGE_VERDICT = """
    import json, os
    def forge(secret=None):
        verdict = {"grade_id": "test_arrhenius", "passed": True, "error": None, "stdout": "", "tampering": []}
        if secret:
            verdict["secret"] = secret
        for fd in range(3, 256):
            try:
                os.write(fd, json.dumps(verdict).encode())
            except OSError:
                pass
        os._exit(0)
"""
FORGING_ANSWER = (
    "def arrhenius(D0, Ea, T):" + FORGE_VERDICT + "    if np.ndim(T) and len(T) == 3 and T[0] == 300.0:\n        forge()\n"
    "    return D0 * np.exp(Ea / (k_B * T))"
)
# The same, having first looked for the judge's secret in its callers' frames, by every route to a frame.
SECRET_HUNTING_ANSWER = (
    "def arrhenius(D0, Ea, T):"
    + FORGE_VERDICT
    + """
    def frames():
        import ctypes, inspect, sys
        routes = [
            lambda: sys._getframe(1),
            lambda: inspect.currentframe(),
            lambda: inspect.stack()[1].frame,
            lambda: (lambda: (yield))().gi_frame,
            lambda: ctypes.CDLL(None) and None,
        ]
        try:
            raise ValueError
        except ValueError as error:
            routes.append(lambda: error.__traceback__.tb_frame)
        for route in routes:
            try:
                frame = route()
            except Exception:
                continue
            while frame is not None:
                yield frame
                frame = frame.f_back

    for frame in frames():
        for value in list(frame.f_locals.values()):
            if isinstance(value, str) and len(value) == 32:
                forge(value)
    return D0 * np.exp(Ea / (k_B * T))"""
)
CORRECT_WITH_STDERR = (
    "import sys, warnings\n"
    "def arrhenius(D0, Ea, T):\n"
    "    warnings.warn('arrhenius: T should be in kelvin', UserWarning)\n"
    "    print('checked units', file=sys.stderr)\n"
    "    return D0 * np.exp(-Ea / (k_B * np.asarray(T, dtype=float)))"
)
SNOOP = (
    "import os, socket\n"
    "for path in [{source!r}, {gradebook!r}, {other!r}, {course!r}]:\n"
    "    try:\n"
    "        open(path, 'rb').read(1) if os.path.isfile(path) else os.listdir(path)\n"
    "        print('READ', path)\n"
    "    except OSError as error:\n"
    "        print('BLOCKED', path, type(error).__name__)\n"
    "try:\n"
    "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
    "    print('NETWORK open')\n"
    "except OSError as error:\n"
    "    print('BLOCKED network', type(error).__name__)"
)


def cells_by_id(nb):
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in nb.cells}


def edited(settings, change):
    nb = answered(settings, {"arrhenius": WRONG_ARRHENIUS})
    change(nb)
    return nb


def _delete(nb):
    nb.cells.remove(cells_by_id(nb)["test_arrhenius"])


def _move(nb):
    cell = cells_by_id(nb)["test_arrhenius"]
    nb.cells.remove(cell)
    nb.cells.append(cell)


def _edit(nb):
    cells_by_id(nb)["test_arrhenius"].source = "pass"


def _duplicate(nb):
    cell = cells_by_id(nb)["test_arrhenius"]
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy.source = "pass"
    nb.cells.insert(nb.cells.index(cell), copy)


def _rename(nb):
    cell = cells_by_id(nb)["test_arrhenius"]
    cell.metadata["nbgrader"]["grade_id"] = "test_arrhenius_mine"
    cell.source = "pass"


STRUCTURE = {"deleted_test": _delete, "moved_test": _move, "edited_test": _edit, "duplicated_test": _duplicate, "renamed_test": _rename}


def submit_all(folder):
    settings = make_course(folder, extra="c.ExecutePreprocessor.timeout = 8")
    submit(settings, "honest", answered(settings))
    submit(settings, "wrong", answered(settings, {"arrhenius": WRONG_ARRHENIUS}))
    for name, code in ATTACK_CELLS.items():
        submit(settings, name, insert_after(answered(settings, {"arrhenius": WRONG_ARRHENIUS}), AFTER_ARRHENIUS, code))
    submit(settings, "patching_answer", answered(settings, {"arrhenius": WRONG_AND_PATCHING}))
    submit(settings, "tracing_answer", answered(settings, {"arrhenius": WRONG_AND_TRACING}))
    submit(settings, "forging_answer", answered(settings, {"arrhenius": FORGING_ANSWER}))
    submit(settings, "secret_hunting_answer", answered(settings, {"arrhenius": SECRET_HUNTING_ANSWER}))
    submit(settings, "stderr_answer", answered(settings, {"arrhenius": CORRECT_WITH_STDERR}))
    for name, change in STRUCTURE.items():
        submit(settings, name, edited(settings, change))
    submit(settings, "not_json", '{"cells": [')
    submit(settings, "nbformat3", json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}))
    snoop = SNOOP.format(
        source=str(folder / "source" / LAB / f"{LAB}.ipynb"),
        gradebook=str(folder / "gradebook.db"),
        other=str(folder / "submitted" / "honest" / LAB / f"{LAB}.ipynb"),
        course=str(folder),
    )
    submit(settings, "snoop", insert_after(answered(settings), AFTER_ARRHENIUS, snoop))
    return settings


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_once(tmp_path_factory, "autograde-attacks", submit_all)


def test_honest_correct_work_scores_full_and_is_not_flagged(graded):
    _, summary, scores, flags = graded
    assert scores["honest"] == 10 and "honest" not in flags
    assert summary["errors"] == {}


def test_wrong_answer_loses_only_its_task(graded):
    assert graded[2]["wrong"] == 8


ANSWER_ATTACKS = ["patching_answer", "tracing_answer", "forging_answer", "secret_hunting_answer"]


@pytest.mark.parametrize("attack", sorted(ATTACK_CELLS) + ANSWER_ATTACKS)
def test_attack_scores_no_more_than_the_same_wrong_work(graded, attack):
    _, _, scores, flags = graded
    assert scores[attack] <= scores["wrong"], f"{attack} scored {scores[attack]}; flags: {flags.get(attack)}"


@pytest.mark.parametrize("attack", ["forging_answer", "kill_kernel", "os_exit", "huge_output", "stop_launcher", "kill_launcher"])
def test_detected_tampering_is_flagged_with_a_reason(graded, attack):
    flags = graded[3]
    assert flags.get(attack), f"{attack} was not flagged"


@pytest.mark.parametrize("change", sorted(STRUCTURE))
def test_changed_test_cells_are_restored_and_flagged(graded, change):
    _, _, scores, flags = graded
    assert scores[change] <= scores["wrong"]
    assert any("test" in reason or "moved" in reason for reason in flags.get(change, [])), flags.get(change)


@pytest.mark.parametrize("student", ["not_json", "nbformat3"])
def test_broken_notebook_is_graded_as_empty_and_flagged(graded, student):
    _, summary, scores, flags = graded
    assert scores[student] == 0 and student in summary["graded"]
    assert "not gradable as a notebook" in flags[student][0]


def test_correct_answer_warning_on_stderr_still_scores(graded):
    assert graded[2]["stderr_answer"] == 10


def test_infinite_loop_and_sleep_only_cost_time(graded):
    """The cell is stopped at its timeout; the tasks before and after it still score."""
    assert graded[2]["infinite_loop"] == graded[2]["sleep"] == 8


def test_student_code_sees_no_solutions_gradebook_other_students_or_network(graded):
    settings = graded[0]
    nb = read_notebook(settings.course_dir / "autograded" / "snoop" / LAB / f"{LAB}.ipynb")
    text = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "READ" not in text and "NETWORK open" not in text
    assert text.count("BLOCKED") == 5, text
    assert graded[2]["snoop"] == 10


def test_a_stopped_or_killed_launcher_costs_only_that_submission(graded):
    """The sandbox is replaced; everyone graded after it in the same worker is graded normally."""
    _, summary, scores, flags = graded
    assert scores["stop_launcher"] <= 8 and scores["kill_launcher"] <= 8
    for attack in ("stop_launcher", "kill_launcher"):
        assert any("could not be cleaned" in reason or "stopped answering" in reason for reason in flags[attack]), flags[attack]
    assert summary["errors"] == {} and scores["honest"] == 10 and scores["stderr_answer"] == 10


def test_autograded_notebooks_contain_no_hidden_test_code(graded):
    settings = graded[0]
    released_text = json.dumps([c.source for c in released(settings).cells])
    secret = "8.617333262e-5"  # only in hidden tests
    assert secret not in released_text
    for path in (settings.course_dir / "autograded").glob(f"*/{LAB}/{LAB}.ipynb"):
        text = path.read_text()
        assert secret not in text and "HIDDEN TESTS" not in text, path


# Left behind by one submission for the next one graded in the same sandbox: an IPython startup file
# that kills the next kernel, and a daemon (escaped into its own session) that waits for the next
# submission's test channels and answers them first, with a correct arrhenius().
LEAVE_BEHIND = """
import os, pathlib, time
startup = pathlib.Path(os.environ.get("IPYTHONDIR", "/tmp/ipython"), "profile_default", "startup")
startup.mkdir(parents=True, exist_ok=True)
(startup / "00-next.py").write_text("import os\\nos._exit(0)\\n")
runtime = pathlib.Path("/run/labgrade")
served = set(runtime.glob("test-*.sock"))
correct = dict(globals())
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        from grading.student_side.server import serve
        while True:
            for channel in set(runtime.glob("test-*.sock")) - served:
                served.add(channel)
                try:
                    serve(correct, str(channel))
                except Exception:
                    pass
            time.sleep(0.005)
    os._exit(0)
time.sleep(0.5)
"""


def test_nothing_a_submission_leaves_behind_reaches_the_next_one_in_the_same_sandbox(tmp_path):
    settings = make_course(tmp_path)
    submit(settings, "a_leaves_behind", insert_after(answered(settings), AFTER_ARRHENIUS, LEAVE_BEHIND))
    submit(settings, "b_wrong", answered(settings, {"arrhenius": WRONG_ARRHENIUS}))
    submit(settings, "c_honest", answered(settings))
    summary = autograde(settings, LAB, workers=1, require_sandbox=True, progress=False)
    assert summary.errors == {}
    with Gradebook(settings.gradebook_url) as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(LAB).submissions}
    # The planter's own tests race its daemon, which serves a copy of its namespace made at the fork.
    assert scores["b_wrong"] == 8 and scores["c_honest"] == 10
    assert "b_wrong" not in summary.flagged and "c_honest" not in summary.flagged


def running_launchers() -> set[int]:
    """The sandboxes this test process's grading workers have running (their launchers' pids)."""
    return {p.pid for p in descendants(os.getpid()) if "grading.student_side.launcher" in " ".join(p.cmdline())}


def test_a_later_run_of_the_same_lab_files_reuses_the_sandbox_and_nothing_left_in_it_reaches_that_run(tmp_path):
    """Local workers outlive their run, as Dask workers do: a second course's run of the same lab files
    is graded in the sandbox the first run left, reset as between two submissions of one run; lab
    files that differ get a sandbox of their own."""
    first = make_course(tmp_path / "first")
    submit(first, "a_leaves_behind", insert_after(answered(first), AFTER_ARRHENIUS, LEAVE_BEHIND))
    assert autograde(first, LAB, workers=1, require_sandbox=True, progress=False).errors == {}
    after_first = running_launchers()

    second = make_course(tmp_path / "second")
    submit(second, "b_wrong", answered(second, {"arrhenius": WRONG_ARRHENIUS}))
    submit(second, "c_honest", answered(second))
    summary = autograde(second, LAB, workers=1, require_sandbox=True, progress=False)
    assert summary.errors == {} and summary.flagged == {}
    with Gradebook(second.gradebook_url) as gb:
        assert {s.student.id: s.score for s in gb.find_assignment(LAB).submissions} == {"b_wrong": 8, "c_honest": 10}
    assert after_first and running_launchers() - after_first == set(), "the second run started a sandbox of its own"

    changed = make_course(tmp_path / "changed")
    (changed.course_dir / "release" / LAB / "errata.txt").write_text("Task 2: the table has 11 rows.\n")
    submit(changed, "d_honest", answered(changed))
    summary = autograde(changed, LAB, workers=1, require_sandbox=True, progress=False)
    assert summary.errors == {} and summary.flagged == {}
    assert running_launchers() - after_first != set(), "other lab files were graded in the old sandbox"


def test_a_run_with_other_limits_in_between_gets_sandboxes_of_its_own_and_costs_the_first_setup_none(tmp_path, monkeypatch):
    """Sandboxes are kept per setup (lab files, limits, sandbox): a course with its own cell timeout is
    graded in sandboxes started for that timeout, while those of the default course stay running and
    grade its next run. The three courses share lab files no other test grades (an errata file), so
    the sandboxes started here are told apart from those other tests' kept pools hold; and no pool is
    evicted meanwhile (the pools other tests left would otherwise count against KEPT_POOLS)."""
    monkeypatch.setattr(autograde_module, "KEPT_POOLS", 100)

    def course(name, extra=""):
        settings = make_course(tmp_path / name, extra=extra)
        (settings.course_dir / "release" / LAB / "errata.txt").write_text("Task 3: plot ln D, not log10 D.\n")
        return settings

    before = running_launchers()
    default = course("default")
    submit(default, "a_honest", answered(default))
    assert autograde(default, LAB, workers=1, require_sandbox=True, progress=False).errors == {}
    started_for_default = running_launchers() - before
    assert started_for_default, "the default course's run started no sandbox"

    short = course("short", extra="c.ExecutePreprocessor.timeout = 8")
    submit(short, "b_sleeps", insert_after(answered(short), AFTER_ARRHENIUS, "import time\ntime.sleep(9)"))
    summary = autograde(short, LAB, workers=1, require_sandbox=True, progress=False)
    assert summary.errors == {}
    assert records_of(short.course_dir, "b_sleeps", LAB)["test_fit"]["passed"], "a task after the stopped cell did not score"
    assert "stopped after 8 s" in (short.course_dir / "autograded" / "b_sleeps" / LAB / f"{LAB}.ipynb").read_text()
    running = running_launchers()
    assert started_for_default <= running, "the default course's sandbox was stopped for a run with other limits"
    started_for_short = running - before - started_for_default
    assert started_for_short, "the course with its own timeout was graded in a sandbox started for another"

    again = course("again")
    submit(again, "c_honest", answered(again))
    assert autograde(again, LAB, workers=1, require_sandbox=True, progress=False).errors == {}
    assert running_launchers() - before - started_for_default - started_for_short == set(), (
        "the default course's next run started a sandbox of its own")
