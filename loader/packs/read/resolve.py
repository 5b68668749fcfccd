"""The types the reader gives plain scalars: YAML 1.2's implicit resolution, as ruamel.yaml
does it (its 1.2 table has ruamel's extras: ``_`` in numbers, ``0o`` optional, dates,
``<<``, ``=``).

The table is written here instead of taken from ruamel.yaml so that reading a plain file
(the fast path) does not import ruamel.yaml, which takes 10 ms: a reload whose changed
files are all plain never needs it. ``tests/validation/test_resolve.py`` holds the
table to ruamel's own, scalar for scalar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

YAML_TAG = "tag:yaml.org,2002:"
_DIGITS = "0123456789"
_EXPONENT = r"[eE][-+]?[0-9]+"
_TIME = (
    r"(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"
)

# (type, the first characters it is tried for, pattern), tried in this order. Each
# pattern must match the whole scalar (a final line break aside, as re's '$' allows).
_RESOLVERS: tuple[tuple[str, str, str], ...] = (
    ("bool", "tTfF", r"[Tt]rue|TRUE|[Ff]alse|FALSE"),
    (
        "float",
        "-+." + _DIGITS,
        rf"[-+]?[0-9][0-9_]*(?:\.[0-9_]*(?:{_EXPONENT})?|{_EXPONENT})"
        r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"  # a sign is required in this exponent
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
    ),
    ("int", "-+" + _DIGITS, r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)"),
    ("merge", "<", "<<"),
    ("null", "~nN", "~|null|Null|NULL"),
    ("timestamp", _DIGITS, rf"[0-9]{{4}}-(?:[0-9][0-9]-[0-9][0-9]|[0-9][0-9]?-[0-9][0-9]?{_TIME})"),
    ("value", "=", "="),
    ("yaml", "!&*", r"[!&*]"),
)

# First character -> (tag, pattern) of plain scalars.
Resolvers = Mapping[str, Sequence[tuple[str, re.Pattern[str]]]]
_Table = dict[str, list[tuple[str, re.Pattern[str]]]]


def _table() -> _Table:
    # The empty scalar is null; only the empty scalar is looked up under "".
    table: _Table = {"": [(YAML_TAG + "null", re.compile(""))]}
    for name, firsts, pattern in _RESOLVERS:
        compiled = re.compile(f"(?:{pattern})$")
        for char in firsts:
            table.setdefault(char, []).append((YAML_TAG + name, compiled))
    return table


IMPLICIT: Resolvers = _table()


def implicit_tag(value: str) -> str | None:
    """The tag the reader gives ``value`` written plain; None for text."""
    for tag, pattern in IMPLICIT.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return None
