"""The Backprop Workbook's nbgrader course and its grading pipeline.

`backprop-grade` (or `python -m autograder`) releases the workbooks from the
master notebooks in `source/` and grades a class of submissions with nbgrader.
"""
