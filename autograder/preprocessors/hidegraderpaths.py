"""The feedback page shows no path of the grader's machine in the notebook's outputs.

A warning or a traceback in a student's output names files as the grading kernel saw them:
its cells as /tmp/ipykernel_<pid>/<hash>.py, libraries under the grader's Python
installation, the scratch course in the grader's temporary folder. `without_grader_paths`
writes a cell's file as `cell`, a library's file from its package on (`numpy/_core/...`)
and any other file in a temporary or grader folder by its name alone.
"""
import re
import sys
import tempfile
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

PATH_CHARS = r"[^\s:'\"<>()\[\],]"
LONGEST = 300  # characters of a path read: no repetition nests in another, nor runs further
KERNEL_CELL = re.compile(rf"/{PATH_CHARS}{{0,{LONGEST}}}?ipykernel_\d{{1,20}}/\d{{1,30}}\.py")
LIBRARY = re.compile(rf"/{PATH_CHARS}{{0,{LONGEST}}}?/(?:site|dist)-packages/")
GRADER_FOLDERS = sorted({"/tmp", tempfile.gettempdir(), sys.prefix, sys.base_prefix,
                         str(Path(__file__).resolve().parents[2])}, key=len, reverse=True)
IN_GRADER_FOLDER = re.compile(rf"(?:{'|'.join(map(re.escape, GRADER_FOLDERS))})/{PATH_CHARS}{{1,{LONGEST}}}")


def without_grader_paths(text):
    """`text` with the grader's paths shortened (see the module's docstring), in time linear in
    its length (patterns of bounded repetition: no student's output can make them backtrack long)."""
    text = KERNEL_CELL.sub("cell", text)
    text = LIBRARY.sub("", text)
    return IN_GRADER_FOLDER.sub(lambda path: path.group(0).rstrip("/").rsplit("/", 1)[-1], text)


class HideGraderPaths(NbGraderPreprocessor):
    """Shorten the grader's paths in every output's text (streams, errors, plain text)."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = without_grader_paths(output.text)
            elif output.output_type == "error":
                output.evalue = without_grader_paths(output.evalue)
                output.traceback = [without_grader_paths(line) for line in output.traceback]
            elif "text/plain" in output.get("data", {}):
                output.data["text/plain"] = without_grader_paths(output.data["text/plain"])
        return cell, resources
