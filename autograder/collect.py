"""`backprop-grade collect`: an LMS zip download into nbgrader's submitted layout.

Reading a path. Each file in the zip is read by its path inside the zip (folders separated
by '/'; a '\\' counts as '/'): by the instructor's own patterns (`--pattern`) if one matches,
the first that does; else by the LMS patterns of LMS_PATTERNS; else by PLAIN,
`<student_id>/<file>`. A pattern must match the whole path and has a named group
`student_id`; it may have `file` (the student's own file name, else the last part of the
path), `stamp` (an attempt time or submission number: the digits in it order
resubmissions), `name` (the student's name) and `late` (matched when the LMS marked the
submission late).

The student chooses only the name of the file they upload (and, in Moodle, folders inside
their own folder), never the prefix the LMS writes before it. So each LMS pattern reads the
LMS's fixed structure from the left, anchored at the start of the path, and takes the
student from that prefix alone:

- Canvas: `name[_LATE]_userid_fileid_file`. Canvas writes the sortable name
  lowercased with everything but letters and digits removed, and `LATE` (older Canvas) or
  `late`. A name with an underscore is not read as Canvas.
- Moodle: `Full Name_participantid_assignsubmission_<plugin>_` then `/file` (a folder per
  student; the student may make folders inside it) or `file` (flattened). Moodle replaces
  '_' in the name by a space, so the name ends at the first '_'.
- Blackboard: `Assignment_user_attempt_<yyyy-mm-dd-hh-mm-ss>_file`, and the attempt's
  receipt `..._attempt_<date>.txt`. The assignment name may hold '_', so the student is
  the part before the FIRST `_attempt_<date>`, back to the '_' before it (a user name
  with '_' is read short, and the check below catches two users read as one).

Blackboard's anchor is the only one not at the start of the path, and a student's file name
can make a Canvas or Moodle path look like a Blackboard one: a path that two LMS patterns
read as different students is left unplaced. The files of one student folder must all come
from one sender (the path up to the student id, late marker aside): when they do not (two
names with one id, two ids that become one folder name, ...) none of them is placed.

The zip itself. Paths that are absolute or have an empty, '.' or '..' part, names held by
several entries, and a file and a folder of the same name are reported and never placed.
What is extracted is capped (`Limits`): a file's uncompressed size, its compression ratio
(for files over RATIO_FLOOR bytes), and the total; files over a cap, compressed other than
stored or deflated, or unreadable are not extracted and are reported as skipped. Python's
zipfile stops a file at the size its entry declares, so the caps hold for a zip that lies.

The assignment is the notebook's file name when it names a known assignment, tolerating
the suffixes that LMSs and browsers add (`01_sigmoid (1).ipynb`, `01_sigmoid-2.ipynb`),
else the `assignment` given. Of several files of one student for one assignment the latest
is kept (by stamp, else by the date stored in the zip). Student ids become safe folder
names: letters, digits, '-', '_' and '.' only (nbgrader fails on '[', ':' or ',').

Nothing is lost silently: each file is placed at SUBMITTED/<student_id>/<assignment_id>/
<assignment_id>.ipynb, beside a collect.json ({"name": the student's name or null,
"late": true|false, "entry": its path in the zip}); or copied, under its path in the zip, to
the unplaced folder (by default SUBMITTED/../unplaced); or skipped. SUBMITTED/../
collect_report.csv says which and why, with the student's name and the late marker.
"""
import csv
import itertools
import json
import re
import shutil
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .course import assignments

LMS_PATTERNS = {
    "Canvas": r"(?P<name>[^\W_A-Z]+)(?P<late>_LATE|_late)?_(?P<student_id>\d+)_(?P<stamp>\d+)_(?P<file>[^/]+)",
    "Moodle": r"(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_[a-z]+_(?:[^/]*/)*(?P<file>[^/]+)",
    "Blackboard": r"[^/]*?_(?P<student_id>[^_/]+)_attempt_(?P<stamp>\d{4}(?:-\d\d){5})(?:_(?P<file>[^/]+)|\.txt)",
}
LMS = {lms: re.compile(pattern) for lms, pattern in LMS_PATTERNS.items()}
PLAIN = re.compile(r"(?P<student_id>[^/]+)/(?P<file>[^/]+)")
REPORT_HEADER = ["entry", "outcome", "student_id", "assignment_id", "destination", "note", "name", "late"]
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MB = 1_000_000
RATIO_FLOOR = MB  # a smaller file cannot do harm however well it compresses
EXTRACTED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class Limits:
    """What one collect extracts at most: bytes per file and in all, and compression ratio."""
    file_bytes: int
    total_bytes: int
    ratio: float


@dataclass
class Entry:
    """A file of the zip and where it goes."""
    info: zipfile.ZipInfo
    outcome: str = "unplaced"  # placed, superseded, unplaced or skipped (not extracted)
    raw_id: str = ""            # the student id as the pattern found it
    student_id: str = ""
    sender: str = ""            # the path up to the student id, without the late marker
    name: str = ""
    late: bool = False
    assignment_id: str = ""
    stamp: tuple = ()
    destination: Path = None
    note: str = ""

    @property
    def name_in_zip(self):
        """The entry's name exactly as the zip holds it."""
        return self.info.filename

    @property
    def path(self):
        """The entry's path with '/' between folders."""
        return self.info.filename.replace("\\", "/")

    @property
    def order(self):
        """Later submissions sort last: by stamp, then by the date stored in the zip."""
        return self.stamp, self.info.date_time


