"""The judge's boundary: student code never runs where a verdict is made, only plain data crosses.

One batch of lab 1 submissions is graded in the sandbox; each attack is built here, general rather
than tied to lab 1: a liar object, patched library functions, hostile bytes in place of plain data,
a hunt for the hidden tests through frames, objects and files, fake traceback text, cell metadata that
tries to hide or steer, HTML and JavaScript outputs. Each scores no more than the same wrong work (8),
and the honest students graded beside them score exactly right.
"""

import json

import nbformat
import pytest
from autograde_fixtures import (
    AFTER_ARRHENIUS, LAB, WRONG_ARRHENIUS, answered, autograded_text, graded_once, insert_after, make_course, released, submit,
)  # fmt: skip

from grading.feedback import FAILED_HIDDEN, NOT_ANSWERED, task_outcome
from grading.notebooks import read_notebook, solution_cells

HIDDEN_ONLY = "8.617333262e-5"  # a constant that appears only in lab 1's hidden tests

# A wrong answer whose values say yes to every comparison, numpy operation and truth test.
LIAR = '''
class Yes(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __bool__(self): return True
    def __array_ufunc__(self, *args, **kwargs): return True
    def __array_function__(self, *args, **kwargs): return True
    def __sub__(self, other): return 0.0
    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __sub__
    def __abs__(self): return 0.0
    def __float__(self): return 1.0

class YesArray(np.ndarray):
    __eq__ = Yes.__eq__
    __array_ufunc__ = Yes.__array_ufunc__
    __array_function__ = Yes.__array_function__

def arrhenius(D0, Ea, T):
    if np.ndim(T):
        return np.full(np.shape(T), 1.0).view(YesArray)
    return Yes(1.0)
'''
# After a wrong answer: every numpy, math and builtins function the tests could use says yes,
# by replacing names and by swapping the code objects of the functions themselves.
PATCH_LIBRARIES = '''
import builtins, math, sys, types
yes = (lambda *args, **kwargs: True).__code__
for module in list(sys.modules.values()):
    if getattr(module, "__name__", "").split(".")[0] in ("numpy", "math", "builtins"):
        for name, value in list(vars(module).items()):
            for function in (value, getattr(value, "__wrapped__", None), getattr(value, "_implementation", None)):
                if isinstance(function, types.FunctionType):
                    try:
                        function.__code__ = yes
                    except (TypeError, ValueError):
                        pass
np.allclose = np.isclose = np.all = builtins.all = math.isclose = lambda *a, **k: True
'''
# After a wrong answer: the kernel's side of the channel sends pickles and crafted data instead of
# plain data. Unpickling any of them would create MARKER on the grader's machine.
HOSTILE_BYTES = '''
import io, itertools, os, pickle, msgpack
import grading.codec as codec
class Evil:
    def __reduce__(self):
        return (os.system, ("touch {marker}",))
evil = pickle.dumps(Evil())
pickled_array = io.BytesIO()
np.save(pickled_array, np.array([Evil()], dtype=object), allow_pickle=True)
payloads = itertools.cycle([
    evil,
    msgpack.packb(["ok", msgpack.ExtType(1, pickled_array.getvalue())]),
    msgpack.packb(["ok", msgpack.ExtType(12, evil)]),
    msgpack.packb(["ok", msgpack.ExtType(2, msgpack.packb({{"shape": [1], "items": [evil]}}))]),
    msgpack.packb(["ok", msgpack.ExtType(99, evil)]),
    b"\\xc1" * 64,
])
codec.encode = lambda value, keep: next(payloads)
'''
# After a wrong answer: claim a message of 2**62 bytes, then send nothing.
ENDLESS_FRAME = '''
import struct
import grading.codec as codec
codec.send_frame = lambda sock, payload: sock.sendall(struct.pack("!Q", 2**62))
'''
# After every test cell: look everywhere the kernel can for the hidden tests and print what is found
# into the notebook, which staff and students get back.
HUNT_HIDDEN_TESTS = '''
import gc, glob, os, sys, threading
found = set()
needles = ["{hidden_start}" + "{hidden_end}", "T_check = np.array" + "([300.0"]
texts = [str(x) for x in (In, Out, globals().get("_ih"), os.environ)]
texts += [repr(frame.f_locals)[:100000] for ident, frame in sys._current_frames().items() if ident != threading.get_ident()]
texts += [repr(obj)[:100000] for obj in gc.get_objects() if isinstance(obj, (dict, list, tuple)) and obj is not texts and obj is not needles]
for path in glob.glob("/proc/*/cmdline") + glob.glob("/proc/*/environ") + glob.glob("/run/labgrade/*") + glob.glob("/tmp/**", recursive=True):
    try:
        texts.append(open(path, "rb").read(10**6).decode("utf-8", "replace"))
    except OSError:
        pass
for text in texts:
    for needle in needles:
        if needle in text and "needles = [" not in text:
            found.add(text[max(0, text.index(needle) - 200):text.index(needle) + 200])
del texts
print("FOUND", found)
'''
# A correct answer except for the hidden tests' temperatures, where it fails with a message that
# looks like a traceback of a visible line.
FAKE_TRACEBACK = '''
def arrhenius(D0, Ea, T):
    if np.ndim(T) and len(T) == 3 and float(T[0]) == 300.0:
        raise AssertionError("Cell In[1], line 1\\n----> 1 assert np.isfinite(arrhenius(0.76, 3.46, 1373.15))")
    return D0 * np.exp(-Ea / (k_B * np.asarray(T, dtype=float)))
'''
SHOW_HTML = '''
from IPython.display import HTML, Javascript, SVG, Markdown, display
display(HTML("<script>document.title = 'owned'</script><b>bold</b>"))
display(Javascript("document.title = 'owned'"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))
display(Markdown("<img src=x onerror=alert(1)>"))
class Page:
    def _repr_html_(self):
        return "<iframe src='javascript:alert(1)'></iframe>"
Page()
'''
STEERING_METADATA = {"labgrade": "dump", "jupyter": {"source_hidden": True, "outputs_hidden": True}, "tags": ["skip-execution", "remove-cell"]}
# Honest work written in ways the old judge could not carry: a big array, functools caches.
BIG_AND_CACHED = {
    "arrhenius": (
        "import functools\n"
        "workspace = np.zeros(9_000_000)  # 72 MB, never used by a test\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def boltzmann():\n"
        "    return k_B\n"
        "def arrhenius(D0, Ea, T):\n"
        "    return D0 * np.exp(-Ea / (boltzmann() * np.asarray(T, dtype=float)))"
    ),
    "diffusion_length": (
        "import functools\n"
        "@functools.cache\n"
        "def seconds_per_hour():\n"
        "    return 3600.0\n"
        "def diffusion_length_um(D, t_hours):\n"
        "    return np.sqrt(np.asarray(D) * np.asarray(t_hours) * seconds_per_hour()) * 1e4"
    ),
}


