"""A pytest plugin for benchmarks/suite_cpu.py: the CPU each test used, its own and that of every
process it started and waited for (grading pools, sandboxes, judges, kernels, servers), one JSON line
per test appended to the file $CPU_PER_TEST (each pytest-xdist worker appends its own lines).

A session fixture's work counts for the test that first needed it, as pytest's --durations does."""

from __future__ import annotations

import json
import os
import resource

import pytest


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    began = _cpu()
    yield
    path = os.environ.get("CPU_PER_TEST")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"test": item.nodeid, "cpu": round(_cpu() - began, 2)}) + "\n")
