"""Placing a semantic diagnostic in the component's file, and reading the file's data."""

from __future__ import annotations

from typing import Any

from loader.kinds import Kind
from loader.packs.model import Component, DocPath
from loader.report.diagnostics import Diagnostic, Severity


def at(
    component: Component,
    path: DocPath,
    key: bool,
    code: str,
    message: str,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    """A diagnostic at ``path`` of the component's file."""
    source = component.source
    line, column = source.position(path, key) or (1, 1)
    return Diagnostic(source.display, line, column, code, message, hint, severity)


def data_of(component: Component) -> dict[str, Any]:
    data = component.source.data
    return data if isinstance(data, dict) else {}


def value_at(data: Any, path: DocPath) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def ref_path(component: Component) -> DocPath:
    data = data_of(component)
    return ("ref",) if "ref" in data else ("name",) if "name" in data else ()


def name_is_short_name(kind: Kind) -> bool:
    """``name`` is the short name unless a column reads it (runtime and pack names are
    display names)."""
    return not any(s.key == "name" for f in kind.fields for s in f.sources)
