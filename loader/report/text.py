"""The text report, for people: diagnostics grouped by file as ``file:line:col:
severity CODE message`` with the hint indented below, then a one-line summary. Notes
(expected facts) are shown only with -v.

A text report is a sequence of sections; a command adds its own (a plan table, say) by
subclassing :class:`TextReporter` with a longer ``sections`` tuple
(:mod:`loader.report.summary`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import ClassVar, TextIO

from loader.report import Report
from loader.report.diagnostics import Diagnostic

Section = Callable[[Report, int], str | None]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def shown(report: Report, verbosity: int) -> list[Diagnostic]:
    """The diagnostics a person sees: notes only with -v."""
    return [d for d in report.diagnostics if verbosity >= 1 or not d.is_note]


def diagnostics_section(report: Report, verbosity: int) -> str | None:
    """Diagnostics grouped by file, a blank line between files."""
    blocks = []
    ordered = sorted(shown(report, verbosity), key=lambda d: (d.file, d.line or 0, d.column or 0))
    for _, group in itertools.groupby(ordered, key=lambda d: d.file):
        blocks.append("\n".join(_text_line(d) for d in group))
    return "\n\n".join(blocks) or None


def _text_line(d: Diagnostic) -> str:
    line = f"{d.location}: {d.severity.value} {d.code} {d.message}"
    return f"{line}\n    hint: {d.hint}" if d.hint else line


def packs_section(report: Report, verbosity: int) -> str | None:
    """With -v: which packs were read."""
    if verbosity < 1:
        return None
    return f"packs: {', '.join(report.packs) or '(none valid)'}"


def summary_section(report: Report, verbosity: int) -> str | None:
    """One line: what was found, in how many files."""
    errors, warnings = len(report.errors), len(report.warnings)
    checked = f"{_plural(report.files_checked, 'file')} checked"
    notes = f", {_plural(len(report.notes), 'note')}" if report.notes else ""
    if not errors and not warnings:
        return f"ok: {checked}, no problems{notes}"
    files = len({d.file for d in report.diagnostics if not d.is_note})
    verdict = "ok" if report.ok else "invalid" + (" (--strict)" if not errors else "")
    found = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"{verdict}: {found} in {_plural(files, 'file')} ({checked}){notes}"


class TextReporter:
    sections: ClassVar[tuple[Section, ...]] = (
        diagnostics_section,
        packs_section,
        summary_section,
    )

    def __init__(self, stream: TextIO, verbosity: int = 0) -> None:
        self.stream = stream
        self.verbosity = verbosity

    def report(self, report: Report) -> None:
        parts = [section(report, self.verbosity) for section in self.sections]
        self.stream.write("\n\n".join(p for p in parts if p) + "\n")
