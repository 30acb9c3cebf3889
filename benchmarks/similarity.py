"""Time `labgrade similarity` on 1,000 synthetic submissions of lab 7, a few of them disguised copies.

The instructor's notebook is executed once, so every submission carries the outputs and plots a
student's run leaves. Each honest student's answer to a task is one of the answers written
independently for it (the instructor's, three students' in tests/similarity_cohort.py, and the
plausible wrong ones in tests/labs/lab7_wrong_answers.py), in the student's own habits: some write
np.dot for @, .shape[0] for len(), np.sum(x) for x.sum(), name a result before returning it, or
leave a line that prints a check. Copiers hand in another student's work, of this term or of the past
term, with every assigned name changed and two functions swapped. The command runs as staff run it,
in its own process; the script prints its wall time and peak memory, the pairs it reported, and how
many of the planted copies were among them. With --versus-copydetect N it also times copydetect's own
CopyDetector (which compares the pairs one at a time) on the first N students' code, the same code
the command compares.

    .venv/bin/python benchmarks/similarity.py [--students 1000] [--past 0] [--copies 10] [--versus-copydetect 200]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from autograde_fixtures import solutions, submit  # noqa: E402
from similarity_cohort import HONEST, LAB, functions_swapped, renamed  # noqa: E402

from grading.notebooks import execute, read_notebook, solution_cells  # noqa: E402
from grading.settings import CONFIG_FILE, load_course  # noqa: E402
from grading.similarity import NOISE_CHARACTERS, THIS_TERM, Release, lab_notebooks, read_submissions  # noqa: E402

HABITS = [  # (pattern, replacement): a way of writing the same thing that a student has or has not
    (r"(\b[\w.]+) @ (\w+)\b", r"np.dot(\1, \2)"),
    (r"np\.asarray\(", "np.array("),
    (r"\blen\((\w+)\)", r"\1.shape[0]"),
    (r"\b(\w+)\.sum\(\)", r"np.sum(\1)"),
    (r"\b2\.0\b", "2"),
    (r"\b1\.0\b", "1"),
    (r"\*\* 2\b", "** 2.0"),
    (r", dtype=float\b", ", float"),
    (r"\b(\w+)\.T\b", r"np.transpose(\1)"),
    (r"\.to_numpy\(\)", ".values"),
    (r"\brange\((\w+)\)", r"range(0, \1)"),
    (r"^(\s+)return float\((.+)\)$", r"\1return \2"),
    (r"^(\s+)return (\w.*)$", r"\1result = \2\n\1return result"),
]
CHECKS = ["print(X_design.shape)", "print(np.round(w_closed, 2))", "print(elements.shape)",
          "print(X_train.shape, y_train.shape)", "print(list(MODELS))", "print(init_network(2, 3)['W1'].shape)"]


# The command as staff run it, in a process of its own; last it prints the CPU seconds and peak memory
# (kB) of that process and of its readers (one per core), which wall time on a busy machine does not show.
COMMAND = """import resource, sys
from grading.cli import main
code = main(sys.argv[1:])
for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
    use = resource.getrusage(who)
    print(use.ru_utime + use.ru_stime, use.ru_maxrss)
