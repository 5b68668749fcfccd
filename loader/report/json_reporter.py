"""The JSON report: ``Report.to_json()``, stable and versioned (docs/report-format.md)."""

from __future__ import annotations

import json
from typing import TextIO

from loader.report.report import Report


class JsonReporter:
    def __init__(self, stream: TextIO, verbosity: int = 0) -> None:
        self.stream = stream

    def report(self, report: Report) -> None:
        json.dump(report.to_json(), self.stream, indent=2, sort_keys=False)
        self.stream.write("\n")
