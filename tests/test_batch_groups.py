"""The test run's scheduling (batch_groups.py): tests that read one lab batch run on one pytest-xdist
worker, longest groups first, and a test that reads a batch without naming its lab is refused."""

import json
import re

import pytest

from labharness import ROOT

pytest_plugins = ["pytester"]

CONFTEST = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "tests")!r}]
import pytest
from batch_groups import BatchGroups

def pytest_configure(config):
    config.addinivalue_line("markers", "shared_batch(lab): ...")
    config.pluginmanager.register(BatchGroups(config), "batch-groups")

@pytest.fixture
def lab_batch():
    return lambda lab: lab
"""

BATCH_TESTS = """
import pytest

@pytest.mark.parametrize("lab", ["labA", "labB"])
def test_reads_the_batch(lab_batch, lab):
    assert lab_batch(lab) == lab

@pytest.mark.shared_batch("labA")
def test_reads_batch_a_without_a_parameter(lab_batch):
    assert lab_batch("labA") == "labA"
"""


def workers_by_test(output: str) -> dict[str, str]:
    return {name: worker for worker, name in re.findall(r"\[(gw\d)\] \[ *\d+%\] PASSED \S+::(\S+)", output)}


def test_the_tests_of_one_lab_batch_run_on_one_worker(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_answers=BATCH_TESTS, **{f"test_other{n}": f"def test_{n}():\n    pass\n" for n in range(6)})
    pytester.makepyfile(test_release="""
import pytest

@pytest.mark.parametrize("lab", ["labA", "labB"])
def test_scores_full(lab_batch, lab):
    assert lab_batch(lab) == lab
""")
    result = pytester.runpytest_subprocess("-n", "2", "-v", "-p", "no:randomly")
    result.assert_outcomes(passed=11)
    ran_on = workers_by_test(result.stdout.str())
    a = {ran_on["test_reads_the_batch[labA]"], ran_on["test_scores_full[labA]"], ran_on["test_reads_batch_a_without_a_parameter"]}
    b = {ran_on["test_reads_the_batch[labB]"], ran_on["test_scores_full[labB]"]}
    assert len(a) == 1 and len(b) == 1, ran_on


def test_a_test_reading_a_batch_without_naming_its_lab_is_refused(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_unnamed="def test_reads(lab_batch):\n    assert lab_batch('labA')\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*test_reads uses lab_batch: name its lab*"])


def test_the_groups_that_took_longest_last_time_run_first(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_answers=BATCH_TESTS, test_first="def test_quick():\n    pass\n")
    pytester.mkdir(".pytest_cache")
    first = pytester.runpytest_subprocess("--collect-only", "-q", "-p", "no:randomly")
    assert first.stdout.lines[0].startswith("test_answers.py::")  # no record yet: lab batches first
    pytester.runpytest_subprocess("-p", "no:randomly")  # records each group's seconds
    cache = pytester.path / ".pytest_cache" / "v" / "labgrade" / "group-seconds"
    assert set(json.loads(cache.read_text())) == {"test_first.py", "lab-batch-labA", "lab-batch-labB"}
    cache.write_text('{"test_first.py": 100, "lab-batch-labA": 1, "lab-batch-labB": 2}')
    again = pytester.runpytest_subprocess("--collect-only", "-q", "-p", "no:randomly")
    assert again.stdout.lines[:4] == ["test_first.py::test_quick", "test_answers.py::test_reads_the_batch[labB]",
                                      "test_answers.py::test_reads_the_batch[labA]", "test_answers.py::test_reads_batch_a_without_a_parameter"]
