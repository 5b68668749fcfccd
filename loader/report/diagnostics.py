"""Problems found in packs, as values: every stage adds them, nothing raises them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    # An expected fact worth knowing (a sensor's other triggers, refs resolved from the
    # packaged core pack): shown with -v and in JSON, never a failure, even with --strict.
    NOTE = "note"


class Diagnostic(NamedTuple):
    """One problem, located as precisely as the input allows.

    ``line`` and ``column`` are 1-based, as editors show them. ``code`` is stable
    across releases (documented in docs/pack-format.md); ``hint`` says how to fix it.
    """

    file: str
    line: int | None
    column: int | None
    code: str
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING

    @property
    def is_note(self) -> bool:
        return self.severity is Severity.NOTE

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """By file, then line and column; a stable sort keeps best-first order within a place."""
    return sorted(diagnostics, key=lambda d: (d.file, d.line or 0, d.column or 0))
