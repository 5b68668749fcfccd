"""Keys that later Attune versions store and this schema has no place for.

They are part of the format, so they are not unknown keys: a file using them is
accepted, and one warning per file names every such key and what is lost with it. A
kind with no table at all (queues) gets the same warning for the whole file.
"""

from __future__ import annotations

from typing import Any

from loader.kinds import Kind
from loader.packs.model import ParsedFile
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity

_HINT = "the rest of the file is loaded; run with --strict to fail on this warning"


def not_stored(parsed: ParsedFile, kind: Kind) -> list[Diagnostic]:
    """At most one ``key.not-stored`` warning, at the first such key of the file."""
    data: Any = parsed.data
    if not isinstance(data, dict):
        return []
    if kind.table is None:
        message = (
            f"{kind.label} are not stored: the schema has no table for them, so this file "
            "is checked but nothing of it is written"
        )
        return [_warning(parsed, (), message, "remove the file, or keep it for a later Attune")]
    keys = [key for key in data if key in kind.unstored_keys]
    if not keys:
        return []
    lost = ", ".join(f"'{key}' ({kind.unstored_keys[key]})" for key in keys)
    these = "it" if len(keys) == 1 else "them"
    message = f"not stored: {lost}; the schema has no column for {these}, so the value is lost"
    return [_warning(parsed, (keys[0],), message, _HINT)]


def _warning(parsed: ParsedFile, path: tuple[str, ...], message: str, hint: str) -> Diagnostic:
    line, column = parsed.position(path, bool(path)) or (1, 1)
    return Diagnostic(
        parsed.display, line, column, codes.KEY_NOT_STORED, message, hint, Severity.WARNING
    )
