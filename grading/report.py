"""Report: one self-contained HTML page for staff, to see at a glance how the labs went.

It reads the breakdown `labgrade marks` wrote (marks.csv) for statuses and marks, and the gradebook and
autograded notebooks for per-task results. Plots are PNGs inlined as base64, so the page can be
mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .autograde import test_records  # noqa: E402
from .feedback import DID_NOT_RUN, FAILED_HIDDEN, FAILED_VISIBLE, NOT_ANSWERED, page, task_outcome  # noqa: E402
from .marks import BREAKDOWN_FIELDS, EXEMPT, LATE, MISSING, ON_TIME, GradebookMarks, read_gradebook  # noqa: E402
from .files import write_atomically  # noqa: E402
from .settings import CourseError, CourseSettings  # noqa: E402

STATUSES = (ON_TIME, LATE, MISSING, EXEMPT)
COLOURS = {ON_TIME: "#4c9a5a", LATE: "#e0a030", MISSING: "#c94040", EXEMPT: "#9a9a9a", "flagged": "#6a5acd"}
OUTCOME_COLOURS = ["#9a9a9a", "#e0a030", "#6a5acd", "#c94040"]  # not answered, failed visible, failed hidden, did not run


def read_breakdown(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise CourseError(f"{path}: no marks breakdown; run `labgrade marks GRADECENTER_FILE` first")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [name for name in BREAKDOWN_FIELDS if name not in table.columns]
    if missing:
        raise CourseError(f"{path}: not a breakdown written by `labgrade marks`: no column(s) {missing}")
    if table.empty:
        raise CourseError(f"{path}: no students in the breakdown; is the Grade Center download empty?")
    return table


def status_counts(breakdown: pd.DataFrame) -> pd.DataFrame:
    """Per lab: how many students were on time, late, missing, exempt, and how many are flagged."""
    counts = pd.crosstab(breakdown["lab"], breakdown["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts["flagged"] = breakdown.assign(flagged=breakdown["flags"] != "").groupby("lab")["flagged"].sum()
    return counts.reindex(sorted(counts.index, key=lambda lab: int(lab[3:]))).rename_axis(index=None, columns=None)


FAILURES = [NOT_ANSWERED, FAILED_VISIBLE, FAILED_HIDDEN, DID_NOT_RUN]  # the columns after "pass rate"


def task_results(settings: CourseSettings, gradebook: GradebookMarks) -> pd.DataFrame:
    """One row per lab and test cell: pass rate, and the other submissions split by the outcome the
    judge's record gives (feedback.task_outcome, the same that students are told)."""
    rows = []
    for lab in sorted(gradebook.max_scores, key=settings.labs.index):
        for (username, graded_lab), tasks in gradebook.tasks.items():
            if graded_lab != lab:
                continue
            records = test_records(settings.course_dir, username, lab)
            for task in tasks:
                outcome = "" if task.passed else task_outcome(records.get(task.name)).kind
                rows.append({"lab": lab, "task": task.name, "passed": task.passed, "outcome": outcome})
    if not rows:
        return pd.DataFrame(columns=["lab", "task", "submissions", "pass rate", *FAILURES])
    table = pd.DataFrame(rows)
    summary = table.groupby(["lab", "task"], sort=False).agg(
        submissions=("passed", "size"), passed=("passed", "sum"),
        **{kind: ("outcome", lambda s, kind=kind: int((s == kind).sum())) for kind in FAILURES}).reset_index()
    summary["pass rate"] = summary["passed"] / summary["submissions"]
    return summary.drop(columns="passed")[["lab", "task", "submissions", "pass rate", *FAILURES]]


def png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def small_multiples(count: int):
    columns = min(4, max(count, 1))
    rows = -(-max(count, 1) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(max(6.0, 3.2 * columns), 2.6 * rows + 0.4),
                                squeeze=False, layout="constrained")
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    return figure, axes.flat


def status_plot(counts: pd.DataFrame) -> str:
    """Stacked on time / late / missing / exempt per lab; flagged (which overlaps them) written above each bar."""
    figure, axis = plt.subplots(figsize=(8, 3.2), layout="constrained")
    statuses = counts[list(STATUSES)]
    statuses.plot.bar(ax=axis, stacked=True, color=[COLOURS[name] for name in STATUSES], width=0.6, rot=0)
    for position, (total, flagged) in enumerate(zip(statuses.sum(axis=1), counts["flagged"])):
        if flagged:
            axis.annotate(f"{flagged} flagged", (position, total), ha="center", va="bottom", color=COLOURS["flagged"])
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel("students"), axis.set_xlabel(""), axis.set_title("Submissions per lab")
    axis.legend(ncols=4, fontsize="small", loc="lower right")
    return png(figure)


