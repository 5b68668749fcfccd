"""A changed field as people read it: ``field: before -> after``.

Short values are shown whole, as compact JSON. When a JSON document (a parameter
schema, a workflow) is too long for one line, only the leaves that differ are shown,
each under its path (``param_schema.properties.message.default: "hi" -> "hello"``),
with a count of those left out; every value is cut to a line's width.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from loader.report.changes import FieldChange

WIDTH = 60  # characters of one value
MAX_LEAVES = 8  # differing leaves shown per field
ABSENT = "(absent)"
_MISSING = object()


def compact(value: Any) -> str:
    """``value`` as compact JSON, cut to :data:`WIDTH` with an ellipsis."""
    text = _json(value)
    return text if len(text) <= WIDTH else text[: WIDTH - 3] + "..."


def field_lines(change: FieldChange) -> list[str]:
    """The lines that show one field's change."""
    before, after = change.before, change.after
    if not (_long_document(before) or _long_document(after)) or not (
        isinstance(before, dict | list) and isinstance(after, dict | list)
    ):
        return [f"{change.field}: {_shown(before)} -> {_shown(after)}"]
    leaves = list(_differing_leaves(change.field, before, after))
    lines = [f"{path}: {_shown(old)} -> {_shown(new)}" for path, old, new in leaves[:MAX_LEAVES]]
    if len(leaves) > MAX_LEAVES:
        lines.append(f"... and {len(leaves) - MAX_LEAVES} more in {change.field}")
    return lines


def _json(value: Any) -> str:
    # default=str: a stored value JSON has no type for (a timestamp) still shows.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _shown(value: Any) -> str:
    return ABSENT if value is _MISSING else compact(value)


def _long_document(value: Any) -> bool:
    return isinstance(value, dict | list) and len(_json(value)) > WIDTH


def _differing_leaves(path: str, before: Any, after: Any) -> Iterator[tuple[str, Any, Any]]:
    """Each path below which ``before`` and ``after`` differ, down to where one of them
    stops being a document of the same shape; a side that lacks the path is absent."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            yield from _differing_leaves(
                f"{path}.{key}", before.get(key, _MISSING), after.get(key, _MISSING)
            )
    elif isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else _MISSING
            new = after[index] if index < len(after) else _MISSING
            yield from _differing_leaves(f"{path}[{index}]", old, new)
    else:
        yield path, before, after
