"""Student-side helpers for the Backprop Workbook.

The release notebooks import this package: the visible checks and their hints
(`workbook_tools.checks`), the offline digits (`workbook_tools.data`) and the
widgets. It holds no answers: it never imports `solutions`, so a student's copy
of the course works without the reference solutions.
"""
