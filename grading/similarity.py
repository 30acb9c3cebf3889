"""Similarity: which submissions of a lab share their code, as evidence for a person; never a mark.

Only what a student wrote counts: their answer cells and the cells they added, less every line the
released notebook already has. copydetect (the winnowing approach of MOSS) reads that code as Python
tokens with names and strings folded (a renamed variable still matches), fingerprints it by k-grams
and drops the fingerprints of the released code, so starter code never makes two students alike. A
pair's score is the larger share of one submission's fingerprints found in the other; all pairs of a
cohort come from one sparse matrix product, as copydetect's own loop over pairs is too slow for a
thousand submissions. copydetect then marks the shared code of each reported pair for the page.

Student notebooks are hostile input: they are read as data and never run, a broken one is listed
rather than stopping the run, and their text is escaped on the page.
"""

from __future__ import annotations

import csv
import html
import io
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import filter_code, highlight_overlap
from scipy import sparse

from .feedback import page
from .files import write_atomically
from .notebooks import nbgrader_meta, read_notebook
from .release import released_notebook
from .settings import CourseError, CourseSettings

# Characters of folded code (``V=V.V(V)``: about a third of the source) a match must span to count.
NOISE_CHARACTERS = 25
# A pair sharing fewer fingerprints than this (about four lines of code) is never reported: a few
# lines everyone writes alike are no evidence, even when they are all a short submission holds.
MIN_SHARED = 50
MAX_CHARACTERS = 100_000  # of one student's code; real answers are a few thousand
MAX_SIDE_BY_SIDE = 500  # pairs shown in full on the page (a low threshold can find thousands); the CSV has all
THIS_TERM = "this term"


@dataclass(frozen=True)
class Submission:
    student: str
    term: str  # THIS_TERM, or the past course folder it came from
    code: str  # the student's own code: answer cells and added cells, released lines left out
    folded: str  # copydetect's form of it: names, strings, spaces and comments folded away
    offsets: np.ndarray  # copydetect's map from positions in folded back to positions in code

    @property
    def label(self) -> str:
        return self.student if self.term == THIS_TERM else f"{self.student} ({self.term})"


@dataclass(frozen=True)
class Pair:
    a: Submission  # always this term's
    b: Submission
    a_in_b: float  # share of a's fingerprints also in b
    b_in_a: float

    @property
    def score(self) -> float:
        return max(self.a_in_b, self.b_in_a)


@dataclass(frozen=True)
class SimilarityRun:
    lab: str
    threshold: float
    compared: int  # submissions of this term
    past: int  # submissions of past terms
    past_dirs: list[str]  # as given
    pairs: list[Pair]
    unreadable: list[str]  # one line per notebook left out, naming it and why
    html_path: Path
    csv_path: Path

    def describe(self) -> str:
        past = f" and with {self.past} of past terms" if self.past else ""
        lines = [
            f"{self.lab}: {self.compared} submissions compared with each other{past}; "
            f"{len(self.pairs)} pair(s) at or above {self.threshold:.0%}",
            f"  written: {self.html_path} and {self.csv_path}",
        ]
        lines += [f"  left out: {problem}" for problem in self.unreadable]
        return "\n".join(lines)


# --- the student's own code (pure) --------------------------------------------------------------------


def grade_id(cell) -> str | None:
    """A cell's nbgrader grade id, or None; a student's notebook may hold anything in its metadata."""
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    found = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return found if isinstance(found, str) else None


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str)]


@dataclass(frozen=True)
class Release:
    """What the released notebook gives every student: the cells they did not write, and its code."""

    given_ids: frozenset[str]  # grade ids of its code and test cells (not the answer cells)
    lines: frozenset[str]  # every line of its code cells, as line_key has it
    code: str

    @classmethod
    def of(cls, nb) -> Release:
        cells = code_cells(nb)
        given = {grade_id(cell) for cell in cells if not nbgrader_meta(cell).get("solution")}
        lines = {line_key(line) for cell in cells for line in cell.source.splitlines()} - {""}
        return cls(frozenset(given - {None}), frozenset(lines), "\n\n".join(cell.source for cell in cells))


