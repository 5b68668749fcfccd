"""Generate docs/diagnostic-codes.md from ``loader/report/codes.py``.

Usage::

    python scripts/gen_diagnostic_codes.py            # rewrite docs/diagnostic-codes.md
    python scripts/gen_diagnostic_codes.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "diagnostic-codes.md"
REGENERATE = "python scripts/gen_diagnostic_codes.py"

GROUPS = {
    "pack": "Finding packs",
    "file": "Pack files",
    "yaml": "Reading YAML",
    "schema": "The kind's JSON Schema",
    "key": "Keys the schema has no column for",
    "ref": "Refs and references",
    "params": "Parameter, output and config schemas",
    "sensor": "Sensors",
    "workflow": "Workflow tasks",
    "path": "Files that components name",
    "internal": "The validator itself",
    "conflict": "Loading into a database",
}


def render() -> str:
    """The whole document, deterministic."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from loader.report.codes import CODES

    lines = [
        "# Diagnostic codes",
        "",
        f"<!-- Generated from loader/report/codes.py by `{REGENERATE}`; do not edit. -->",
        "",
        "Every problem the validator (and the loader) reports carries one of these codes.",
        "A code names a kind of problem and never changes; the message that comes with it",
        "says what is wrong in the file at hand, and the hint how to fix it. Warnings are",
        "marked; everything else is an error, and any error means nothing is written.",
    ]
    for group, title in GROUPS.items():
        codes = [c for c in CODES.values() if c.group == group]
        if not codes:
            continue
        lines += ["", f"## {title}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{c.code}` | {c.summary} |" for c in codes]
    missing = sorted({c.group for c in CODES.values()} - GROUPS.keys())
    if missing:
        raise SystemExit(f"codes of groups without a title: {', '.join(missing)}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC_PATH.read_text() if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH.name} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