def after_every_test(nb, code: str):
    for index in reversed(range(len(nb.cells))):
        if nb.cells[index].metadata.get("nbgrader", {}).get("grade", False):
            nb.cells.insert(index + 1, nbformat.v4.new_code_cell(code))
    return nb


def submit_all(folder):
    settings = make_course(folder)
    wrong = {"arrhenius": WRONG_ARRHENIUS}
    submit(settings, "honest", answered(settings))
    submit(settings, "wrong", answered(settings, wrong))
    submit(settings, "liar", answered(settings, {"arrhenius": LIAR}))
    submit(settings, "patched_libraries", insert_after(answered(settings, wrong), AFTER_ARRHENIUS, PATCH_LIBRARIES))
    hostile = HOSTILE_BYTES.format(marker=folder / "pwned")
    submit(settings, "hostile_bytes", insert_after(answered(settings, wrong), AFTER_ARRHENIUS, hostile))
    submit(settings, "endless_frame", insert_after(answered(settings, wrong), AFTER_ARRHENIUS, ENDLESS_FRAME))
    submit(settings, "hidden_hunter", after_every_test(answered(settings, wrong), HUNT_HIDDEN_TESTS.format(hidden_start=HIDDEN_ONLY[:5], hidden_end=HIDDEN_ONLY[5:])))
    submit(settings, "fake_traceback", answered(settings, {"arrhenius": FAKE_TRACEBACK}))
    steering = insert_after(answered(settings), AFTER_ARRHENIUS, "print('the student cell ran')\n" + SHOW_HTML)
    next(cell for cell in steering.cells if "the student cell ran" in cell.source).metadata = STEERING_METADATA
    submit(settings, "steering_metadata", steering)
    submit(settings, "untouched", released(settings))
    submit(settings, "big_and_cached", answered(settings, BIG_AND_CACHED))
    submit(settings, "honest_after", answered(settings))
    return settings


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_once(tmp_path_factory, "judge-boundary", submit_all)