def line_key(line: str) -> str:
    """A line without its spaces: released code pasted with other spacing is still released code."""
    return "".join(line.split())


def own_code(nb, release: Release) -> str:
    """The code a student wrote: every code cell but the released given and test cells, without the
    lines the release has (stubs, signatures, docstrings), each cell under a comment naming it."""
    parts = []
    for number, cell in enumerate(code_cells(nb), start=1):
        name = grade_id(cell)
        if name in release.given_ids:
            continue
        lines = [line for line in cell.source.splitlines() if line_key(line) and line_key(line) not in release.lines]
        if lines:
            parts.append(f"# [{name or f'added cell {number}'}]\n" + "\n".join(lines))
    return "\n\n".join(parts)


# --- scoring (pure) -----------------------------------------------------------------------------------


def fold(code: str) -> tuple[str, np.ndarray]:
    """copydetect's tokenised form of Python code, and its offsets back to the code: the slow part."""
    return filter_code(code, "answer.py", "python")


def fingerprint(submission: Submission, boilerplate: np.ndarray) -> CodeFingerprint:
    """copydetect's fingerprints of a submission (every k-gram: answers are short), boilerplate dropped.

    They are Python string hashes, which differ between processes, so they are made here, from the
    folded code the readers made in parallel; the code and offsets are set as CodeFingerprint itself
    sets them when it folds, for copydetect to mark the shared code on the page."""
    prints = CodeFingerprint("answer.py", NOISE_CHARACTERS, 1, boilerplate, filter=False, fp=io.StringIO(submission.folded))
    prints.raw_code, prints.offsets = submission.code, submission.offsets
    return prints


def boilerplate_hashes(release: Release) -> np.ndarray:
    released = CodeFingerprint("release.py", NOISE_CHARACTERS, 1, language="python", fp=io.StringIO(release.code))
    return np.unique(np.array(sorted(released.hashes), dtype=np.int64))


def shared_counts(prints: list[set[int]], rows: int) -> np.ndarray:
    """How many fingerprints each of the first ``rows`` sets shares with each set: one sparse product."""
    arrays = [np.fromiter(hashes, dtype=np.int64, count=len(hashes)) for hashes in prints]
    flat = np.concatenate(arrays) if arrays else np.array([], dtype=np.int64)
    if not flat.size:
        return np.zeros((rows, len(prints)), dtype=np.int32)
    _, columns = np.unique(flat, return_inverse=True)
    owner = np.repeat(np.arange(len(prints)), [len(a) for a in arrays])
    matrix = sparse.csr_matrix((np.ones(flat.size, dtype=np.int32), (owner, columns)), shape=(len(prints), columns.max() + 1))
    return (matrix[:rows] @ matrix.T).toarray()


def similar_pairs(prints: list[set[int]], current: int, threshold: float) -> list[tuple[int, int, float, float]]:
    """(i, j, share of i's fingerprints in j, share of j's in i) for every pair whose larger share is at
    least ``threshold``, best first. The first ``current`` sets are this term's: pairs of two past
    submissions are not looked at."""
    shared = shared_counts(prints, current)
    sizes = np.array([len(p) for p in prints])
    smaller = np.minimum(sizes[:current, None], sizes[None, :])
    later = np.arange(len(prints))[None, :] > np.arange(current)[:, None]  # each pair once, never with itself
    keep = later & (shared >= MIN_SHARED) & (shared >= threshold * smaller)  # the larger share >= threshold
    found = [(int(i), int(j), shared[i, j] / sizes[i], shared[i, j] / sizes[j]) for i, j in zip(*np.nonzero(keep))]
    return sorted(found, key=lambda pair: (-max(pair[2], pair[3]), pair[0], pair[1]))


