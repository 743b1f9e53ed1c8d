"""Checks for the workbooks' exercises: one module per workbook, each failure a hint."""
