"""Print a :class:`~loader.report.Report`: reporters chosen by name, writing to a stream.

``text`` is for people (with a plan table for the commands that plan), ``json`` for
programs, ``github`` for annotations on a pull request.
"""

from __future__ import annotations

from typing import TextIO

from loader.report.github import GithubReporter
from loader.report.json_reporter import JsonReporter
from loader.report.report import Report
from loader.report.summary import PlanTextReporter
from loader.report.text import TextReporter

Reporter = TextReporter | JsonReporter | GithubReporter
REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}


def write_report(
    report: Report, output: str, stream: TextIO, verbosity: int = 0, annotate: bool = False
) -> None:
    """Print ``report`` with the reporter named ``output`` (a key of :data:`REPORTERS`);
    a text report of a plan, load or seed shows the plan too. ``annotate`` adds
    GitHub annotations after a text report (when running in GitHub Actions)."""
    reporter = REPORTERS[output]
    if reporter is TextReporter and report.command != "validate":
        reporter = PlanTextReporter
    reporter(stream, verbosity).report(report)
    if annotate and output == "text":
        GithubReporter(stream, verbosity).report(report)