# --- what staff read (pure) ---------------------------------------------------------------------------


def highlighted(first: CodeFingerprint, second: CodeFingerprint) -> tuple[str, str]:
    """Both codes as escaped HTML with the parts they share marked."""
    _, _, (slices_first, slices_second) = compare_files(first, second)
    return marked(first.raw_code, slices_first), marked(second.raw_code, slices_second)


def marked(code: str, slices: np.ndarray) -> str:
    if not np.size(slices):  # copydetect returns such text unescaped
        return html.escape(code)
    return highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)[0]


STYLE = """body { max-width: 110rem; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.sides pre { background: #f6f6f6; padding: .5rem; white-space: pre-wrap; }
mark { background: #ffd27f; }"""


def similarity_html(run: SimilarityRun, sides: list[tuple[str, str]]) -> str:
    """The staff page: what was compared, the pairs as a table, then side by side the first pairs, whose
    code with the shared parts marked is ``sides``."""
    past = f" and with {run.past} submissions of past terms ({html.escape(', '.join(run.past_dirs))})" if run.past_dirs else ""
    parts = [
        f"<h1>{html.escape(run.lab)}: similar answers</h1>",
        '<p class="note">Evidence for a person to weigh, not a verdict: no mark is changed. '
        f"{run.compared} submissions of this term were compared with each other{past}. Only the code students "
        "wrote counts: answer cells and cells they added, without the lines of the released notebook. A pair's "
        "score is the larger share of one submission's code also found in the other, with names and strings "
        f"ignored (renaming a variable changes nothing). Pairs scoring at least {run.threshold:.0%}: "
        f"{len(run.pairs)}.</p>",
    ]
    if run.unreadable:
        parts += ["<h2>Notebooks left out</h2><ul>", *(f"<li>{html.escape(line)}</li>" for line in run.unreadable), "</ul>"]
    if not run.pairs:
        return page(f"{run.lab}: similar answers", "\n".join([*parts, "<p>No pair reaches the threshold.</p>"]), STYLE)
    parts.append("<table><tr><th>#</th><th>student</th><th>other</th><th>score</th><th>student's code in the other's</th>"
                 "<th>other's code in the student's</th></tr>")
    for number, pair in enumerate(run.pairs, start=1):
        name = f'<a href="#pair-{number}">{number}</a>' if number <= len(sides) else str(number)
        parts.append(f"<tr><td>{name}</td><td>{html.escape(pair.a.label)}</td><td>{html.escape(pair.b.label)}</td>"
                     f"<td>{pair.score:.0%}</td><td>{pair.a_in_b:.0%}</td><td>{pair.b_in_a:.0%}</td></tr>")
    parts.append("</table>")
    if len(sides) < len(run.pairs):
        parts.append(f'<p class="note">The first {len(sides)} pairs are shown side by side below; '
                     "raise the threshold to see fewer.</p>")
    for number, (pair, (first, second)) in enumerate(zip(run.pairs, sides), start=1):
        parts += [
            f'<h2 id="pair-{number}">{number}. {html.escape(pair.a.label)} and {html.escape(pair.b.label)}: '
            f"{pair.score:.0%}</h2>",
            '<div class="sides">',
            f"<div><h3>{html.escape(pair.a.label)}</h3><pre>{first}</pre></div>",
            f"<div><h3>{html.escape(pair.b.label)}</h3><pre>{second}</pre></div>",
            "</div>",
        ]
    return page(f"{run.lab}: similar answers", "\n".join(parts), STYLE)


CSV_FIELDS = ["student_a", "student_b", "term_b", "score", "a_in_b", "b_in_a"]