def score_plot(settings: CourseSettings, gradebook: GradebookMarks) -> str:
    labs = sorted(gradebook.max_scores, key=settings.labs.index)
    figure, axes = small_multiples(len(labs))
    for axis, lab in zip(axes, labs):
        scores = [float(100 * a.score / a.max_score) for (_, graded_lab), a in gradebook.attempts.items() if graded_lab == lab]
        axis.hist(scores, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="#4a7fb5")
        axis.set_title(f"{lab} ({len(scores)} submissions)", fontsize="small"), axis.set_xlabel("score %")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle("Score distribution (before the late policy)")
    return png(figure)


def task_plot(tasks: pd.DataFrame) -> str:
    """Per lab, each test's submissions split into passed, failed in visible tests and failed in hidden tests."""
    labs = list(dict.fromkeys(tasks["lab"]))
    figure, axes = small_multiples(len(labs))
    for axis, lab in zip(axes, labs):
        rows = tasks[tasks["lab"] == lab].sort_values("pass rate")
        share = rows[FAILURES].div(rows["submissions"], axis=0) * 100
        left = rows["pass rate"] * 100
        axis.barh(rows["task"], left, color=COLOURS[ON_TIME], label="passed")
        for kind, colour in zip(FAILURES, OUTCOME_COLOURS):
            axis.barh(rows["task"], share[kind], left=left, color=colour, label=kind)
            left = left + share[kind]
        axis.set_xlim(0, 100), axis.set_title(lab, fontsize="small"), axis.set_xlabel("% of submissions")
        axis.tick_params(axis="y", labelsize="x-small")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=5, fontsize="small")
    figure.suptitle("Tests by pass rate (lowest at the bottom)")
    return png(figure)


def distribution_plot(values: pd.Series, title: str, maximum: float) -> str:
    figure, axis = plt.subplots(figsize=(5, 2.8), layout="constrained")
    axis.hist(values.astype(float), bins=20, range=(0, maximum), color="#4a7fb5")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title(f"{title} ({len(values)} students)"), axis.set_ylabel("students")
    return png(figure)


def table_html(table: pd.DataFrame, **options) -> str:
    return table.to_html(escape=True, border=0, **options)


def report_html(settings: CourseSettings, breakdown: pd.DataFrame, gradebook: GradebookMarks, source: Path) -> str:
    counts = status_counts(breakdown)
    tasks = task_results(settings, gradebook)
    students = breakdown.drop_duplicates("username")
    downloaded = students[students["in_upload"] != "no: not in the Grade Center download"]
    module = downloaded[downloaded["module_mark"] != ""]["module_mark"]
    flagged = breakdown[breakdown["flags"] != ""][["username", "lab", "flags"]]
    worst = tasks.sort_values(["pass rate", FAILED_HIDDEN], ascending=[True, False]).head(10)
    parts = [
        "<h1>Computer labs: marks report</h1>",
        f'<p class="note">From {html.escape(str(source))}: {len(students)} students, labs '
        f"{html.escape(', '.join(counts.index))}. Module marks for {len(module)} of {len(downloaded)} students "
        "in the Grade Center download (the rest are blank: see marks.csv, column module_blank_because).</p>",
        "<h2>On time, late, missing, exempt, flagged</h2>", table_html(counts), status_plot(counts),
        "<h2>Score distributions</h2>", score_plot(settings, gradebook),
        "<h2>Which tests fail most</h2>",
        f'<p class="note">"{NOT_ANSWERED}": the answer cells were handed in as released. "{FAILED_VISIBLE}": the '
        "student could see the failing line and its error. "
        f'"{FAILED_HIDDEN}": the failing line was in the hidden tests, so the student saw no reason; a high count '
        f'there, beside a low "{FAILED_VISIBLE}", may mean the visible tests do not prepare students for the hidden '
        f'ones. "{DID_NOT_RUN}": the kernel stopped or a time limit ended the run before the test.</p>',
        table_html(worst.round({"pass rate": 2}), index=False), task_plot(tasks) if len(tasks) else "<p>No graded tests yet.</p>",
        "<h2>Lab totals and module marks</h2>",
        distribution_plot(downloaded["labs_total"], "Lab total", float(settings.lab_weight * len(settings.labs))),
        distribution_plot(module, "Module mark", 100.0) if len(module) else "<p>No module marks yet.</p>",
        "<h2>Needs review</h2>", table_html(flagged, index=False) if len(flagged) else "<p>Nothing flagged.</p>",
    ]
    return page("Computer labs: marks report", "\n".join(parts))


def write_report(settings: CourseSettings, marks: str | Path | None = None, out: str | Path | None = None) -> Path:
    """`labgrade report`: the staff page, from marks.csv and the gradebook."""
    source = Path(marks) if marks else settings.course_dir / "marks.csv"
    breakdown = read_breakdown(source)
    text = report_html(settings, breakdown, read_gradebook(settings), source)
    path = Path(out) if out else settings.course_dir / "reports" / "report.html"
    write_atomically(path, text)
    return path