sys.exit(code)"""


def answer_pool() -> dict[str, list[str]]:
    """Every task's independently written answers."""
    pool = {task: [code] for task, code in solutions(LAB).items()}
    for answers in HONEST.values():
        for task, code in answers.items():
            pool[task].append(code)
    path = ROOT / "tests" / "labs" / f"{LAB}_wrong_answers.py"  # by path: benchmarks/labs.py shadows tests/labs
    spec = importlib.util.spec_from_file_location(f"{LAB}_wrong_answers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for wrong in module.WRONG_ANSWERS:
        pool[wrong.cell].append(wrong.code)
    return pool


def honest_student(pool: dict[str, list[str]], rng: random.Random) -> dict[str, str]:
    habits = [habit for habit in HABITS if rng.random() < 0.5]
    answers = {}
    for task, choices in pool.items():
        code = rng.choice(choices)
        for pattern, replacement in habits:
            code = re.sub(pattern, replacement, code, flags=re.MULTILINE)
        if rng.random() < 0.3:
            code += "\n" + rng.choice(CHECKS)
        if rng.random() < 0.3:
            code = with_debug_print(code, rng)
        answers[task] = code
    return answers


def with_debug_print(code: str, rng: random.Random) -> str:
    """The code with a print left in after one of its lines, as students leave them."""
    lines = code.splitlines()
    where = rng.randrange(len(lines))
    indent = re.match(r"\s*", lines[where]).group() + ("    " if lines[where].rstrip().endswith(":") else "")
    return "\n".join([*lines[:where + 1], f'{indent}print("got here", {where})', *lines[where + 1:]])


def disguised(answers: dict[str, str], rng: random.Random) -> dict[str, str]:
    """A copy with every assigned name changed and the two functions of the gradient check swapped."""
    code = "\n".join(answers.values())
    assigned = set(re.findall(r"^\s*(\w+)\s*=[^=]", code, flags=re.MULTILINE)) | set(re.findall(r"\bfor (\w+) in", code))
    names = {name: f"{name}_{rng.choice(['x', 'my', 'tmp', 'v'])}" for name in assigned}
    copy = {task: renamed(text, names) for task, text in answers.items()}
    if copy["gradient_check"].count("\n\n\ndef ") == 1:
        copy["gradient_check"] = functions_swapped(copy["gradient_check"])
    return copy


def executed_notebook(folder: Path):
    """The released lab 7 with the instructor's answers, run once: the outputs a student's run leaves."""
    nb = read_notebook(ROOT / "release" / LAB / f"{LAB}.ipynb")
    answers = solutions(LAB)
    for task, cell in solution_cells(nb).items():
        cell.source = answers[task]
    return execute(nb, cwd=folder)


def course(folder: Path):
    folder.mkdir(parents=True)
    (folder / CONFIG_FILE).write_bytes((ROOT / CONFIG_FILE).read_bytes())
    (folder / "release" / LAB).mkdir(parents=True)
    (folder / "release" / LAB / f"{LAB}.ipynb").write_bytes((ROOT / "release" / LAB / f"{LAB}.ipynb").read_bytes())
    return load_course(folder)


def hand_in(settings, student: str, template, answers: dict[str, str]) -> None:
    for task, cell in solution_cells(template).items():
        cell.source = answers[task]
    submit(settings, student, template, lab=LAB)


def copydetect_loop(settings, students: int, scratch: Path) -> float:
    """Seconds copydetect's CopyDetector takes over the first students' own code, the release as boilerplate."""
    from copydetect import CopyDetector

    release = Release.of(read_notebook(settings.course_dir / "release" / LAB / f"{LAB}.ipynb"))
    notebooks = [(path, THIS_TERM) for path in lab_notebooks(settings.course_dir / "submitted", LAB)[:students]]
    for submission, _ in read_submissions(notebooks, release):
        (scratch / "code" / submission.student).mkdir(parents=True)
        (scratch / "code" / submission.student / "answers.py").write_text(submission.code, encoding="utf-8")
    (scratch / "boilerplate").mkdir()
    (scratch / "boilerplate" / "release.py").write_text(release.code, encoding="utf-8")
    detector = CopyDetector(test_dirs=[str(scratch / "code")], boilerplate_dirs=[str(scratch / "boilerplate")],
                            extensions=["py"], noise_t=NOISE_CHARACTERS, guarantee_t=NOISE_CHARACTERS, silent=True, autoopen=False)
    start = time.perf_counter()
    detector.run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000, help="submissions of this term (default: 1000)")
    parser.add_argument("--past", type=int, default=0, help="submissions of one past term (default: none)")
    parser.add_argument("--copies", type=int, default=10, help="planted disguised copies among them (default: 10)")
    parser.add_argument("--versus-copydetect", type=int, default=0, metavar="N",
                        help="also time copydetect's own pairwise loop on N submissions (default: not)")
    options = parser.parse_args()
    rng, pool = random.Random(2027), answer_pool()
    with tempfile.TemporaryDirectory(prefix="similarity-bench-") as scratch:
        now, before = course(Path(scratch) / "course"), course(Path(scratch) / "past")
        template = executed_notebook(Path(scratch))
        past = {f"p{n:04d}": honest_student(pool, rng) for n in range(options.past)}
        honest = {f"s{n:04d}": honest_student(pool, rng) for n in range(options.students - options.copies)}
        planted = set()
        for n in range(options.copies):
            source = rng.choice(sorted(past)) if past and n % 2 else rng.choice(sorted(honest))
            planted.add(frozenset((f"copier{n:02d}", source)))
            hand_in(now, f"copier{n:02d}", template, disguised((past | honest)[source], rng))
        for student, answers in honest.items():
            hand_in(now, student, template, answers)
        for student, answers in past.items():
            hand_in(before, student, template, answers)
        size = sum(path.stat().st_size for path in (now.course_dir / "submitted").rglob("*.ipynb"))
        print(f"{options.students} submissions of {LAB} ({size / 2**20:.0f} MB), {options.past} of a past term, "
              f"{options.copies} planted copies")

        arguments = ["similarity", LAB, "--course-dir", str(now.course_dir)] + (["--past", str(before.course_dir)] if past else [])
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", COMMAND, *arguments], cwd=ROOT, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        main_cpu, main_kb, readers_cpu, readers_kb = map(float, done.stdout.split()[-4:])
        with open(now.course_dir / "reports" / f"similarity-{LAB}.csv", newline="", encoding="utf-8") as handle:
            scores = {frozenset((row["student_a"], row["student_b"])): float(row["score"]) for row in csv.DictReader(handle)}
        found = [scores[pair] for pair in planted if pair in scores]
        chance = [score for pair, score in scores.items() if pair not in planted]
        print(f"labgrade similarity: {seconds:.1f} s wall (target: under 60 s); CPU {main_cpu:.1f} s in the main process, "
              f"{readers_cpu:.1f} s in the readers; peak memory {main_kb / 1024:.0f} MB main, {readers_kb / 1024:.0f} MB a reader")
        print(f"pairs reported: {len(scores)}; planted copies found: {len(found)} of {len(planted)}"
              + (f", scoring {min(found):.2f} to {max(found):.2f}" if found else ""))
        print(f"other pairs (honest answers drawn from the same few per task): {len(chance)}"
              + (f", scoring at most {max(chance):.2f}" if chance else ""))
        if options.versus_copydetect:
            seconds = copydetect_loop(now, options.versus_copydetect, Path(scratch))
            print(f"copydetect's CopyDetector on {options.versus_copydetect} of them: {seconds:.1f} s")


if __name__ == "__main__":
    main()
