"""Compact JSON text of checked components (row JSON, snapshots, the reload cache's
memory), written by orjson: three times as fast as the standard library, which a
first load pays for every row (docs/performance.md).

The text reads back to the data :mod:`json` would have written: orjson refuses an
integer beyond 64 bits, a key that is not a string and a lone surrogate, and json then
writes them as before. NaN and infinity never get here: the reader refuses them.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


def loads_own(text: str) -> Any:
    """The data of the loader's own records (a snapshot's lines, the reload cache's
    memory), whose integers are counts and positions. Not for rows: orjson reads an
    integer beyond 64 bits, which a pack's values may hold, as a float."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # a lone surrogate's escape, say: json's verdict
        return json.loads(text)
