"""The human summary of a plan or load: counts per kind, then details on request."""

from __future__ import annotations

from typing import ClassVar

from loader.kinds import KINDS
from loader.report import Action, Report
from loader.report.text import Section, TextReporter, diagnostics_section
from loader.report.values import field_lines

_COLUMNS = (
    ("created", Action.CREATE),
    ("updated", Action.UPDATE),
    ("unchanged", Action.UNCHANGED),
    ("removed", Action.REMOVE),
    ("disabled", Action.DISABLE),
    ("retained", Action.RETAIN),
)
_PLANNED = {
    "created": "create",
    "updated": "update",
    "removed": "remove",
    "disabled": "disable",
    "retained": "retain",
}


def summary_table(report: Report, verbosity: int) -> str | None:
    """A fixed-width table, one row per kind that has components, plus a total."""
    if not report.changes:
        return None
    counts = report.counts()
    headings = [name if report.applied else _PLANNED.get(name, name) for name, _ in _COLUMNS]
    width = max(len(k.label) for k in KINDS)
    lines = ["  ".join([f"{'kind':<{width}}", *(f"{h:>9}" for h in headings)])]
    totals = [0] * len(_COLUMNS)
    for kind in KINDS:
        row = counts.get(kind.name)
        if not row:
            continue
        values = [row[action.value] for _, action in _COLUMNS]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        lines.append("  ".join([f"{kind.label:<{width}}", *(f"{v:>9}" for v in values)]))
    lines.append("  ".join([f"{'total':<{width}}", *(f"{t:>9}" for t in totals)]))
    return "\n".join(lines)


def details(report: Report, verbosity: int) -> str | None:
    """With -v: one line per component that changes, naming the changed fields, and
    below it each field as ``before -> after``."""
    if verbosity < 1:
        return None
    lines = []
    for change in report.changes:
        if change.action is Action.UNCHANGED:
            continue
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        lines.append(f"  {change.action.value:<9} {change.kind:<14} {change.ref}{fields}")
        lines += [f"      {line}" for value in change.values for line in field_lines(value)]
    return "\n".join(lines) or None


def verdict(report: Report, verbosity: int) -> str:
    """The last line: what happened, in words."""
    pending = len(report.pending)
    if not report.ok:
        if report.errors:
            return f"nothing was written: {len(report.errors)} error(s)"
        return f"nothing was written: {len(report.warnings)} warning(s) with --strict"
    if report.applied:
        return f"loaded {', '.join(report.packs)}: {pending} change(s) written"
    if pending == 0:
        return f"{', '.join(report.packs)}: up to date, 0 changes"
    return f"{pending} change(s) pending; nothing was written"


class PlanTextReporter(TextReporter):
    """The text report of plan, load and seed: problems, then what changes."""

    sections: ClassVar[tuple[Section, ...]] = (diagnostics_section, details, summary_table, verdict)