def compile_patterns(extra):
    """The instructor's patterns, compiled; raises ValueError for a bad one."""
    compiled = []
    for pattern in extra:
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


def collect(archive, submitted, limits, unplaced=None, patterns=(), assignment=None, log=print):
    """Sort the zip `archive` into `submitted`, extracting no more than `limits` allow;
    returns the report rows, one per file."""
    submitted = Path(submitted)
    unplaced = Path(unplaced) if unplaced else submitted.parent / "unplaced"
    own, known = compile_patterns(patterns), assignments()
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        entries = [Entry(info) for info in infos if not info.is_dir()]
        names, folders = Counter(e.path for e in entries), _folders(infos)
        for entry in entries:
            if skip := _not_extracted(entry.info, limits):
                entry.outcome, entry.note = "skipped", skip
            elif problem := _zip_problem(entry.path, names, folders):
                entry.note = problem
            else:
                _identify(entry, own, known, assignment)
        _refuse_shared_folders(entries)
        _keep_latest(entries)
        _cap_total(entries, limits.total_bytes)
        taken = {}
        for entry in entries:
            if entry.outcome == "placed":
                folder = submitted / entry.student_id / entry.assignment_id
                entry.destination = folder / f"{entry.assignment_id}.ipynb"
            elif entry.outcome != "skipped":
                entry.destination = _free_path(unplaced, entry.path, taken)
            if entry.destination is not None:
                _extract(zf, entry)
    rows = [{"entry": e.name_in_zip, "outcome": e.outcome, "student_id": e.student_id,
             "assignment_id": e.assignment_id, "destination": str(e.destination or ""), "note": e.note,
             "name": e.name, "late": "yes" if e.late else ""} for e in entries]
    report = submitted.parent / "collect_report.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    with open(report, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=REPORT_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    _summarise(entries, submitted, unplaced, report, log)
    return rows


def _folders(infos):
    """Every folder the zip's paths name: folder entries and the parents of every entry."""
    folders = set()
    for info in infos:
        parts = info.filename.replace("\\", "/").rstrip("/").split("/")
        depth = len(parts) if info.is_dir() else len(parts) - 1
        folders.update("/".join(parts[:n]) for n in range(1, depth + 1))
    return folders


def _not_extracted(info, limits):
    """Why a file of the zip is not to be extracted at all, or ''."""
    if info.compress_type not in EXTRACTED:
        return f"not extracted: compressed with method {info.compress_type}; collect reads only stored or deflated files"
    if info.file_size > limits.file_bytes:
        return (f"not extracted: {info.file_size / MB:g} MB uncompressed, over the {limits.file_bytes / MB:g} MB "
                "a file may have (--max-file-mb)")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > limits.ratio:
        return (f"not extracted: compressed {ratio:.0f} to 1, more than --max-ratio {limits.ratio:g} "
                "allows (a zip bomb?)")
    return ""


def _zip_problem(path, names, folders):
    """What makes a path of the zip unfit to place (never what the student named the file), or ''."""
    parts = path.split("/")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path) or {"", ".", ".."} & set(parts):
        return "the path in the zip is absolute or has an empty, '.' or '..' part"
    if names[path] > 1:
        return f"the zip holds {names[path]} files named {path}; none was placed"
    if path in folders:
        return f"the zip holds both a file and a folder named {path}"
    return ""


def _read_path(path, own):
    """The match that says whose a path is, or (None, why not)."""
    for regex in own:
        if match := regex.fullmatch(path):
            return match, ""
    readings = {lms: match for lms, regex in LMS.items() if (match := regex.fullmatch(path))}
    if len({match["student_id"] for match in readings.values()}) > 1:
        both = " and as ".join(f'{lms} student "{match["student_id"]}"' for lms, match in readings.items())
        return None, f"the path reads as {both}; add a --pattern for this zip"
    if readings:
        return next(iter(readings.values())), ""
    if match := PLAIN.fullmatch(path):
        return match, ""
    return None, "the path matches no file-name pattern (add one with --pattern)"


def _sender(match):
    """Who sent a file as the LMS wrote it: the path up to the student id, without the late marker."""
    end = match.end("student_id")
    start, stop = match.span("late") if "late" in match.re.groupindex else (-1, -1)
    if 0 <= start and stop <= end:
        return match.string[:start] + match.string[stop:end]
    return match.string[:end]


def _identify(entry, own, known, assignment):
    """Fill in the entry's student and assignment, or say why it cannot be placed."""
    path = entry.path
    if any(part.startswith(".") or part == "__MACOSX" for part in path.split("/")):
        entry.note = "not a submission: a hidden or macOS metadata file"
        return
    match, why_not = _read_path(path, own)
    if match is None:
        entry.note = why_not
        return
    groups = match.groupdict()
    file_name = groups.get("file") or PurePosixPath(path).name
    entry.raw_id = raw_id = groups["student_id"]
    entry.student_id, entry.sender = safe_id(raw_id), _sender(match)
    entry.name, entry.late = groups.get("name") or "", bool(groups.get("late"))
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


