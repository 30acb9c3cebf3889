import os

import pytest

from grading.settings import load_course
from labharness import ROOT

# Kernels started by tests must never look at the network or the tester's own Jupyter set-up.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def course():
    """The repository's own course settings and folders."""
    return load_course(ROOT)
