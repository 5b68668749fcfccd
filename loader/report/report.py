"""Report: what a run found and did. The API returns it; the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from loader.errors import ExitCode
from loader.report.changes import KEPT, Action, Change
from loader.report.codes import CODES
from loader.report.diagnostics import Diagnostic

REPORT_FORMAT_VERSION = 1


class Failure(NamedTuple):
    """Why a command stopped before it could finish: a settings, database, lock or
    migration failure, an interrupt, or a bug. ``code`` is stable (docs/report-format.md)."""

    code: str
    message: str
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


def envelope(command: str, ok: bool, error: Failure | None) -> dict[str, Any]:
    """The keys every JSON report starts with, whatever the command."""
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "command": command,
        "ok": ok,
        "error": error.to_json() if error else None,
    }


@dataclass
class Report:
    """Diagnostics, then the plan, then whether it was written.

    ``ok`` is False as soon as one error diagnostic exists, or, with ``strict``, one
    warning: nothing is written then. Notes never fail a report.
    """

    command: str
    packs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False
    files_checked: int = 0
    from_cache: bool = False  # a remembered no-op: no file parsed, no row read back
    error: Failure | None = None  # the run stopped: see Failure
    strict: bool = False  # warnings fail the report too (--strict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_warning]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_note]

    @property
    def failed_by(self) -> list[Diagnostic]:
        """The diagnostics that fail the report: errors, and warnings when strict."""
        return [d for d in self.diagnostics if d.is_error or (self.strict and d.is_warning)]

    @property
    def ok(self) -> bool:
        return not self.failed_by and self.error is None

    @property
    def exit_code(self) -> ExitCode:
        """OK without failures; else the gravest exit code the failures' codes declare
        (CONFLICT when a row belongs to another pack or an operator, else INVALID)."""
        if self.ok:
            return ExitCode.OK
        declared = {CODES[d.code].exit_code for d in self.errors}
        return ExitCode.CONFLICT if ExitCode.CONFLICT in declared else ExitCode.INVALID

    @property
    def pending(self) -> list[Change]:
        """Changes that write something (everything but unchanged and retained)."""
        return [c for c in self.changes if c.action not in KEPT]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per kind, how many components took each action."""
        table: dict[str, dict[str, int]] = {}
        for change in self.changes:
            row = table.setdefault(change.kind, {a.value: 0 for a in Action})
            row[change.action.value] += 1
        return table

    def record(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def to_json(self) -> dict[str, Any]:
        return {
            **envelope(self.command, self.ok, self.error),
            "applied": self.applied,
            "packs": self.packs,
            "files_checked": self.files_checked,
            "from_cache": self.from_cache,
            "strict": self.strict,
            "summary": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "notes": len(self.notes),
                "changes": len(self.pending),
            },
            "counts": self.counts(),
            "changes": [c.to_json() for c in self.changes],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
