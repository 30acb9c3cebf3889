"""A student's Jupyter session, driven for real: a kernel of its own (not marked), cells run one by one
as Run All runs them, the notebook saved where Jupyter saves it, and the check cell's answer read back."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grading.cells.check_cell import CHECK_ID, GRADING_MARKER
from grading.notebooks import nbgrader_meta


def cell_index(nb, grade_id: str) -> int:
    return next(i for i, cell in enumerate(nb.cells) if nbgrader_meta(cell).get("grade_id") == grade_id)


class Session:
    """A notebook open in Jupyter: ``path`` is its file, the kernel knows it as Jupyter tells it
    (JPY_SESSION_NAME), and runs in the file's folder."""

    def __init__(self, nb, path: Path):
        self.nb, self.path = nb, path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(path.parent)}})
        environment = {key: value for key, value in os.environ.items() if key != GRADING_MARKER}
        self._kernel = self.client.setup_kernel(env={**environment, "JPY_SESSION_NAME": str(path)})

    def __enter__(self):
        self._kernel.__enter__()
        return self

    def __exit__(self, *exc):
        return self._kernel.__exit__(*exc)

    def run(self, index: int) -> bool:
        """Run one cell; False when it raised."""
        cell = self.client.execute_cell(self.nb.cells[index], index)
        return not any(output.output_type == "error" for output in cell.get("outputs", []))

    def run_all(self) -> None:
        """Run All as Jupyter does it: top to bottom, stopping at the first cell that raises; the
        check cell is left for the student to run."""
        for index, cell in enumerate(self.nb.cells[: cell_index(self.nb, CHECK_ID)]):
            if cell.cell_type == "code" and cell.source.strip() and not self.run(index):
                return

    def save(self) -> None:
        nbformat.write(self.nb, self.path)

    def check(self) -> str:
        """Run the check cell and return what it printed."""
        index = cell_index(self.nb, CHECK_ID)
        self.run(index)
        outputs = self.nb.cells[index].outputs
        errors = [output for output in outputs if output.output_type == "error"]
        assert not errors, "\n".join(errors[0].traceback)
        return "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
