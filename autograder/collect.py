"""`backprop-grade collect`: an LMS zip download into nbgrader's submitted layout.

Each file in the zip is matched, by its path inside the zip (folders separated by '/'),
against a list of regular expressions, the instructor's own (`--pattern`) first, then
PATTERNS below. A pattern must match the whole path and has a named group `student_id`;
it may have `file` (the student's own file name, else the last part of the path) and
`stamp` (an attempt time or submission number: the digits in it order resubmissions).

The assignment is the notebook's file name when it names a known assignment, tolerating
the suffixes that LMSs and browsers add (`01_sigmoid (1).ipynb`, `01_sigmoid-2.ipynb`),
else the `assignment` given. Of several files of one student for one assignment the latest
is kept (by stamp, else by the date stored in the zip). Student ids become safe folder
names: letters, digits, '-', '_' and '.' only (nbgrader fails on '[', ':' or ','); the files
of two ids that would become the same name are left unplaced rather than mixed up.

Nothing is lost: each file is either placed at SUBMITTED/<student_id>/<assignment_id>/
<assignment_id>.ipynb or copied, under its path in the zip, to the unplaced folder (by
default SUBMITTED/../unplaced), and SUBMITTED/../collect_report.csv says which and why.
"""
import csv
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .course import assignments

PATTERNS = [
    # Moodle: "<Full Name>_<participant id>_assignsubmission_file_/<file>", a folder per
    # student, or the same with the folder flattened into the file name.
    r"(?:.*/)?[^/]+_(?P<student_id>\d+)_assignsubmission_[a-z]+_(?:/(?:.*/)?)?(?P<file>[^/]+)",
    # Blackboard: "<Assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>", and the
    # attempt's own "<Assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>.txt".
    r"(?:.*/)?[^/]+_(?P<student_id>[^/_]+)_attempt_(?P<stamp>\d{4}(?:-\d\d){5})(?:_(?P<file>[^/]+)|[^/]*)",
    # Canvas: "<studentname>_<user id>_<submission id>_<file>", late ones "<studentname>_LATE_<user id>_...".
    r"(?:.*/)?[^/_]+_(?:LATE_)?(?P<student_id>\d+)_(?P<stamp>\d+)_(?P<file>[^/]+)",
    # Plain: "<student_id>/<file>".
    r"(?P<student_id>[^/]+)/(?P<file>[^/]+)",
]
REPORT_HEADER = ["entry", "outcome", "student_id", "assignment_id", "destination", "note"]
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Entry:
    """A file of the zip and where it goes."""
    info: zipfile.ZipInfo
    outcome: str = "unplaced"  # placed, superseded or unplaced
    raw_id: str = ""            # the student id as the pattern found it
    student_id: str = ""
    assignment_id: str = ""
    stamp: tuple = ()
    destination: Path = None
    note: str = ""

    @property
    def name(self):
        return self.info.filename

    @property
    def order(self):
        """Later submissions sort last: by stamp, then by the date stored in the zip."""
        return self.stamp, self.info.date_time


def compile_patterns(extra=()):
    """The instructor's patterns, then the built-in ones; raises ValueError for a bad one."""
    compiled = []
    for pattern in [*extra, *PATTERNS]:
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise ValueError(f"The pattern {pattern!r} is not a regular expression: {error}.") from None
        if "student_id" not in regex.groupindex:
            raise ValueError(f"The pattern {pattern!r} has no named group (?P<student_id>...).")
        compiled.append(regex)
    return compiled


def safe_id(raw):
    """A student id usable as a folder name: accents dropped, other characters replaced by '_'."""
    ascii_id = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    return UNSAFE.sub("_", ascii_id).strip("._")


def assignment_of(file_name, known):
    """The known assignment a notebook's file name names, allowing copy suffixes, or None."""
    stem = PurePosixPath(file_name).stem
    for assignment_id in known:
        if re.fullmatch(re.escape(assignment_id) + r"(?:\s*\(\d+\)|[ _-]\d+)*", stem, re.IGNORECASE):
            return assignment_id
    return None


