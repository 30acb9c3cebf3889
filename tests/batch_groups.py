"""Tests that read the same graded batch run on one pytest-xdist worker, one after another.

Spread over two workers, the second test of a batch waits on the first's lock while its core idles. A
test's group is the lab batch it reads (its ``lab`` parameter, or ``@pytest.mark.shared_batch("lab1")``),
else its module, whose tests share the module's cohort. Each worker writes the groups it collected to
a file; the controller's scheduler (xdist's scope scheduling) takes them as its scopes. Groups run
longest first, by the seconds they took last time (kept in pytest's cache), so no long one starts last.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from grading.files import write_atomically

GROUP_SECONDS = "labgrade/group-seconds"
WORKER_INPUT = "labgrade_groups"


def group_of(item) -> str:
    marked = item.get_closest_marker("shared_batch")
    lab = marked.args[0] if marked else getattr(getattr(item, "callspec", None), "params", {}).get("lab")
    if "lab_batch" in item.fixturenames:
        if not lab:
            raise pytest.UsageError(f"{item.nodeid} uses lab_batch: name its lab with a lab parameter or @pytest.mark.shared_batch")
        return f"lab-batch-{lab}"
    return item.nodeid.split("::")[0]


class BatchGroups:
    def __init__(self, config):
        self.config = config
        self.controller = not hasattr(config, "workerinput")
        self.file = Path(tempfile.mkdtemp(prefix="pytest-groups-")) / "groups.json" if self.controller else None
        self.groups: dict[str, str] | None = None
        self.seconds: dict[str, float] = {}

    def pytest_collection_modifyitems(self, config, items):
        """Longest groups first (lab batches first when there is no record), each group in its order."""
        groups = {item.nodeid: group_of(item) for item in items}
        last = config.cache.get(GROUP_SECONDS, {}) if getattr(config, "cache", None) else {}
        rank = {}
        for index, group in enumerate(groups.values()):
            rank.setdefault(group, (-last.get(group, 0), not group.startswith("lab-batch"), index))
        items.sort(key=lambda item: rank[groups[item.nodeid]])
        if self.controller:
            self.groups = groups
        elif WORKER_INPUT in config.workerinput:
            write_atomically(Path(config.workerinput[WORKER_INPUT]), json.dumps(groups))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        node.workerinput[WORKER_INPUT] = str(self.file)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config, log):
        if config.option.dist != "load":
            return None
        from xdist.scheduler import LoadScopeScheduling

        plugin = self

        class GroupScheduling(LoadScopeScheduling):
            """xdist's scope scheduling with our groups as its scopes, in the workers' order."""

            def __init__(self, config, log=None):
                super().__init__(config, log)
                config.option.loadscopereorder = False

            def _split_scope(self, nodeid: str) -> str:
                return plugin.group_of_id(nodeid) or nodeid

        return GroupScheduling(config, log)

    def group_of_id(self, nodeid: str) -> str | None:
        if self.groups is None and self.file is not None and self.file.is_file():
            self.groups = json.loads(self.file.read_text())
        return (self.groups or {}).get(nodeid)

    def pytest_runtest_logreport(self, report):
        if self.controller and (group := self.group_of_id(report.nodeid)):
            self.seconds[group] = self.seconds.get(group, 0.0) + report.duration

    def pytest_sessionfinish(self, session):
        """Record each group's seconds (a run of some tests updates theirs only), and remove the file."""
        if self.controller and self.seconds and getattr(self.config, "cache", None):
            now = {group: round(seconds, 1) for group, seconds in self.seconds.items()}
            self.config.cache.set(GROUP_SECONDS, {**self.config.cache.get(GROUP_SECONDS, {}), **now})
        if self.file is not None:
            self.file.unlink(missing_ok=True)
            self.file.parent.rmdir()