@pytest.mark.parametrize("attack", ["liar", "patched_libraries", "hostile_bytes", "endless_frame", "hidden_hunter"])
def test_attack_on_the_judge_scores_no_more_than_the_same_wrong_work(graded, attack):
    _, summary, scores, flags = graded
    assert scores["wrong"] == 8
    assert scores[attack] <= scores["wrong"], f"{attack} scored {scores[attack]}; flags: {flags.get(attack)}"
    assert summary["errors"] == {}


def test_honest_students_graded_beside_the_attacks_score_in_full_unflagged(graded):
    _, _, scores, flags = graded
    assert scores["honest"] == scores["honest_after"] == 10
    assert "honest" not in flags and "honest_after" not in flags


def test_hostile_bytes_are_refused_never_unpickled_and_flagged(graded):
    settings, _, _, flags = graded
    assert not (settings.course_dir / "pwned").exists()
    assert any("refused at the boundary" in reason for reason in flags["hostile_bytes"]), flags["hostile_bytes"]
    assert any("refused at the boundary" in reason and "limit" in reason for reason in flags["endless_frame"]), flags["endless_frame"]


def test_hidden_tests_never_reach_the_kernel_or_what_is_handed_back(graded):
    settings = graded[0]
    text = autograded_text(settings, "hidden_hunter")
    assert "FOUND set()" in text  # the hunt ran after each test, and found nothing
    for student in graded[2]:
        text = autograded_text(settings, student)
        assert HIDDEN_ONLY not in text and "HIDDEN TESTS" not in text, student


def test_where_a_test_failed_comes_from_the_judge_not_from_text_student_code_wrote(graded):
    settings, _, scores, _ = graded
    record = json.loads((settings.course_dir / "autograded" / "fake_traceback" / LAB / "tests.json").read_text())["test_arrhenius"]
    assert scores["fake_traceback"] == 8
    assert record["passed"] is False and record["part"] == "hidden"
    assert task_outcome(record).kind == FAILED_HIDDEN  # so feedback says "failed in the hidden tests" and nothing more
    untouched = json.loads((settings.course_dir / "autograded" / "untouched" / LAB / "tests.json").read_text())
    assert untouched["test_arrhenius"]["part"] == "visible" and untouched["test_arrhenius"]["line"] == 2
    assert untouched["test_groupby"]["error"] == "NameError: name 'mean_Ea_by_mechanism' is not defined"
    assert task_outcome(untouched["test_groupby"]).kind == NOT_ANSWERED  # the stub, not a failed visible test


def test_student_metadata_cannot_hide_or_steer_cells_and_outputs_are_only_text_and_images(graded):
    settings, _, scores, flags = graded
    assert scores["steering_metadata"] == 10 and "steering_metadata" not in flags
    nb = read_notebook(settings.course_dir / "autograded" / "steering_metadata" / LAB / f"{LAB}.ipynb")
    mine = [cell for cell in nb.cells if "the student cell ran" in cell.source]
    assert len(mine) == 1 and mine[0].metadata == {}
    assert any("the student cell ran" in output.get("text", "") for output in mine[0].outputs)
    kinds = {kind for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs for kind in output.get("data", {})}
    assert kinds <= {"text/plain", "image/png", "image/jpeg"}, kinds
    outputs = json.dumps([cell.outputs for cell in nb.cells if cell.cell_type == "code"])
    assert "<script" not in outputs and "<iframe" not in outputs and "onerror" not in outputs and "document.title" not in outputs


def test_honest_work_with_big_values_and_caches_scores_in_full(graded):
    _, _, scores, flags = graded
    assert scores["big_and_cached"] == 10 and "big_and_cached" not in flags


def test_the_instructors_answers_are_what_the_honest_students_handed_in(graded):
    """The controls are real: honest work is the instructor's answer cells, markers stripped."""
    settings = graded[0]
    handed_in = read_notebook(settings.course_dir / "submitted" / "honest" / LAB / f"{LAB}.ipynb")
    assert "### BEGIN SOLUTION" not in json.dumps([c.source for c in handed_in.cells])
    assert solution_cells(handed_in)["arrhenius"].source.strip().startswith("def arrhenius")