def collect(archive, submitted, unplaced=None, patterns=(), assignment=None, log=print):
    """Sort the zip `archive` into `submitted`; returns the report rows, one per file."""
    submitted = Path(submitted)
    unplaced = Path(unplaced) if unplaced else submitted.parent / "unplaced"
    regexes, known = compile_patterns(patterns), assignments()
    with zipfile.ZipFile(archive) as zf:
        entries = [_identify(Entry(info), regexes, known, assignment)
                   for info in zf.infolist() if not info.is_dir()]
        _refuse_clashing_ids(entries)
        _keep_latest(entries)
        taken = set()
        for entry in entries:
            if entry.outcome == "placed":
                entry.destination = submitted / entry.student_id / entry.assignment_id / f"{entry.assignment_id}.ipynb"
            else:
                entry.destination = _free_path(unplaced, entry.name, taken)
            entry.destination.parent.mkdir(parents=True, exist_ok=True)
            entry.destination.write_bytes(zf.read(entry.info))
    rows = [{"entry": e.name, "outcome": e.outcome, "student_id": e.student_id, "assignment_id": e.assignment_id,
             "destination": str(e.destination), "note": e.note} for e in entries]
    report = submitted.parent / "collect_report.csv"
    with open(report, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=REPORT_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    _summarise(entries, submitted, unplaced, report, log)
    return rows


def _identify(entry, regexes, known, assignment):
    """Fill in the entry's student and assignment, or say why it cannot be placed."""
    path = entry.name.replace("\\", "/")
    if any(part.startswith(".") or part == "__MACOSX" for part in path.split("/")):
        entry.note = "not a submission: a hidden or macOS metadata file"
        return entry
    match = next((m for regex in regexes if (m := regex.fullmatch(path))), None)
    if match is None:
        entry.note = "the path matches no file-name pattern (add one with --pattern)"
        return entry
    groups = match.groupdict()
    file_name = groups.get("file") or PurePosixPath(path).name
    entry.raw_id = raw_id = groups["student_id"]
    entry.student_id = safe_id(raw_id)
    entry.stamp = tuple(int(d) for d in re.findall(r"\d+", groups.get("stamp") or ""))
    assignment_id = assignment_of(file_name, known) or assignment
    if not file_name.lower().endswith(".ipynb"):
        entry.note = f"not a notebook: {file_name}"
    elif not entry.student_id:
        entry.note = f"the student id {raw_id!r} has no letter or digit to name a folder with"
    elif assignment_id is None:
        entry.note = f"{file_name} names no known assignment ({', '.join(known)}); give --assignment ID"
    else:
        entry.outcome, entry.assignment_id = "placed", assignment_id
        if entry.student_id != raw_id:
            entry.note = f"student id {raw_id!r} made a safe folder name"
    return entry


def _refuse_clashing_ids(entries):
    """Unplace the files of different students whose ids became the same folder name."""
    raw_ids = defaultdict(set)
    for entry in entries:
        if entry.outcome == "placed":
            raw_ids[entry.student_id].add(entry.raw_id)
    for entry in entries:
        if entry.outcome == "placed" and len(raw_ids[entry.student_id]) > 1:
            clash = " and ".join(f'"{r}"' for r in sorted(raw_ids[entry.student_id]))
            entry.outcome, entry.assignment_id = "unplaced", ""
            entry.note = (f"the student ids {clash} both become {entry.student_id}; "
                          "add a --pattern that tells them apart")


def _keep_latest(entries):
    """Of several files of one student for one assignment, keep the latest; mark the others."""
    groups = defaultdict(list)
    for entry in entries:
        if entry.outcome == "placed":
            groups[entry.student_id, entry.assignment_id].append(entry)
    for group in groups.values():
        *older, latest = sorted(group, key=lambda e: e.order)
        for entry in older:
            entry.outcome = "superseded"
            entry.note = f"a later file of this student for this assignment was kept: {latest.name}"


def _free_path(folder, entry_name, taken):
    """Where an unplaced entry goes: its path in the zip under `folder`, made safe and unique."""
    parts = [p for p in entry_name.replace("\\", "/").split("/") if p not in ("", ".", "..")] or ["unnamed"]
    path = folder.joinpath(*parts)
    n = 1
    while path in taken:
        n += 1
        path = path.with_name(f"{PurePosixPath(parts[-1]).stem}~{n}{PurePosixPath(parts[-1]).suffix}")
    taken.add(path)
    return path


def _summarise(entries, submitted, unplaced, report, log):
    """Tell the instructor what went where, the files that need a look first."""
    placed = [e for e in entries if e.outcome == "placed"]
    log(f"Placed {len(placed)} notebooks of {len({e.student_id for e in placed})} students in {submitted}.")
    renamed = sorted({(e.raw_id, e.student_id) for e in placed if e.raw_id != e.student_id})
    if renamed:
        log("Student ids changed into safe folder names:")
        for raw_id, student_id in renamed:
            log(f'  "{raw_id}" -> {student_id}')
    superseded = [e for e in entries if e.outcome == "superseded"]
    if superseded:
        log(f"Resubmissions: kept the latest file; {len(superseded)} older ones copied to {unplaced}:")
        for e in superseded:
            log(f"  {e.student_id}/{e.assignment_id}: {e.name}")
    left = [e for e in entries if e.outcome == "unplaced"]
    if left:
        log(f"Could not place {len(left)} files; copied to {unplaced}:")
        for e in left:
            log(f"  {e.name}: {e.note}")
    log(f"Every file of the zip is listed in {report}.")
