"""What one submission leaves in its sandbox never reaches the next one, and never stops the batch.

One worker grades, in this order, honest work with a poisoned folder left behind, then honest or
wrong work that must score exactly as it would alone. The sandbox that cannot be cleaned is thrown
away and the submission that left it so is flagged with the reason.
"""

import pytest
from autograde_fixtures import AFTER_ARRHENIUS, WRONG_ARRHENIUS, answered, autograded_text, graded_once, insert_after, make_course, submit

DEEP_TREE = '''
import os
here = os.getcwd()
for folder in ("/tmp", os.path.expanduser("~")):
    os.chdir(folder)
    for _ in range(3000):  # deeper than any path a program can name, and than Python's recursion limit
        os.mkdir("d")
        os.chdir("d")
os.chdir(here)
'''
LOCKED_FOLDERS = '''
import os
for top in ("/tmp/locked", os.path.expanduser("~/locked"), "/run/labgrade/locked"):
    os.makedirs(top + "/inner/deeper")
    open(top + "/inner/deeper/file", "w").write("x")
    for folder in (top + "/inner/deeper", top + "/inner", top):
        os.chmod(folder, 0)
'''
FILL_RUNTIME = '''
written = 0
try:
    with open("/run/labgrade/filler", "wb") as filler:
        for _ in range(320):
            filler.write(b"x" * 2**20)
            filler.flush()
            written += 2**20
except OSError as error:
    print("STOPPED", type(error).__name__)
print("WROTE", written)
'''
NEW_USER_NAMESPACE = '''
import ctypes, subprocess
CLONE_NEWUSER = 0x10000000
refused = ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWUSER) != 0
refused_by_tool = subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode != 0
print("USERNS", "refused" if refused and refused_by_tool else "allowed")
'''


def submit_all(folder):
    settings = make_course(folder)
    honest = answered(settings)
    submit(settings, "a1_deep_tree", insert_after(answered(settings), AFTER_ARRHENIUS, DEEP_TREE))
    submit(settings, "a2_honest", honest)
    submit(settings, "a3_locked_folders", insert_after(answered(settings), AFTER_ARRHENIUS, LOCKED_FOLDERS))
    submit(settings, "a4_wrong", answered(settings, {"arrhenius": WRONG_ARRHENIUS}))
    submit(settings, "a5_fill_runtime", insert_after(answered(settings), AFTER_ARRHENIUS, FILL_RUNTIME))
    submit(settings, "a6_honest", honest)
    submit(settings, "a7_new_user_namespace", insert_after(answered(settings), AFTER_ARRHENIUS, NEW_USER_NAMESPACE))
    submit(settings, "a8_honest", honest)
    return settings


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_once(tmp_path_factory, "sandbox-reset", submit_all, workers=1)


def test_every_submission_after_a_poisoned_sandbox_scores_as_it_would_alone(graded):
    _, summary, scores, flags = graded
    assert summary["errors"] == {}
    assert scores == {
        "a1_deep_tree": 10, "a2_honest": 10, "a3_locked_folders": 10, "a4_wrong": 8,
        "a5_fill_runtime": 10, "a6_honest": 10, "a7_new_user_namespace": 10, "a8_honest": 10,
    }  # fmt: skip
    assert not {"a2_honest", "a4_wrong", "a6_honest", "a8_honest"} & set(flags)


def test_a_sandbox_that_cannot_be_cleaned_is_replaced_and_its_submission_flagged(graded):
    flags = graded[3]
    assert any("could not be cleaned after this submission" in reason for reason in flags["a1_deep_tree"]), flags


def test_the_runtime_folder_is_a_small_tmpfs_of_the_sandbox(graded):
    text = autograded_text(graded[0], "a5_fill_runtime")
    assert "STOPPED OSError" in text
    written = int(text.split("WROTE ", 1)[1].split("\\n", 1)[0].split('"', 1)[0])
    assert written <= 16 * 2**20


def test_student_code_cannot_make_user_namespaces(graded):
    text = autograded_text(graded[0], "a7_new_user_namespace")
    assert "USERNS refused" in text and "USERNS allowed" not in text
