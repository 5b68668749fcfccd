"""A fast path for reading plain YAML files with yaml-rs, in front of the reader.

:func:`load` returns the data of a file only when it is certain that the reader in
``loader/packs/read/build.py`` would return the same data; otherwise it returns None and the
reader does the work (every diagnostic and every position still comes from it).
yaml-rs (Rust) parses a component file about eight times faster than the reader
(docs/performance.md), but it resolves some scalars differently, accepts some texts
libyaml refuses and has no limits of the reader's kind, so it is used only behind two
checks:

- a gate on the text, before yaml-rs sees it, that declines anything unusual: tags,
  anchors, aliases, directives, merge keys, explicit keys, document markers (but a
  leading ``---``), escapes, tabs, carriage returns and characters libyaml refuses or
  treats as line breaks, ``:`` followed by anything but a space, flow collections that
  span lines or hold ``|`` or ``>``, a block scalar with nothing after it or at the
  end of a text without a final line break, deep indentation and compact nested
  sequences (yaml-rs recurses on the C stack there and can crash the interpreter),
  and every plain token that starts like a number unless it is a plain decimal
  integer or fraction (``0``, ``-12``, ``0.5``) or a dotted version (``1.0.0``);
- a walk of the result that accepts only JSON-compatible data of the exact types
  (``str`` keys; ``str``, ``int``, ``float``, ``bool``, None, ``list``, ``dict``
  values), finite floats, the reader's depth and node limits, and no text that the
  reader's YAML 1.2 resolver would give another type had it been written plain.

A declined file costs the gate and, at worst, the yaml-rs parse: false negatives cost
only speed. yaml-rs is optional: without it every file goes to the reader.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from loader.packs.read.resolve import YAML_TAG, Resolvers

_STR_TAG = YAML_TAG + "str"


def _yaml_rs() -> Any:
    """yaml-rs, when installed; imported by name because it has no type stubs."""
    try:
        return importlib.import_module("yaml_rs")
    except ImportError:
        return None


_LIB = _yaml_rs()
_OPTIONS: dict[str, Any] = {}
if _LIB is not None:
    _OPTIONS = {
        "parse_datetime": False,
        "alias_limits": _LIB.AliasLimits(
            max_total_replayed_events=0,
            max_replay_stack_depth=0,
            max_alias_expansions_per_anchor=0,
        ),
        "duplicate_key_policy": _LIB.DuplicateKeyPolicy.Error,
    }


@dataclass
class Switch:
    """Whether the fast path is used, and how often it was taken or declined (for
    tests and benchmarks; nothing reports it)."""

    enabled: bool = _LIB is not None
    taken: int = 0
    declined: int = 0


SWITCH = Switch()

# The ASCII characters a plain file is made of: not those libyaml refuses, nor tabs
# and carriage returns, nor the indicators of tags, anchors, aliases, directives,
# explicit keys, and escapes: '!', '&', '*', '%', '?', '\\' (a character class).
_PLAIN_ASCII = r"\n\x20\x22-\x24\x27-\x29\x2b-\x3e\x40-\x5b\x5d-\x7e"


@cache
def _unusual_character() -> re.Pattern[str]:
    """A character that is not plain, for text beyond ASCII (which libyaml also refuses,
    or reads as a line break: NEL, LS, PS, a BOM); compiled on first need: its ranges
    take 7 ms."""
    return re.compile(
        f"[^{_PLAIN_ASCII}"
        r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )


_SEPARATORS = frozenset(" \n,[]{}:")
# What may come between a separator and the digit that starts a number.
_SIGNS = "+-._"


def _classes() -> dict[int, str]:
    """Each ASCII character's class for :data:`_CLASSES`."""
    unusual = re.compile(f"[^{_PLAIN_ASCII}]")
    classes = {}
    for code in range(128):
        c = chr(code)
        if unusual.match(c):
            classes[code] = "!"
        elif c.isdigit():
            classes[code] = "0"
        else:
            classes[code] = " " if c in _SEPARATORS else "." if c in _SIGNS else "a"
    return classes


# ASCII text with every character replaced by its class: '!' unusual, '0' a digit,
# ' ' a separator, '.' a sign, dot or underscore, 'a' anything else. str.translate
# does that with one table lookup per character, and the gate then looks for
# substrings, which is much faster than a regular expression's scan (50 to 70
# instructions per character).
_CLASSES = _classes()


_CHECKS = tuple(
    re.compile(pattern)
    for pattern in (
        r":[^ \n]",  # 'a:1' is one scalar to libyaml, a key and a value to yaml-rs in a flow
        r"\n(?:---|\.\.\.|[ ]{128})",  # document markers; indentation that nests deep
        r"-[ ]+-(?:\s|$)",  # '- - x': one nesting level per two characters
        r"\.[iInN](?<=[\s,\[\]{}:+\-]\.[iInN])",  # .inf, .nan
    )
)
_BLOCK_INDICATOR_CHECKS = (
    re.compile(r"[\[{][^\n]*[|>]"),  # '[>]' is text to yaml-rs, an error to libyaml
    re.compile(r"[|>][^\n]*(?:\n[ ]*(?:#[^\n]*)?)*\Z"),  # an empty block scalar at the end
)
# The numbers both readers read alike, and dotted versions (text to both).
_SAFE_NUMBER = re.compile(
    r"(?:-?(?:0|[1-9][0-9]{0,15})(?:\.[0-9]{1,15})?|[0-9]{1,9}(?:\.[0-9]{1,9}){2,3})"
    r"(?=[ \n,\[\]{}]|\Z)"
)
_LEADING_MARKER = "---\n"
# _closed strips one nesting level per pass; past this many openings, decline instead.
_MAX_FLOW_OPENINGS = 256
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_INNER_FLOW = re.compile(r"\{[^\[\]{}]*\}|\[[^\[\]{}]*\]")


