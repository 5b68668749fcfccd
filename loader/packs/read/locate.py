"""Following a DocPath through a file's events (libyaml's, through ruamel.yaml) to the
place of its value or key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from loader.packs.model import DocPath, Where
from loader.packs.read.build import events
from loader.packs.read.messages import Refused

_NO_KEY = object()  # a mapping waiting for its next key


def first_occurrence(text: str, refused: Refused) -> str:
    """`` (first at line N)`` for a duplicate key, found by following its path."""
    if refused.path is None:
        return ""
    first = _find(events(text), refused.path, True)
    return f" (first at line {first[0]})" if first and first != refused.where else ""


def find(text: str, path: DocPath, key: bool) -> Where | None:
    """The place of ``path`` in ``text`` (see :func:`_find`); None when the text is not
    YAML."""
    try:
        return _find(events(text), path, key)
    except YAMLError:
        return None


class _Cursor:
    """Where the walk is inside one open collection."""

    __slots__ = ("index", "is_map", "key", "key_mark", "path")

    def __init__(self, path: DocPath | None, is_map: bool) -> None:
        self.path = path  # None inside a collection used as a key: no DocPath leads there
        self.is_map = is_map
        self.index = 0
        self.key: Any = _NO_KEY
        self.key_mark: Any = None


def _find(events: Iterator[Any], target: DocPath, key: bool) -> Where | None:
    """The place of ``target`` (its key's, with ``key``; a list item has no key), or of
    the nearest enclosing value when the path cannot be followed to its end."""
    cursors: list[_Cursor] = []
    best: Any = None
    for event in events:
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            cursors.pop()
            continue
        if kind not in _NODE_EVENTS:
            continue
        path, key_mark = _place(cursors, event)
        if path is not None and path == target[: len(path)]:
            last = len(path) == len(target)
            mark = key_mark if (key or not last) and key_mark is not None else event.start_mark
            if last:
                return mark.line + 1, mark.column + 1
            best = mark
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            cursors.append(_Cursor(path, kind is MappingStartEvent))
    return (best.line + 1, best.column + 1) if best is not None else None


_NODE_EVENTS = (ScalarEvent, AliasEvent, MappingStartEvent, SequenceStartEvent)


def _place(cursors: list[_Cursor], event: Any) -> tuple[DocPath | None, Any]:
    """The DocPath of the node ``event`` starts (None for a key), and its key's mark."""
    if not cursors:
        return (), None
    top = cursors[-1]
    if top.path is None:
        return None, None
    if not top.is_map:
        top.index += 1
        return (*top.path, top.index - 1), None
    if top.key is _NO_KEY:  # this node is a key
        top.key = event.value if type(event) is ScalarEvent else None
        top.key_mark = event.start_mark
        return None, None
    path = None if top.key is None else (*top.path, top.key)
    key_mark, top.key = top.key_mark, _NO_KEY
    return path, key_mark