def similarity_csv(pairs: list[Pair]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for pair in pairs:
        shares = (pair.score, pair.a_in_b, pair.b_in_a)
        writer.writerow([pair.a.student, pair.b.student, pair.b.term, *(f"{share:.2f}" for share in shares)])
    return out.getvalue()


# --- reading submissions and writing the reports (I/O) ------------------------------------------------


def submitted_trees(past_dir: Path) -> list[Path]:
    """A past term's ``submitted/`` folder, or those of the course folders inside ``past_dir``."""
    if (past_dir / "submitted").is_dir():
        return [past_dir / "submitted"]
    trees = sorted(path for path in past_dir.glob("*/submitted") if path.is_dir())
    if not trees:
        raise CourseError(f"{past_dir}: no submitted/ folder in it or in its subfolders: pass a past term's course folder")
    return trees


def read_submission(path: Path, term: str, release: Release) -> tuple[Submission | None, str | None]:
    """A notebook's submission (read as data, never run), and what is wrong with it if anything."""
    try:
        code = own_code(read_notebook(path), release)
    except CourseError as error:
        return None, str(error)
    problem = None
    if len(code) > MAX_CHARACTERS:
        problem = f"{path}: {len(code)} characters of code; only the first {MAX_CHARACTERS} compared"
        code = code[:MAX_CHARACTERS]
    return Submission(path.parent.parent.name, term, code, *fold(code)), problem


def read_submissions(notebooks: list[tuple[Path, str]], release: Release) -> list[tuple[Submission | None, str | None]]:
    """read_submission of each (path, term), in order. Parsing notebooks and tokenising are most of the
    work, so every core reads."""
    if not notebooks:
        return []
    with ProcessPoolExecutor() as pool:
        return list(pool.map(read_submission, *zip(*notebooks), repeat(release), chunksize=16))


def lab_notebooks(tree: Path, lab: str) -> list[Path]:
    """Every ``<student>/<lab>/<lab>.ipynb`` in a submitted tree."""
    return sorted(tree.glob(f"*/{lab}/{lab}.ipynb"))


def write_similarity(settings: CourseSettings, lab: str, past: list[str | Path], threshold: float) -> SimilarityRun:
    """`labgrade similarity`: reports/similarity-<lab>.html and .csv, from submitted/ and past terms;
    ``threshold`` is the least score a pair is reported with (`--threshold`)."""
    settings.require_lab(lab)
    release = Release.of(read_notebook(released_notebook(settings.course_dir, lab)))
    notebooks = [(path, THIS_TERM) for path in lab_notebooks(settings.course_dir / "submitted", lab)]
    if not notebooks:
        raise CourseError(f"{settings.course_dir / 'submitted'}: no */{lab}/{lab}.ipynb; "
                          f"run `labgrade collect {lab} ZIP` first")
    this_term = len(notebooks)
    for past_dir in past:
        notebooks += [(path, str(tree.parent)) for tree in submitted_trees(Path(past_dir)) for path in lab_notebooks(tree, lab)]
    read = read_submissions(notebooks, release)
    current = [found for found, _ in read[:this_term] if found]
    earlier = [found for found, _ in read[this_term:] if found]
    unreadable = [problem for _, problem in read if problem]
    everyone = current + earlier

    boilerplate = boilerplate_hashes(release)
    prints = [fingerprint(submission, boilerplate) for submission in everyone]
    found = similar_pairs([p.hashes for p in prints], len(current), threshold)
    pairs = [Pair(everyone[i], everyone[j], i_in_j, j_in_i) for i, j, i_in_j, j_in_i in found]
    sides = [highlighted(prints[i], prints[j]) for i, j, *_ in found[:MAX_SIDE_BY_SIDE]]

    reports = settings.course_dir / "reports"
    run = SimilarityRun(lab, threshold, len(current), len(earlier), [str(p) for p in past], pairs, unreadable,
                        reports / f"similarity-{lab}.html", reports / f"similarity-{lab}.csv")
    write_atomically(run.html_path, similarity_html(run, sides))
    write_atomically(run.csv_path, similarity_csv(pairs))
    return run
