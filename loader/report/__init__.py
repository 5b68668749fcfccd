"""Reports: diagnostics and their codes, the plan vocabulary, the Report and its reporters.

This package imports nothing of packs/, database/ or cli/: every stage writes into
it, and the CLI reads out of it.
"""

from __future__ import annotations

from loader.report.changes import AbsentPolicy, Action, Change, FieldChange
from loader.report.diagnostics import Diagnostic, Severity
from loader.report.report import Report

__all__ = ["AbsentPolicy", "Action", "Change", "Diagnostic", "FieldChange", "Report", "Severity"]