def _refuse_shared_folders(entries):
    """Unplace the files of a student folder that come from more than one sender."""
    senders = defaultdict(set)
    for entry in entries:
        if entry.outcome == "placed":
            senders[entry.student_id].add(entry.sender)
    for entry in entries:
        if entry.outcome == "placed" and len(senders[entry.student_id]) > 1:
            who = " and ".join(f'"{s}"' for s in sorted(senders[entry.student_id]))
            entry.outcome, entry.assignment_id = "unplaced", ""
            entry.note = (f"files from {who} would all go to student {entry.student_id}; none was placed "
                          "(add a --pattern that tells them apart)")


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
            entry.note = f"a later file of this student for this assignment was kept: {latest.name_in_zip}"


def _cap_total(entries, total_bytes):
    """Skip the files past `total_bytes` in all, the notebooks to place counted first."""
    used = 0
    for entry in sorted((e for e in entries if e.outcome != "skipped"), key=lambda e: e.outcome != "placed"):
        if used + entry.info.file_size > total_bytes:
            entry.outcome, entry.assignment_id = "skipped", ""
            entry.note = (f"not extracted: the {total_bytes / MB:g} MB the whole zip may expand to "
                          "(--max-total-mb) were used up")
        else:
            used += entry.info.file_size


def _free_path(folder, path, taken):
    """Where an unplaced file goes: its path in the zip under `folder`, without empty, '.' and
    '..' parts, a part renamed name~2, name~3... where it clashes with a file or a folder
    already in `taken` ({path: "file" or "folder"}, updated)."""
    parts = [p for p in path.split("/") if p not in ("", ".", "..")] or ["unnamed"]
    where = folder
    for depth, part in enumerate(parts, 1):
        kind = "file" if depth == len(parts) else "folder"
        candidate, n = where / part, 1
        while candidate in taken and (kind == "file" or taken[candidate] == "file"):
            n += 1
            candidate = where / f"{PurePosixPath(part).stem}~{n}{PurePosixPath(part).suffix}"
        taken[candidate] = kind
        where = candidate
    return where


def _extract(zf, entry):
    """Copy the entry to its destination (and a placed one's collect.json); an entry that cannot
    be read or written is skipped, with the reason, and leaves nothing behind."""
    new_folders, opened = [], False
    try:
        folder = entry.destination.parent
        new_folders = list(itertools.takewhile(lambda f: not f.exists(), [folder, *folder.parents]))
        folder.mkdir(parents=True, exist_ok=True)
        with zf.open(entry.info) as source, open(entry.destination, "wb") as target:
            opened = True
            shutil.copyfileobj(source, target)
    except Exception as error:  # any unreadable entry is reported, whatever zipfile or the disk says
        if opened:
            entry.destination.unlink()
        for new_folder in filter(Path.is_dir, new_folders):  # deepest first
            new_folder.rmdir()
        entry.outcome, entry.assignment_id, entry.destination = "skipped", "", None
        entry.note = f"could not be extracted: {type(error).__name__}: {error}"
        return
    if entry.outcome == "placed":
        record = {"name": entry.name or None, "late": entry.late, "entry": entry.name_in_zip}
        (entry.destination.parent / "collect.json").write_text(json.dumps(record, ensure_ascii=False) + "\n",
                                                                encoding="utf-8")


def _shown(text):
    """Text safe to print to a terminal: a file name with control characters is shown escaped."""
    return text if text.isprintable() else ascii(text)


def _summarise(entries, submitted, unplaced, report, log):
    """Tell the instructor what went where, the files that need a look first."""
    placed = [e for e in entries if e.outcome == "placed"]
    late = sum(e.late for e in placed)
    log(f"Placed {len(placed)} notebooks of {len({e.student_id for e in placed})} students in {submitted}"
        + (f", {late} of them marked late." if late else "."))
    renamed = sorted({(e.raw_id, e.student_id) for e in placed if e.raw_id != e.student_id})
    if renamed:
        log("Student ids changed into safe folder names:")
        for raw_id, student_id in renamed:
            log(f'  "{_shown(raw_id)}" -> {student_id}')
    superseded = [e for e in entries if e.outcome == "superseded"]
    if superseded:
        log(f"Resubmissions: kept the latest file; {len(superseded)} older ones copied to {unplaced}:")
        for e in superseded:
            log(f"  {e.student_id}/{e.assignment_id}: {_shown(e.name_in_zip)}")
    for outcome, heading in [("unplaced", f"Could not place {{}} files; copied to {unplaced}:"),
                             ("skipped", "Did not extract {} files:")]:
        left = [e for e in entries if e.outcome == outcome]
        if left:
            log(heading.format(len(left)))
            for e in left:
                log(f"  {_shown(e.name_in_zip)}: {_shown(e.note)}")
    log(f"Every file of the zip is listed in {report}.")
