"""Print a report in the format asked for; annotations too when running in GitHub Actions."""

import os
import sys

from loader.cli.common import OutputFormat
from loader.report import Report


def print_report(report: Report, output: OutputFormat, verbose: int) -> None:
    from loader.report.reporters import write_report  # only once there is a report

    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    write_report(report, output.value, sys.stdout, verbose, annotate)
