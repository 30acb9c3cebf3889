"""The `labgrade` command: a thin layer that parses arguments, loads the course and calls one stage.

Each subcommand is a function ``cmd_<verb>(settings, args)`` returning an exit code; all the work is
in the stage modules so it can be tested without a shell.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .settings import CourseError, CourseSettings, load_course, scheduler_address


def cmd_schedule(settings: CourseSettings, args) -> int:
    rows = [
        {"lab": lab, "date": settings.lab_dates[lab].isoformat(), "deadline": settings.deadline_for(lab).isoformat()}
        for lab in settings.labs
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['lab']:<6} {row['deadline']}")
    return 0


def cmd_release(settings: CourseSettings, args) -> int:
    from .release import release

    checks = release(settings, args.labs)
    for check in checks:
        status = "ok" if not check.problems else f"{len(check.problems)} PROBLEM(S)"
        print(f"{check.lab}: {check.tasks} graded tests, {check.points} points -> {check.released}: {status}")
        for problem in check.problems:
            print(f"  - {problem}")
    return 1 if any(check.problems for check in checks) else 0


def cmd_autograde(settings: CourseSettings, args) -> int:
    from .autograde import autograde

    summary = autograde(
        settings, args.lab, students=args.student, force=args.force, workers=args.workers,
        require_sandbox=args.require_sandbox, progress=not args.no_progress,
        scheduler=scheduler_address(args.scheduler, "--scheduler") if args.scheduler else None,
    )  # fmt: skip
    print(summary.describe())
    return 0 if not summary.failed else 1


def cmd_roster(settings: CourseSettings, args) -> int:
    from .roster import import_roster

    print(import_roster(settings, args.grade_center).describe())
    return 0


def cmd_collect(settings: CourseSettings, args) -> int:
    from .collect import collect

    report = collect(settings, args.lab, Path(args.zip))
    print(report.describe())
    return 0


def cmd_check(settings: CourseSettings, args) -> int:
    from .check import check_notebook

    report = check_notebook(settings, Path(args.notebook), lab=args.lab)
    print(report.describe())
    return 0 if report.collected else 1


def cmd_marks(settings: CourseSettings, args) -> int:
    from .marks import write_marks

    run = write_marks(settings, args.gradecenter, out=args.out, tab=args.format == "tab",
                      create_missing=args.create_missing, include_flagged=args.include_flagged,
                      changes_only=args.changes_only)
    print(run.describe())
    return 0


def cmd_feedback(settings: CourseSettings, args) -> int:
    from .feedback import write_feedback

    written = write_feedback(settings, args.lab, students=args.student)
    print(written.describe())
    return 0


def cmd_report(settings: CourseSettings, args) -> int:
    from .report import write_report

    path = write_report(settings, marks=args.marks, out=args.out)
    print(f"report written to {path}")
    return 0


def cmd_similarity(settings: CourseSettings, args) -> int:
    from .similarity import write_similarity

    print(write_similarity(settings, args.lab, past=args.past, threshold=args.threshold).describe())
    return 0


def share(text: str) -> float:
    """A threshold given on the command line: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1 (0.5 is half)")
    return value


def cmd_review(settings: CourseSettings, args) -> int:
    from .review import decide, flagged_listing, student_report

    settings.require_lab(args.lab)
    action = "accept" if args.accept else "set" if args.set else "zero" if args.zero else None
    if action is None:
        if args.note or args.by:
            raise CourseError("--note and --by go with a decision: --accept, --set TASK POINTS or --zero all")
        print("\n\n".join(student_report(settings, args.lab, student) for student in args.students)
              if args.students else flagged_listing(settings, args.lab))
        return 0
    if not args.students:
        raise CourseError(f"a decision names the student(s) it is about: labgrade review {args.lab} STUDENT ... --{action} ...")
    task, points = args.set or (None, None)
    for student in args.students:
        print(f"{student} {args.lab}: " + decide(settings, args.lab, student, action, args.note, args.by, task, points).describe())
    return 0


