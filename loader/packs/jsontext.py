"""Compact JSON text of checked components: their row JSON.

A check of whole packs writes every component's row, and orjson writes them three
times as fast as the standard library (docs/performance.md).
Its import takes 4 ms, which a run that writes a few rows would not win back (a
no-op reload writes none, a reload of one file a few): it is imported only when a
check of a whole pack of :data:`MANY` files or more calls :func:`write_many`.

The text reads back to the data :mod:`json` would have written: orjson refuses an
integer beyond 64 bits, a key that is not a string and a lone surrogate, and json then
writes them as before. NaN and infinity never get here: the reader refuses them.
Everything is read back with json: orjson reads an integer beyond 64 bits, which a
pack's values may hold, as a float.
"""

from __future__ import annotations

import json
from types import ModuleType

# Rows that repay orjson's import: it saves 10-15 us each.
MANY = 300

_orjson: ModuleType | None = None  # once write_many() has imported it


def write_many() -> None:
    """Have :func:`dumps` use orjson from now on (in this process)."""
    global _orjson
    if _orjson is None:
        import orjson

        _orjson = orjson


def dumps(value: object) -> str:
    """``value`` as compact JSON text."""
    if _orjson is not None:
        try:
            text: str = _orjson.dumps(value).decode()
            return text
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"))
