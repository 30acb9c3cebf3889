"""labgrade: release, collect, autograde and mark the Machine Learning for Materials computer labs."""

import os
import sys

# nbgrader runs helper programs (alembic, for the gradebook) by name: find them beside this Python
# even when labgrade is run as .venv/bin/labgrade without activating the environment.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
