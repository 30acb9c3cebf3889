#@title Check before you hand in (run this cell last)
"""Check the notebook you are about to hand in, as it is saved.

It reads the saved notebook (on Colab: the open one), runs it again from the top in a namespace of
its own, carrying on past errors as the marker does, and says for each task whether it is answered
and whether its visible tests pass; whether the cells ran top to bottom in one kernel run; whether
the file holds your latest run; the file to upload; and the deadline. Your variables are left as
they are. When the lab is marked it does nothing. The same cell closes every lab (its master copy
is grading/cells/check_cell.py); staff run the same check with `labgrade check`.
"""

# labgrade release sets these for each lab, from nbgrader_config.py and the released notebook.
# The lab (hand in LAB + ".ipynb"), its Blackboard assignment, and its deadline (ISO 8601, and in words):
LAB = ""
ASSIGNMENT = ""
DEADLINE = ""
DEADLINE_TEXT = ""
# Per task: its test cell, points, answer cells, and the fingerprint of the test cell as released:
TASKS = []
# Answer cell -> fingerprint of the cell as released (unanswered):
STUBS = {}
# (end of what labgrade release sets)

import contextlib
import datetime
import hashlib
import io
import json
import os
import sys
import traceback

GRADING_MARKER = "LABGRADE_GRADING"  # set to "1" where labgrade grades this notebook
SETUP_ID, CHECK_ID = "labgrade-setup", "labgrade-check"  # the nbgrader names of the shared cells
PASS, FAIL = "\u2713", "\u2717"


def fingerprint(source):
    """A short digest of a cell's code, to tell an edited cell from the released one."""
    return hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:16]


def cells_of(notebook):
    """The cells of a notebook's JSON as plain dicts: kind, nbgrader name, code and execution count."""
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        cells.append({
            "kind": cell.get("cell_type"),
            "grade_id": ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id"),
            "source": "".join(source) if isinstance(source, list) else str(source),
            "count": cell.get("execution_count"),
        })
    return cells


def before_check(cells):
    """The cells above the check cell (all of them if it is gone)."""
    ids = [cell["grade_id"] for cell in cells]
    return cells[: ids.index(CHECK_ID)] if CHECK_ID in ids else cells


def locate(cells):
    """Index of each task's test cell, by its nbgrader name or, if renamed, by its code; None if gone."""
    places = {}
    for test, _points, _answers, printed in TASKS:
        by_name = [i for i, cell in enumerate(cells) if cell["grade_id"] == test]
        by_code = [i for i, cell in enumerate(cells) if cell["kind"] == "code" and fingerprint(cell["source"]) == printed]
        places[test] = (by_name or by_code or [None])[0]
    return places


def intact_lines(cells):
    """Test cells that are renamed, edited or gone: marking uses the originals, but flags such a
    notebook for a person to review, which holds its marks back."""
    problems, places = [], locate(cells)
    for number, (test, _points, _answers, printed) in enumerate(TASKS, start=1):
        place = places[test]
        if place is None:
            problems.append(f"the test cell of task {number} ({test}) is gone")
        elif cells[place]["grade_id"] != test:
            problems.append(f"the test cell of task {number} ({test}) has lost its name (now {cells[place]['grade_id']!r})")
        elif fingerprint(cells[place]["source"]) != printed:
            problems.append(f"the test cell of task {number} ({test}) has been edited")
    return [f"{FAIL} {problem.capitalize()}: marking uses the original, but holds the notebook back for review; "
            f"download {LAB}.ipynb again and copy your answers into it." for problem in problems]


def task_lines(cells, verdicts):
    """One line per task: answered or not, and its visible tests. ``verdicts`` maps a test cell to
    None (passed) or why it failed; a test cell missing from it did not run."""
    by_name = {cell["grade_id"]: cell for cell in cells if cell["grade_id"]}
    lines = []
    for number, (test, points, answers, _printed) in enumerate(TASKS, start=1):
        label = f"Task {number} ({points} point{'s' if points != 1 else ''})"
        gone = [answer for answer in answers if answer not in by_name]
        if gone:
            lines.append(f"{FAIL} {label}: its answer cell {gone[0]!r} is gone (deleted, or its nbgrader name lost).")
        elif all(fingerprint(by_name[answer]["source"]) == STUBS.get(answer) for answer in answers):
            lines.append(f"{FAIL} {label}: not answered yet (the cell still raises NotImplementedError).")
        elif test not in verdicts:
            lines.append(f"{FAIL} {label}: answered; its visible tests did not run.")
        elif verdicts[test] is None:
            lines.append(f"{PASS} {label}: answered; its visible tests pass.")
        else:
            lines.append(f"{FAIL} {label}: answered, but its visible tests fail: {verdicts[test]}")
    return lines


