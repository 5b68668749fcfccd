"""Print a :class:`~loader.report.Report`: reporters chosen by name, writing to a stream.

``text`` is for people: diagnostics grouped by file as ``file:line:col: severity CODE
message`` with the hint indented below, then a one-line summary. ``json`` is
``Report.to_json()`` (documented in docs/report-format.md). ``github`` prints workflow
commands that GitHub Actions shows as annotations on the pull request.

A text report is a sequence of sections; a command adds its own (a plan table, say) by
subclassing :class:`TextReporter` with a longer ``sections`` tuple.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import ClassVar, TextIO

from loader.report import Report
from loader.report.diagnostics import Diagnostic

Section = Callable[[Report, int], str | None]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def diagnostics_section(report: Report, verbosity: int) -> str | None:
    """Diagnostics grouped by file, a blank line between files."""
    blocks = []
    ordered = sorted(report.diagnostics, key=lambda d: (d.file, d.line or 0, d.column or 0))
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
    if not errors and not warnings:
        return f"ok: {checked}, no problems"
    files = len({d.file for d in report.diagnostics})
    verdict = "ok" if not errors else "invalid"
    found = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"{verdict}: {found} in {_plural(files, 'file')} ({checked})"


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


class JsonReporter:
    def __init__(self, stream: TextIO, verbosity: int = 0) -> None:
        self.stream = stream

    def report(self, report: Report) -> None:
        json.dump(report.to_json(), self.stream, indent=2, sort_keys=False)
        self.stream.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(d: Diagnostic) -> str:
    """``::error file=...,line=...,col=...,title=CODE::message`` for one diagnostic."""
    props = [f"file={_escape_property(d.file)}"]
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.column is not None:
        props.append(f"col={d.column}")
    props.append(f"title={_escape_property(d.code)}")
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return f"::{d.severity.value} {','.join(props)}::{_escape_data(message)}"


class GithubReporter:
    def __init__(self, stream: TextIO, verbosity: int = 0) -> None:
        self.stream = stream
        self.verbosity = verbosity

    def report(self, report: Report) -> None:
        for d in report.diagnostics:
            self.stream.write(github_command(d) + "\n")
        self.stream.write(f"{summary_section(report, self.verbosity)}\n")


Reporter = TextReporter | JsonReporter | GithubReporter
REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}


def write_report(report: Report, output: str, stream: TextIO, verbosity: int = 0) -> None:
    """Print ``report`` with the reporter named ``output`` (a key of :data:`REPORTERS`)."""
    REPORTERS[output](stream, verbosity).report(report)
