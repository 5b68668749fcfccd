"""Read one YAML file safely: a :class:`ParsedFile`, or a :class:`Diagnostic` saying why not.

Parsing uses ruamel.yaml's C event parser (libyaml, through ``ruamel.yaml.clib``) and
builds plain JSON-compatible data from the events here, instead of going through
ruamel's Python composer and constructor. That is about four times faster (see
docs/performance.md) and puts every limit where the work happens:

- the nesting depth is checked as collections open, so a ``[[[[...`` bomb stops at
  the limit (libyaml's parser keeps its own stack; ruamel's C composer would recurse on
  the C stack and kill the interpreter past a few ten thousand levels);
- an alias adds the size of the value it repeats to a running count, so a
  billion-laughs file stops as soon as the budget is spent, without expanding it;
- duplicate keys, non-text keys, tags other than the standard JSON-compatible ones,
  and values with no JSON form (dates, NaN) are refused where they occur.

Scalars are resolved with ruamel's own YAML 1.2 implicit-resolver table, and converted
as its ``SafeConstructor`` does (a property test holds the two to the same result).
Positions are found only when a diagnostic needs one, by re-reading the events.

Plain files are first offered to ``loader/packs/read/fast.py`` (yaml-rs behind a conservative
gate and a check of its result), which returns data only when it is certain to be what
this reader would build; everything else, and every diagnostic, comes from here.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ruamel.yaml.resolver
from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
from ruamel.yaml.error import MarkedYAMLError, YAMLError
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
from ruamel.yaml.reader import ReaderError

from loader.packs.model import DocPath, ParsedFile
from loader.packs.read import fast
from loader.report import codes
from loader.report.diagnostics import Diagnostic

Where = tuple[int, int]


@dataclass(frozen=True)
class Limits:
    """Per-file limits; each refusal is a diagnostic, never an exception."""

    max_bytes: int = 1024 * 1024
    max_nodes: int = 100_000  # values, an alias counting as the values it repeats
    max_depth: int = 64


DEFAULT_LIMITS = Limits()

_YAML_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE, _TIMESTAMP = (_YAML_TAG + t for t in ("map", "seq", "merge", "timestamp"))
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_PLAIN_SCALAR = re.compile(r"[^\s,\[\]{}#'\"][^,\[\]{}#]*")


def _resolver_table() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """ruamel's YAML 1.2 implicit resolvers: first character -> (tag, pattern)."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for versions, tag, regexp, first in ruamel.yaml.resolver.implicit_resolvers:
        if (1, 2) in versions:
            pattern = re.compile(str(getattr(regexp, "pattern", regexp)), re.X)
            for char in first:
                table.setdefault(char, []).append((tag, pattern))
    return table


_IMPLICIT = _resolver_table()


def _events(text: str) -> Iterator[Any]:
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


