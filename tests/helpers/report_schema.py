"""The JSON Schema of every report (docs/report.schema.json), to hold outputs to it."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from loader import PROJECT_ROOT


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads((PROJECT_ROOT / "docs" / "report.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def report_problems(report: Any) -> list[str]:
    """Why ``report`` does not fit the report schema; empty when it does."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(report)]