def gate(text: str) -> bool:
    """Whether ``text`` is plain enough for yaml-rs (cheap and conservative)."""
    body = text[len(_LEADING_MARKER) :] if text.startswith(_LEADING_MARKER) else text
    lines = "\n" + body
    classes = lines.translate(_CLASSES)
    if body.isascii():
        if "!" in classes:
            return False
    elif _unusual_character().search(body):
        return False
    if "<<" in body or any(check.search(lines) for check in _CHECKS):
        return False
    if ("|" in body or ">" in body) and (
        not body.endswith("\n")  # yaml-rs ends a last block scalar with a line break
        or any(check.search(body) for check in _BLOCK_INDICATOR_CHECKS)
    ):
        return False
    if not all(_plain_number(lines, digit) for digit in _number_digits(classes)):
        return False
    if body.count("[") + body.count("{") > _MAX_FLOW_OPENINGS:
        return False  # hostile nesting: the reader refuses it in linear time
    return all(_closed(line) for line in _flow_lines(body))


def _number_digits(classes: str) -> Iterator[int]:
    """The digits that may start a number: after a separator, a sign, a dot or an
    underscore (yaml-rs reads '_0' as 0)."""
    for before in " .":
        at = classes.find(before + "0")
        while at >= 0:
            yield at + 1
            at = classes.find(before + "0", at + 2)


def _plain_number(text: str, digit: int) -> bool:
    """Whether the token around ``digit`` is not a number, or one of the safe forms."""
    start = digit
    while text[start - 1] in _SIGNS:
        start -= 1
    if text[start - 1] not in _SEPARATORS:
        return True  # inside a word: 'p0008-141', 'v1.2'
    return _SAFE_NUMBER.match(text, start) is not None


def _flow_lines(body: str) -> Iterator[str]:
    """The lines of ``body`` that hold a '[' or a '{', each once."""
    at = _next_opening(body, 0)
    while at >= 0:
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        yield body[body.rfind("\n", 0, at) + 1 : end]
        at = _next_opening(body, end)


def _next_opening(body: str, start: int) -> int:
    square, curly = body.find("[", start), body.find("{", start)
    return square if curly < 0 or 0 <= square < curly else curly


def _closed(line: str) -> bool:
    """Whether every flow collection of a line closes on that line (quoted text aside).
    A key of a flow mapping may not span lines for the reader, while yaml-rs folds it
    into one line; and the gate's other checks look at one line at a time."""
    if line.count("[") == 1 == line.count("]") and not any(c in line for c in "{}'\""):
        return line.index("[") < line.index("]")  # most lines: one list, nothing quoted
    line = _QUOTED.sub("", line)
    while True:
        inner = _INNER_FLOW.sub("", line)
        if inner == line:
            return not any(c in line for c in "[]{}")
        line = inner


def load(text: str, max_depth: int, max_nodes: int, resolvers: Resolvers) -> dict[str, Any] | None:
    """The data of ``text`` when the fast path is certain to agree with the reader, a
    mapping; None when the reader must read it. ``resolvers`` is the reader's implicit
    resolver table (first character -> (tag, pattern) of plain scalars)."""
    if not SWITCH.enabled or not gate(text):
        SWITCH.declined += 1
        return None
    try:
        data = _LIB.loads(text, **_OPTIONS)
        nodes = _nodes(data, 0, max_depth, resolvers) if type(data) is dict else -1
    except Exception:  # any refusal, and RecursionError: the reader decides
        nodes = -1
    if not 0 <= nodes <= max_nodes:
        SWITCH.declined += 1
        return None
    SWITCH.taken += 1
    result: dict[str, Any] = data
    return result


# Strings known to stay text when written plain; bounded, as file contents vary.
_TEXT_CACHE: dict[str, bool] = {}
_TEXT_CACHE_SIZE = 4096


def _stays_text(value: str, resolvers: Resolvers) -> bool:
    """Whether ``value``, written plain, is still text to the reader (not ``5``,
    ``true``, ``null``, ``=``, ``<<``, a date...)."""
    known = _TEXT_CACHE.get(value)
    if known is not None:
        return known
    text = True
    for tag, pattern in resolvers.get(value[:1], ()):
        if pattern.match(value):
            text = tag == _STR_TAG
            break
    if len(_TEXT_CACHE) < _TEXT_CACHE_SIZE and len(value) <= 40:
        _TEXT_CACHE[value] = text
    return text


def _nodes(value: Any, open_collections: int, max_depth: int, resolvers: Resolvers) -> int:
    """The reader's node count of a yaml-rs collection (itself, its keys and values,
    and theirs), or -1 when it is not plain JSON-compatible data within ``max_depth``
    or holds text the reader would give another type."""
    if open_collections >= max_depth:
        return -1
    if type(value) is dict:
        for key in value:
            # The cache answers for most keys; the call is for new ones.
            if type(key) is not str or not (_TEXT_CACHE.get(key) or _stays_text(key, resolvers)):
                return -1
        nodes = 1 + 2 * len(value)
        items = value.values()
    else:
        nodes = 1 + len(value)
        items = value
    for item in items:
        kind = type(item)
        if kind is str:
            if not (_TEXT_CACHE.get(item) or _stays_text(item, resolvers)):
                return -1
        elif kind is dict or kind is list:
            inner = _nodes(item, open_collections + 1, max_depth, resolvers)
            if inner < 0:
                return -1
            nodes += inner - 1  # counted once already as a value
        elif kind is float:
            if not math.isfinite(item):
                return -1
        elif not (kind is int or kind is bool or item is None):
            return -1
    return nodes