def cmd_demo(settings: CourseSettings, args) -> int:
    from .demo import run_demo

    run_demo(settings, Path(args.out), students=args.students, labs=args.labs)
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given before or after the command, --course-dir is never reset by the other position.
    common.add_argument(
        "--course-dir", default=argparse.SUPPRESS, metavar="DIR", help="folder with nbgrader_config.py, source/, release/ ... (default: .)"
    )
    parser = argparse.ArgumentParser(prog="labgrade", description=__doc__.splitlines()[0], parents=[common])
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    def verb(name: str, handler, help: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    schedule = verb("schedule", cmd_schedule, "print each lab's deadline in local time with its UTC offset")
    schedule.add_argument("--json", action="store_true", help="machine-readable output")

    release = verb("release", cmd_release, "generate the student notebooks in release/ and check them")
    release.add_argument("labs", nargs="*", metavar="LAB", help="labs to release (default: every lab in source/)")

    autograde = verb("autograde", cmd_autograde, "grade every collected submission of a lab")
    autograde.add_argument("lab")
    autograde.add_argument("--student", nargs="+", metavar="ID", help="grade only these students")
    autograde.add_argument("--force", action="store_true", help="regrade submissions already graded")
    autograde.add_argument("--workers", type=int, metavar="N", help="submissions graded at once on this machine (default: its cores)")
    autograde.add_argument("--scheduler", metavar="ADDRESS",
                           help="grade on the workers of this Dask scheduler, e.g. tcp://head-node:8786 (default: c.Course.scheduler)")
    autograde.add_argument("--require-sandbox", action="store_true", help="refuse to run student code without a sandbox")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")

    roster = verb("roster", cmd_roster, "import students from a Grade Center download (.csv or .xls) into the gradebook")
    roster.add_argument("grade_center", metavar="GRADECENTER_FILE")

    collect = verb("collect", cmd_collect, "collect a lab's submissions from a Blackboard assignment download (zip)")
    collect.add_argument("lab")
    collect.add_argument("zip", metavar="ZIP", help="Assignment File Download, all attempts of all students")

    check = verb("check", cmd_check, "check a hand-in as its lab's last cell does, and whether collect would take it as the lab")
    check.add_argument("notebook", metavar="NOTEBOOK", help="the file a student means to upload")
    check.add_argument("--lab", help="the lab it should be (default: the lab whose cells it has)")

    marks = verb("marks", cmd_marks, "Grade Center upload file and marks.csv from the gradebook and a Grade Center download")
    marks.add_argument("gradecenter", metavar="GRADECENTER_FILE", help="the latest Grade Center download (.csv or .xls), or a folder of downloads to take the newest from")
    marks.add_argument("--out", metavar="FILE", help="upload file to write (default: upload.csv, or upload.xls with --format tab)")
    marks.add_argument("--format", choices=("csv", "tab"), default="csv", help="comma-delimited, all quoted (default), or tab-delimited")
    marks.add_argument("--create-missing", action="store_true",
                       help="let the upload create configured columns missing from the download (Blackboard makes them text, 0 points)")
    marks.add_argument("--include-flagged", action="store_true", help="upload students whose work needs review too")
    marks.add_argument("--changes-only", action="store_true",
                       help="the upload holds only students whose marks changed since the last run (its marks.csv)")

    feedback = verb("feedback", cmd_feedback, "per-student HTML feedback for a lab: answers, visible tests, points per task")
    feedback.add_argument("lab")
    feedback.add_argument("--student", nargs="+", metavar="ID", help="only these students")

    report = verb("report", cmd_report, "one self-contained HTML page with plots of the marks, for staff")
    report.add_argument("--marks", metavar="FILE", help="the breakdown `labgrade marks` wrote (default: marks.csv)")
    report.add_argument("--out", metavar="FILE", help="page to write (default: reports/report.html)")

    similarity = verb("similarity", cmd_similarity,
                      "pairs of students whose answers to a lab are alike, as evidence for a person (changes no mark)")
    similarity.add_argument("lab")
    similarity.add_argument("--past", action="append", default=[], metavar="DIR",
                            help="a past term to compare with: its course folder, or a folder of them (repeatable)")
    similarity.add_argument("--threshold", type=share, default=0.6, metavar="SHARE",
                            help="report pairs with at least this share of one's code in the other's (default: %(default)s)")

    review = verb("review", cmd_review, "flagged submissions of a lab; one student's changes and results; a decision, recorded")
    review.add_argument("lab")
    review.add_argument("students", nargs="*", metavar="STUDENT", help="show these students (or decide on them)")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--accept", action="store_true", help="the autograde stands; the flag is cleared")
    decision.add_argument("--set", nargs=2, metavar=("TASK", "POINTS"), help="set one task's points (a test cell's grade id)")
    decision.add_argument("--zero", choices=["all"], help="every task scores 0 (e.g. an academic-misconduct outcome)")
    review.add_argument("--note", metavar="TEXT", help="why: required with a decision, kept in reviews.jsonl")
    review.add_argument("--by", metavar="NAME", help="who decided (default: the OS user)")

    demo = verb("demo", cmd_demo, "run the whole pipeline on a synthetic cohort in a scratch course folder")
    demo.add_argument("--out", default="demo-course", metavar="DIR", help="scratch course folder (default: demo-course)")
    demo.add_argument("--students", type=int, default=24, help="cohort size (default: 24)")
    demo.add_argument("--labs", nargs="+", metavar="LAB", help="labs to run (default: every released lab)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_course(getattr(args, "course_dir", "."))
        return args.handler(settings, args)
    except CourseError as error:
        print(f"labgrade: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("labgrade: interrupted; rerun the same command to carry on", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