class _Refused(Exception):
    """A problem found while building: the diagnostic's parts, and where."""

    def __init__(self, code: str, message: str, hint: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint
        self.where: Where | None = (mark.line + 1, mark.column + 1) if mark else None
        self.path: DocPath | None = None  # of a duplicate key, to find its first occurrence


def parse_file(
    path: Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> ParsedFile | Diagnostic:
    """Read ``path`` (shown to people as ``display``) into plain JSON-compatible data."""
    raw = _read(path, display, limits)
    if isinstance(raw, Diagnostic):
        return raw
    text = _decode(raw, display)
    if isinstance(text, Diagnostic):
        return text
    return _parse(path, text, display, limits)


def parse_text(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> ParsedFile | Diagnostic:
    """:func:`parse_file` for text already in memory."""
    return _parse(Path(display), text, display, limits)


def _parse(path: Path, text: str, display: str, limits: Limits) -> ParsedFile | Diagnostic:
    quick = fast.load(text, limits.max_depth, limits.max_nodes, _IMPLICIT)
    if quick is not None:
        return ParsedFile(path, display, quick, Positions(text))
    try:
        data = _build(_events(text), limits)
    except _Refused as refused:
        if refused.code == codes.YAML_DUPLICATE_KEY and refused.where:
            refused.message += _first_occurrence(text, refused)
        return _problem(display, refused.code, refused.message, refused.hint, refused.where)
    except YAMLError as exc:
        return _yaml_problem(exc, text, display)
    if data is _EMPTY:
        return _problem(
            display,
            codes.YAML_EMPTY,
            "the file is empty",
            "write the component's keys, or delete the file",
            (1, 1),
        )
    if not isinstance(data, dict):
        message = f"the document is {_kind_of(data)}, not a mapping of keys to values"
        return _problem(
            display,
            codes.YAML_NOT_MAPPING,
            message,
            "write 'key: value' lines at the top level",
            (1, 1),
        )
    return ParsedFile(path, display, data, Positions(text))


def _problem(
    display: str, code: str, message: str, hint: str | None, where: Where | None = None
) -> Diagnostic:
    line, column = where or (None, None)
    return Diagnostic(display, line, column, code, message, hint)


# -- Bytes to text ----------------------------------------------------------------------


def _read(path: Path, display: str, limits: Limits) -> bytes | Diagnostic:
    try:
        # Non-blocking, so that a FIFO is refused below instead of waiting for a writer;
        # fstat() then describes the very file that is read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _problem(
                    display,
                    codes.FILE_UNREADABLE,
                    "not a regular file",
                    "pack YAML files must be plain files",
                )
            if info.st_size > limits.max_bytes:
                return _too_large(display, info.st_size, limits)
            raw = _read_open(fd, info.st_size, limits.max_bytes)
        finally:
            os.close(fd)
    except OSError as exc:
        return _problem(
            display,
            codes.FILE_UNREADABLE,
            f"cannot read the file: {exc.strerror}",
            "check that the file exists and is readable",
        )
    return _too_large(display, len(raw), limits) if len(raw) > limits.max_bytes else raw


_GROWN_CHUNK = 64 * 1024


def _read_open(fd: int, size: int, limit: int) -> bytes:
    """The bytes of an open file of ``size`` bytes, read on past ``size`` if it has
    grown, but not past one byte over ``limit``. Each read asks for what is expected:
    asking for the limit at once would allocate that much for every file."""
    raw = b""
    while len(raw) <= limit:
        if len(raw) <= size:
            wanted = size + 1 - len(raw)
        else:  # it has grown since fstat()
            wanted = min(_GROWN_CHUNK, limit + 1 - len(raw))
        chunk = os.read(fd, wanted)
        if not chunk:
            break
        raw += chunk
    return raw


def _too_large(display: str, size: int, limits: Limits) -> Diagnostic:
    message = (
        f"the file is {_size(size)}, more than the {_size(limits.max_bytes)} "
        "allowed for a pack YAML file"
    )
    return _problem(
        display,
        codes.FILE_TOO_LARGE,
        message,
        "pack files describe components and are small; is this the right file?",
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} bytes"


def _decode(raw: bytes, display: str) -> str | Diagnostic:
    if raw.startswith(_WIDE_BOMS):
        return _problem(
            display,
            codes.YAML_ENCODING,
            "the file is UTF-16 or UTF-32 text",
            "save it as UTF-8",
            (1, 1),
        )
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return _problem(
            display,
            codes.YAML_BINARY,
            f"the file holds binary data (a NUL byte at offset {nul})",
            "pack YAML files are text; is this the right file?",
            _byte_position(raw, nul),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return _problem(
            display,
            codes.YAML_ENCODING,
            message,
            "save the file as UTF-8",
            _byte_position(raw, exc.start),
        )


def _byte_position(raw: bytes, offset: int) -> Where:
    """1-based line and column (in characters) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _text_position(text: str, index: int) -> Where:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


# -- Events to data ---------------------------------------------------------------------

_EMPTY = object()  # a stream without a document; a mapping waiting for a key
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
        self.key: Any = _EMPTY  # a mapping's key waiting for its value
        self.key_mark: Any = None
        self.merges: list[tuple[Any, Any]] | None = None


def _check_anchor_unused(event: Any, anchors: dict[str, Any], open_anchors: set[str]) -> None:
    """A second anchor of one name would make its aliases ambiguous to the reader."""
    if event.anchor in anchors or event.anchor in open_anchors:
        raise _Refused(
            codes.YAML_SYNTAX,
            f"the anchor &{event.anchor} is defined twice",
            "give each anchor a name of its own",
            event.start_mark,
        )


def _build(events: Iterator[Any], limits: Limits) -> Any:
    """The document of an event stream, with every limit enforced on the way."""
    frames: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, its node count)
    open_anchors: set[str] = set()
    nodes = 0
    root: Any = _EMPTY
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
                raise _nesting(limits, event.start_mark)
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
                raise _Refused(
                    codes.YAML_TOO_DEEP,
                    f"the alias *{event.anchor} repeats a value that contains it",
                    "a recursive alias nests forever; remove it",
                    event.start_mark,
                )
            if event.anchor not in anchors:
                raise _Refused(
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
                raise _Refused(
                    codes.YAML_MULTIPLE_DOCUMENTS,
                    "a second YAML document starts here",
                    "a pack file holds one document; move the rest to a file of its own",
                    event.start_mark,
                )
            if event.version not in (None, (1, 2)):
                raise _Refused(
                    codes.YAML_SYNTAX,
                    "only YAML 1.2 documents are accepted",
                    "remove the %YAML directive",
                    event.start_mark,
                )
            continue
        else:
            continue
        if nodes > limits.max_nodes:
            raise _Refused(
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
    if value is _MERGE_KEY and (type(container) is list or frame.key is not _EMPTY):
        raise _Refused(
            codes.YAML_SYNTAX,
            "'<<' is YAML's merge key, not a value",
            "quote it to make it text",
            event.start_mark,
        )
    if type(container) is list:
        container.append(value)
        return
    if frame.key is _EMPTY:
        frame.key = value if type(value) is str or value is _MERGE_KEY else _bad_key(value, event)
        frame.key_mark = event.start_mark
        return
    key, frame.key = frame.key, _EMPTY
    if key is _MERGE_KEY:
        if frame.merges is None:
            frame.merges = []
        frame.merges.append((value, event.start_mark))
    elif key in container:
        refused = _Refused(
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
    raise _Refused(
        codes.YAML_KEY_NOT_STRING,
        f"the key {_show(value)} is {_kind_of(value)}, not text",
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
                raise _Refused(
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
        raise _tag_refused(event)


def _tag_refused(event: Any) -> _Refused:
    tag = str(event.tag).replace(_YAML_TAG, "!!")
    return _Refused(
        codes.YAML_TAG,
        f"the YAML tag '{tag}' is not allowed",
        "write plain values; only the standard JSON-compatible tags are accepted",
        event.start_mark,
    )


def _scalar(event: Any) -> Any:
    value: str = event.value
    if event.implicit[0]:
        tag = _implicit_tag(value)
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
        raise _Refused(
            codes.YAML_SYNTAX,
            f"'{value}' cannot be read as {tag.replace(_YAML_TAG, '!!')}",
            "quote it to keep it as text",
            event.start_mark,
        ) from exc
    if converted is _TAG_REFUSED:
        raise _tag_refused(event) if not event.implicit[0] else _not_json(value, tag, event)
    if isinstance(converted, float) and not math.isfinite(converted):
        raise _not_json(value, tag, event)
    return converted


def _implicit_tag(value: str) -> str | None:
    for tag, pattern in _IMPLICIT.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return None


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


def _not_json(value: str, tag: str, event: Any) -> _Refused:
    if tag == _TIMESTAMP:
        message = f"the value {value} is a date, which has no JSON form"
    elif tag == _FLOAT:
        message = f"the value {value} is NaN or infinity, which JSON cannot hold"
    else:  # '=' and the like: plain scalars YAML gives a meaning of its own
        message = f"the plain value '{value}' has a special meaning in YAML"
    return _Refused(
        codes.YAML_NOT_JSON, message, f'quote it to make it text: "{value}"', event.start_mark
    )


def _nesting(limits: Limits, mark: Any) -> _Refused:
    return _Refused(
        codes.YAML_TOO_DEEP,
        f"values are nested more than {limits.max_depth} levels deep",
        "flatten the structure",
        mark,
    )


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    return "text" if isinstance(value, str) else "empty (null)"


def _yaml_problem(exc: YAMLError, text: str, display: str) -> Diagnostic:
    if isinstance(exc, ReaderError):
        message = (
            f"the file holds the control character U+{exc.character:04X}, which YAML does not allow"
        )
        return _problem(
            display,
            codes.YAML_BINARY,
            message,
            "remove it; pack YAML files are plain text",
            _text_position(text, exc.position),
        )
    if not isinstance(exc, MarkedYAMLError):
        return _problem(display, codes.YAML_SYNTAX, f"not valid YAML: {exc}", None)
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line + 1, mark.column + 1) if mark else None
    problem, context = exc.problem or "", exc.context or ""
    if "tab character" in problem or (mark and text[mark.index : mark.index + 1] == "\t"):
        return _problem(
            display,
            codes.YAML_TAB,
            "a tab character is used for indentation",
            "YAML indents with spaces only; replace the tab with spaces",
            where,
        )
    start = exc.context_mark
    began = f" that starts at line {start.line + 1}, column {start.column + 1}" if start else ""
    detail = f" ({context}{began})" if context else ""
    return _problem(
        display,
        codes.YAML_SYNTAX,
        f"YAML syntax error: {problem}{detail}",
        _syntax_hint(problem),
        where,
    )


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a ': ' inside a plain value starts a mapping; quote the value"
    return "check the indentation, quotes and brackets around this place"


def _first_occurrence(text: str, refused: _Refused) -> str:
    """`` (first at line N)`` for a duplicate key, found by following its path."""
    if refused.path is None:
        return ""
    first = _find(_events(text), refused.path, True)
    return f" (first at line {first[0]})" if first and first != refused.where else ""


# -- Positions --------------------------------------------------------------------------


class Positions:
    """``ParsedFile.position``: reads the events again and follows a DocPath to the
    place of its value (or key). A path that cannot be followed (a key that came from a
    merge) gives the place of the nearest enclosing value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, path: DocPath, key: bool = False) -> Where | None:
        try:
            return _find(_events(self.text), path, key)
        except YAMLError:
            return None

    def source(self, path: DocPath) -> str | None:
        """The text of the plain scalar at ``path`` as written (``3.10``, not ``3.1``)."""
        where = self(path, False)
        if where is None:
            return None
        lines = self.text.splitlines()
        line = lines[where[0] - 1] if where[0] <= len(lines) else ""
        token = _PLAIN_SCALAR.match(line, where[1] - 1)
        return token.group(0).rstrip() if token else None


class _Cursor:
    """Where the walk is inside one open collection."""

    __slots__ = ("index", "is_map", "key", "key_mark", "path")

    def __init__(self, path: DocPath | None, is_map: bool) -> None:
        self.path = path  # None inside a collection used as a key: no DocPath leads there
        self.is_map = is_map
        self.index = 0
        self.key: Any = _EMPTY
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
    if top.key is _EMPTY:  # this node is a key
        top.key = event.value if type(event) is ScalarEvent else None
        top.key_mark = event.start_mark
        return None, None
    path = None if top.key is None else (*top.path, top.key)
    key_mark, top.key = top.key_mark, _EMPTY
    return path, key_mark
