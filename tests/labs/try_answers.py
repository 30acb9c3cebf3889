"""Grade a lab's answers one by one, for whoever is writing them: each in the instructor's notebook alone.

    .venv/bin/python tests/labs/try_answers.py lab5 [answer cell ...]

Every correct alternative and wrong answer of tests/labs/<lab>_answers.py (only those of the named
cells, if any), and each named cell's stub, goes into a copy of the instructor's notebook, and the
batch is graded by the real autograder, sandbox and judge (the source/ of this checkout, released in
a scratch folder). It prints, per answer, what each test gave and whether that is what it must give.
The suite's own proof is tests/test_lab_answers.py, which hands them in combined.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parents[2])]

from autograde_fixtures import answered, make_course, released, submit  # noqa: E402
from labharness import Handed, Stub, answers  # noqa: E402

from grading.autograde import autograde, autograded_folder  # noqa: E402
from grading.notebooks import answer_code, read_notebook, solution_cells, task_answers  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab")
    parser.add_argument("cells", nargs="*")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    settings = make_course(Path(tempfile.mkdtemp(prefix=f"try-{args.lab}-")), args.lab)
    stubs = {cell: answer_code(c.source) for cell, c in solution_cells(released(settings, args.lab)).items()}
    correct, wrong = answers(args.lab)
    chosen = [a for a in [*correct, *wrong] if not args.cells or a.cell in args.cells]
    chosen += [Stub(cell, stubs[cell]) for cell in args.cells]
    tests = task_answers(read_notebook(settings.course_dir / "source" / args.lab / f"{args.lab}.ipynb"))
    handed = [Handed(f"try{i:03d}", {a.cell: a}) for i, a in enumerate(chosen)]
    submit(settings, "instructor", answered(settings, lab=args.lab), lab=args.lab)
    for h in handed:
        submit(settings, h.student, answered(settings, h.codes(), args.lab), lab=args.lab)
    summary = autograde(settings, args.lab, workers=args.workers, require_sandbox=True, progress=True)
    if summary.errors:
        print("not graded:", summary.errors)
    bad = 0
    for h in [Handed("instructor"), *handed]:
        records = json.loads((autograded_folder(settings.course_dir, h.student, args.lab) / "tests.json").read_text())
        expected = h.expected(tests)
        print(f"\n{h.student}: {h.describe(list(h.cells))}" if h.cells else "\ninstructor")
        for test, record in records.items():
            must = expected.get(test)
            ok = must is None or record["passed"] == must
            bad += not ok
            print(f"  {'  ' if ok else '!!'} {test}: {'passed' if record['passed'] else 'failed'}"
                  f"{'' if must is None else ' (must ' + ('pass' if must else 'fail') + ')'}"
                  f"{'' if record['passed'] else ': ' + str(record['error'])[:200]}")
    print(f"\n{bad} test outcomes not as they must be; course folder {settings.course_dir}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
