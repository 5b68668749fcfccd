"""The human summary table: counts per kind, headed as a plan or as what was done."""

from __future__ import annotations

from loader.report import Action, Change, Report
from loader.report.summary import summary_table


def _report(applied: bool) -> Report:
    report = Report(command="load")
    report.changes = [
        Change("action", "demo.a", "demo", Action.CREATE),
        Change("action", "demo.b", "demo", Action.RETAIN),
        Change("rule", "demo.r", "demo", Action.UNCHANGED),
    ]
    report.applied = applied
    return report


def _headings(table: str | None) -> list[str]:
    assert table is not None
    return table.splitlines()[0].split()


def test_a_plan_is_headed_with_what_would_happen() -> None:
    headings = _headings(summary_table(_report(applied=False), 0))
    assert headings == ["kind", "create", "update", "unchanged", "remove", "disable", "retain"]


def test_an_applied_load_is_headed_with_what_happened() -> None:
    table = summary_table(_report(applied=True), 0)
    assert _headings(table) == [
        "kind", "created", "updated", "unchanged", "removed", "disabled", "retained"
    ]  # fmt: skip
    assert table is not None
    actions = next(line for line in table.splitlines() if line.startswith("actions"))
    assert actions.split()[1:] == ["1", "0", "0", "0", "0", "1"]
