"""Events to data: libyaml's events built into plain JSON-compatible data, with every
limit enforced where the work happens.

- the nesting depth is checked as collections open, so a ``[[[[...`` bomb stops at
  the limit (libyaml's parser keeps its own stack; ruamel's C composer would recurse on
  the C stack and kill the interpreter past a few ten thousand levels);
- an alias adds the size of the value it repeats to a running count, so a
  billion-laughs file stops as soon as the budget is spent, without expanding it;
- duplicate keys, non-text keys, tags other than the standard JSON-compatible ones,
  and values with no JSON form (dates, NaN) are refused where they occur.

Scalars are resolved as ruamel's YAML 1.2 resolver does (:mod:`~loader.packs.read.resolve`),
and converted as its ``SafeConstructor`` does (a property test holds the two to the same
result).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from loader.packs.model import DocPath
from loader.packs.read.limits import Limits
from loader.packs.read.messages import (
    Refused,
    kind_of,
    nesting,
    not_json,
    show,
    tag_refused,
)
from loader.packs.read.resolve import YAML_TAG, implicit_tag
from loader.report import codes

_STR, _INT, _FLOAT, _BOOL, _NULL = (YAML_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE, _TIMESTAMP = (YAML_TAG + t for t in ("map", "seq", "merge", "timestamp"))


def events(text: str) -> Iterator[Any]:
    """libyaml's events for ``text``. The parser is used directly: going through
    ``YAML.parse`` would build a new loader class on every call and keep a record of
    every document ever read on the shared ``YAML`` object."""
    parser = CParser(text)
    try:
        while True:
            event = parser.get_event()
            yield event
            if type(event) is StreamEndEvent:
                return
    finally:
        parser.dispose()


# -- Events to data ---------------------------------------------------------------------

EMPTY = object()  # a stream without a document; a mapping waiting for a key
_MERGE_KEY = object()  # the plain scalar <<
_TAG_REFUSED = object()  # a standard tag with no JSON form
# Explicit ``!!bool`` values SafeConstructor accepts (plain ones resolve by YAML 1.2).
_BOOL_VALUES = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "on": True,
    "off": False,
}


class _Frame:
    """An open collection while building."""

    __slots__ = ("anchor", "container", "key", "key_mark", "merges", "start")

    def __init__(
        self, container: dict[str, Any] | list[Any], anchor: str | None, start: int
    ) -> None:
        self.container = container
        self.anchor = anchor
        self.start = start  # node count before this collection
        self.key: Any = EMPTY  # a mapping's key waiting for its value
        self.key_mark: Any = None
        self.merges: list[tuple[Any, Any]] | None = None


def _check_anchor_unused(event: Any, anchors: dict[str, Any], open_anchors: set[str]) -> None:
    """A second anchor of one name would make its aliases ambiguous to the reader."""
    if event.anchor in anchors or event.anchor in open_anchors:
        raise Refused(
            codes.YAML_SYNTAX,
            f"the anchor &{event.anchor} is defined twice",
            "give each anchor a name of its own",
            event.start_mark,
        )


def build(events: Iterator[Any], limits: Limits) -> Any:
    """The document of an event stream, with every limit enforced on the way."""
    frames: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, its node count)
    open_anchors: set[str] = set()
    nodes = 0
    root: Any = EMPTY
    documents = 0
    for event in events:
        kind = type(event)
        if kind is ScalarEvent:
            nodes += 1
            value: Any = _scalar(event)
            size = 1
            if event.anchor:
                _check_anchor_unused(event, anchors, open_anchors)
                anchors[event.anchor] = (value, 1)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            nodes += 1
            if len(frames) >= limits.max_depth:
                raise nesting(limits, event.start_mark)
            _check_collection_tag(event, _MAP if kind is MappingStartEvent else _SEQ)
            container: Any = {} if kind is MappingStartEvent else []
            frames.append(_Frame(container, event.anchor, nodes - 1))
            if event.anchor:
                _check_anchor_unused(event, anchors, open_anchors)
                open_anchors.add(event.anchor)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = frames.pop()
            value = _merged(frame) if frame.merges else frame.container
            size = nodes - frame.start
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (value, size)
        elif kind is AliasEvent:
            if event.anchor in open_anchors:
                raise Refused(
                    codes.YAML_TOO_DEEP,
                    f"the alias *{event.anchor} repeats a value that contains it",
                    "a recursive alias nests forever; remove it",
                    event.start_mark,
                )
            if event.anchor not in anchors:
                raise Refused(
                    codes.YAML_SYNTAX,
                    f"the alias *{event.anchor} is used before its "
                    f"anchor &{event.anchor} is defined",
                    "define the anchor (&name) before its first use (*name)",
                    event.start_mark,
                )
            value, size = anchors[event.anchor]
            nodes += size
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Refused(
                    codes.YAML_MULTIPLE_DOCUMENTS,
                    "a second YAML document starts here",
                    "a pack file holds one document; move the rest to a file of its own",
                    event.start_mark,
                )
            if event.version not in (None, (1, 2)):
                raise Refused(
                    codes.YAML_SYNTAX,
                    "only YAML 1.2 documents are accepted",
                    "remove the %YAML directive",
                    event.start_mark,
                )
            continue
        else:
            continue
        if nodes > limits.max_nodes:
            raise Refused(
                codes.YAML_ALIAS_BUDGET,
                f"the document expands to more than {limits.max_nodes} values",
                "an alias counts as every value it repeats; use fewer aliases",
                event.start_mark,
            )
        if frames:
            _add(frames, value, event)
        else:
            root = value
    return root


def _add(frames: list[_Frame], value: Any, event: Any) -> None:
    frame = frames[-1]
    container = frame.container
    if value is _MERGE_KEY and (type(container) is list or frame.key is not EMPTY):
        raise Refused(
            codes.YAML_SYNTAX,
            "'<<' is YAML's merge key, not a value",
            "quote it to make it text",
            event.start_mark,
        )
    if type(container) is list:
        container.append(value)
        return
    if frame.key is EMPTY:
        frame.key = value if type(value) is str or value is _MERGE_KEY else _bad_key(value, event)
        frame.key_mark = event.start_mark
        return
    key, frame.key = frame.key, EMPTY
    if key is _MERGE_KEY:
        if frame.merges is None:
            frame.merges = []
        frame.merges.append((value, event.start_mark))
    elif key in container:
        refused = Refused(
            codes.YAML_DUPLICATE_KEY,
            f"duplicate key '{key}'",
            "a key may appear only once in a mapping; remove one of them",
            frame.key_mark,
        )
        refused.path = (*_path_of(frames), key)
        raise refused
    else:
        container[key] = value


def _path_of(frames: list[_Frame]) -> DocPath:
    """The DocPath of the innermost open collection."""
    path: list[str | int] = []
    for parent in frames[:-1]:
        if type(parent.container) is list:
            path.append(len(parent.container))
        else:
            path.append(parent.key)
    return tuple(path)


def _bad_key(value: Any, event: Any) -> Any:
    raise Refused(
        codes.YAML_KEY_NOT_STRING,
        f"the key {show(value)} is {kind_of(value)}, not text",
        "quote the key",
        event.start_mark,
    )


def _merged(frame: _Frame) -> dict[str, Any]:
    """``<<: *base`` (or a list of them): keys of earlier sources win over later ones,
    and the mapping's own keys over all, as the YAML merge-key type says."""
    result: dict[str, Any] = {}
    for value, mark in reversed(frame.merges or []):
        sources = value if isinstance(value, list) else [value]
        for source in reversed(sources):
            if not isinstance(source, dict):
                raise Refused(
                    codes.YAML_SYNTAX,
                    "'<<' merges mappings only",
                    "give a mapping (or a list of mappings) to merge",
                    mark,
                )
            result.update(source)
    result.update(frame.container)
    return result


