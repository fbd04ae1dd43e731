"""The clinic's one-page summary of an appointment request, as data and as a PDF.

:mod:`crampcheck.report.summary` gathers what the page shows (the request, the check the
person saw, and their diary when they share it); :mod:`crampcheck.report.pdf` renders it
with WeasyPrint, fetching nothing. The PDF module is imported on its own so that building
a summary never loads the PDF engine.
"""

from crampcheck.report.summary import RequestSummary, build_summary

__all__ = ["RequestSummary", "build_summary"]
