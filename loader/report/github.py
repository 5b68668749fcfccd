"""Workflow commands that GitHub Actions shows as annotations on the pull request."""

from __future__ import annotations

from typing import TextIO

from loader.report.diagnostics import Diagnostic, Severity
from loader.report.report import Failure, Report
from loader.report.text import shown, summary_section

# GitHub's names for the severities: its informational level is a notice.
_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


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
    return f"::{_COMMANDS[d.severity]} {','.join(props)}::{_escape_data(message)}"


def github_failure(failure: Failure) -> str:
    """``::error title=CODE::message`` for a run that stopped."""
    message = failure.message + (f"\nhint: {failure.hint}" if failure.hint else "")
    return f"::error title={_escape_property(failure.code)}::{_escape_data(message)}"


class GithubReporter:
    def __init__(self, stream: TextIO, verbosity: int = 0) -> None:
        self.stream = stream
        self.verbosity = verbosity

    def report(self, report: Report) -> None:
        for d in shown(report, self.verbosity):
            self.stream.write(github_command(d) + "\n")
        self.stream.write(f"{summary_section(report, self.verbosity)}\n")
