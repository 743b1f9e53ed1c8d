"""The release notebooks' code stubs name the function still to write.

nbgrader's ClearSolutions puts the same stub in place of every code solution, so a blank
exercise stops a notebook with a bare `NotImplementedError:`. Here `{function}` in
`ClearSolutions.code_stub` becomes the name of the function whose body the solution was
(the innermost `def` above it), or the cell's grade id where the solution is in no `def`.
"""
import re

from nbgrader.preprocessors import ClearSolutions

DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)")


class NamedStubs(ClearSolutions):
    """ClearSolutions whose code stub names the function it stands in for."""

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code":
            return super()._replace_solution_region(cell, language)
        template = self.code_stub[language]
        begin = next((n for n, line in enumerate(cell.source.split("\n"))
                      if self.begin_solution_delimeter in line), None)
        function = enclosing_function(cell.source, begin) if begin is not None else None
        name = function or cell.metadata.get("nbgrader", {}).get("grade_id", "this cell")
        self.code_stub = {**self.code_stub, language: template.replace("{function}", name)}
        try:
            return super()._replace_solution_region(cell, language)
        finally:
            self.code_stub = {**self.code_stub, language: template}


def enclosing_function(source, line_number):
    """The name of the innermost `def` whose body holds line `line_number` of `source`, or None."""
    lines = source.split("\n")
    indent = len(lines[line_number]) - len(lines[line_number].lstrip())
    for line in reversed(lines[:line_number]):
        match = DEF.match(line)
        if match and len(match.group(1)) < indent:
            return match.group(2)
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            indent = len(line) - len(line.lstrip())
    return None
