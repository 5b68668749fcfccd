"""Print a report in the format asked for; annotations too when running in GitHub Actions."""

from __future__ import annotations

import os
import sys

from loader.cli.options import OutputFormat
from loader.report import Report
from loader.report.summary import PlanTextReporter
from loader.report.text import GithubReporter, write_report


def print_report(report: Report, output: OutputFormat, verbose: int) -> None:
    if output is OutputFormat.TEXT and report.command != "validate":
        PlanTextReporter(sys.stdout, verbose).report(report)
    else:
        write_report(report, output.value, sys.stdout, verbose)
    if output is OutputFormat.TEXT and os.environ.get("GITHUB_ACTIONS") == "true":
        GithubReporter(sys.stdout, verbose).report(report)