def _check_collection_tag(event: Any, expected: str) -> None:
    if event.tag is not None and event.tag not in (expected, "!"):
        raise tag_refused(event)


def _scalar(event: Any) -> Any:
    value: str = event.value
    if "\x00" in value:
        _refuse_nul(event)
    if event.implicit[0]:
        tag = implicit_tag(value)
    elif event.tag is None or event.tag == "!":
        return value  # quoted, or plain with the non-specific tag: text
    else:
        tag = event.tag
    if tag is None or tag == _STR:
        return value
    if tag == _MERGE and event.implicit[0]:
        return _MERGE_KEY
    try:
        converted = _convert(tag, value)
    except (ValueError, KeyError, IndexError) as exc:
        raise Refused(
            codes.YAML_SYNTAX,
            f"'{value}' cannot be read as {tag.replace(YAML_TAG, '!!')}",
            "quote it to keep it as text",
            event.start_mark,
        ) from exc
    if converted is _TAG_REFUSED:
        raise tag_refused(event) if not event.implicit[0] else not_json(value, tag, event)
    if isinstance(converted, float) and not math.isfinite(converted):
        raise not_json(value, tag, event)
    return converted


def _refuse_nul(event: Any) -> None:
    """PostgreSQL's text and jsonb cannot hold NUL: an escaped one (``"\\0"``) is the
    author's mistake, not a database failure. (A raw NUL is refused with the file, and
    libyaml itself refuses an escaped lone surrogate.)"""
    raise Refused(
        codes.YAML_BAD_CHARACTER,
        "this text holds the character U+0000 (NUL), which the database cannot store",
        "remove the escape (\\0, \\x00 or \\u0000)",
        event.start_mark,
    )


def _convert(tag: str, value: str) -> Any:
    """A scalar of a standard tag, converted as ruamel's SafeConstructor does (YAML 1.2)."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOL_VALUES[value.lower()]
    if tag == _INT:
        return _to_int(value)
    if tag == _FLOAT:
        text = value.replace("_", "").lower()
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:] if text[0] in "+-" else text
        if text == ".inf":
            return sign * math.inf
        return math.nan if text == ".nan" else sign * float(text)
    return _TAG_REFUSED  # timestamps, binary, sets, merge outside a key, '=', custom tags


def _to_int(value: str) -> int:
    text = value.replace("_", "")
    sign = -1 if text[0] == "-" else 1
    text = text[1:] if text[0] in "+-" else text
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)