def order_line(cells):
    """Whether the code cells ran top to bottom in one kernel run, from their execution counts."""
    counts = [cell["count"] for cell in before_check(cells) if cell["kind"] == "code" and cell["source"].strip()]
    ran = [count for count in counts if count is not None]
    if not ran:
        return f"{FAIL} No cell has run in this saved notebook: Kernel > Restart Kernel and Run All Cells, then save."
    stopped = counts.index(None) if None in counts else len(counts)
    if ran != list(range(1, len(ran) + 1)) or len(ran) != stopped:
        shown = " ".join(f"[{count or ' '}]" for count in counts[:12]) + (" ..." if len(counts) > 12 else "")
        return (f"{FAIL} The cells did not run top to bottom in one kernel run (they ran as {shown}): "
                "Kernel > Restart Kernel and Run All Cells, then save.")
    if stopped < len(counts):
        return (f"{PASS} The cells ran top to bottom in one kernel run, until Run All stopped at cell [{ran[-1]}] "
                "(an error there). The marker carries on past errors, as this check does.")
    return f"{PASS} The cells ran top to bottom in one kernel run."


def saved_line(cells, history, saved_at):
    """Whether the saved file holds this kernel's latest run: every saved execution count points at the
    same code in this kernel's history, and no cell but this one has run since the last of them."""
    check = [cell["source"].strip() for cell in cells if cell["grade_id"] == CHECK_ID]
    saved = {cell["count"]: cell["source"].strip() for cell in cells if cell["kind"] == "code" and cell["count"]}
    when = f" (saved {saved_at})" if saved_at else ""
    if any(count >= len(history) or history[count].strip() != source for count, source in saved.items()):
        return (f"{FAIL} The saved file{when} is from an earlier kernel run, not this one: save it now "
                "(File > Save), then run this cell again.")
    since = [history[n] for n in range(max(saved, default=0) + 1, len(history) - 1) if history[n].strip() not in check]
    if since:
        first = since[-1].strip().splitlines()[0] if since[-1].strip() else ""
        return (f"{FAIL} You ran cells after saving{when} (the last began `{first[:60]}`): save now "
                "(File > Save), then run this cell again.")
    return f"{PASS} The saved file{when} holds your latest run."


def name_line(name):
    wanted = f"{LAB}.ipynb"
    if name is None:
        return f"Upload the notebook as {wanted}."
    if name != wanted:
        return f"{FAIL} This notebook is saved as {name!r}: rename it {wanted} (File > Rename) and upload that."
    return f"{PASS} Upload this file, {wanted}."


def deadline_line(now):
    """The deadline with its date, and how long is left."""
    left = datetime.datetime.fromisoformat(DEADLINE) - now
    minutes = abs(int(left.total_seconds())) // 60
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    span = ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n)
    span = span or "less than a minute"
    where = f'Blackboard assignment "{ASSIGNMENT}"'
    if left.total_seconds() > 0:
        return f"Deadline: upload {LAB}.ipynb to the {where} by {DEADLINE_TEXT}, {span} from now."
    return f"Deadline: {DEADLINE_TEXT} has passed ({span} ago); the {where} marks an upload now as late."


def rerun(sources, shell):
    """Run code cells in order in a fresh namespace, carrying on past errors, with their output hidden;
    returns, per cell, None or what it raised and where."""
    results, namespace, folder = [], {"__name__": "__main__"}, os.getcwd()
    pyplot = sys.modules.get("matplotlib.pyplot")
    publisher = getattr(shell, "display_pub", None)
    publish = getattr(publisher, "publish", None)
    if publisher is not None:
        publisher.publish = lambda *args, **kwargs: None  # the rerun's plots and tables stay hidden
    try:
        for number, source in enumerate(sources):
            label = f"<cell {number}>"
            try:
                code = shell.transform_cell(source) if shell is not None else source
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    exec(compile(code, label, "exec"), namespace)
                results.append(None)
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # noqa: BLE001 (whatever the cell raised is what to report)
                results.append(failure(error, label, source))
            finally:
                pyplot = pyplot or sys.modules.get("matplotlib.pyplot")
                if pyplot is not None:
                    pyplot.close("all")
    finally:
        if publisher is not None:
            publisher.publish = publish
        os.chdir(folder)
    return results


def failure(error, label, source):
    """What a cell raised, with the line of the cell it was raised at."""
    lines = source.splitlines()
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == label]
    number = frames[-1].lineno if frames else None
    where = f" at line {number} (`{lines[number - 1].strip()}`)" if number and 0 < number <= len(lines) else ""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}{': ' + message if message else ''}{where}"


def student_lines(cells, results, history, on_colab, name, saved_at, now):
    """Everything the student is told, from the notebook's cells, the rerun's results (cell index ->
    None or failure) and this kernel's history of inputs."""
    places = locate(cells)
    verdicts = {test: results[place] for test, place in places.items() if place in results}
    lines = [f"Check of {name or 'this notebook'} as {LAB}:", *task_lines(cells, verdicts)]
    lines += intact_lines(cells)
    lines.append(order_line(cells))
    if on_colab:
        lines.append(f"On Colab, the file to upload is the one File > Download > Download .ipynb gives you: "
                     f"download it now, and rename it {LAB}.ipynb if it is called anything else.")
    else:
        lines += [saved_line(cells, history, saved_at), name_line(name)]
    lines += [deadline_line(now), "Hidden tests are added when the lab is marked: visible tests that pass are a start, not the mark."]
    return lines


def saved_notebook(on_colab, environ, shell):
    """The notebook as saved, its file name and when it was saved (None for each that is unknown)."""
    if on_colab:
        import google.colab._message

        reply = google.colab._message.blocking_request("get_ipynb", timeout_sec=30)
        return reply["ipynb"], None, None
    user = getattr(shell, "user_ns", {})
    candidates = [environ.get("JPY_SESSION_NAME"), user.get("__vsc_ipynb_file__"), f"{LAB}.ipynb"]
    for path in [candidate for candidate in candidates if candidate]:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                notebook = json.load(handle)
            saved_at = datetime.datetime.fromtimestamp(os.path.getmtime(path)).strftime("%H:%M:%S")
            return notebook, os.path.basename(path), saved_at
    return None, None, None


def main(environ=os.environ, shell=None, modules=sys.modules, now=None):
    if environ.get(GRADING_MARKER) == "1":
        return
    if shell is None:
        import IPython

        shell = IPython.get_ipython()
    on_colab = "google.colab" in modules or "COLAB_RELEASE_TAG" in environ
    now = now or datetime.datetime.now(datetime.timezone.utc)
    try:
        notebook, name, saved_at = saved_notebook(on_colab, environ, shell)
        problem = None if notebook is not None else f"there is no {LAB}.ipynb in {os.getcwd()}"
    except (OSError, ValueError, KeyError, ImportError) as error:
        notebook, problem = None, f"{type(error).__name__}: {error}"
    if notebook is None:
        print(f"{FAIL} The saved notebook could not be read ({problem}): save it as {LAB}.ipynb, then run this cell again.")
        print(deadline_line(now))
        return
    cells = cells_of(notebook)
    if not any(place is not None for place in locate(cells).values()):
        print(f"{FAIL} The saved file {name or ''} is not the {LAB} notebook: none of its test cells is in it.")
        print(deadline_line(now))
        return
    code = [i for i, cell in enumerate(before_check(cells)) if cell["kind"] == "code" and cell["grade_id"] != SETUP_ID]
    print("Running your saved notebook again from the top, carrying on past errors as the marker does ...", flush=True)
    results = dict(zip(code, rerun([cells[i]["source"] for i in code], shell)))
    history = list(getattr(getattr(shell, "history_manager", None), "input_hist_raw", [""]))
    print("\n".join(student_lines(cells, results, history, on_colab, name, saved_at, now)))


if __name__ == "__main__":
    main()
