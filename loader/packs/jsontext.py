"""Compact JSON text of checked components (row JSON, snapshots, the reload cache's
memory), by orjson: three times as fast as the standard library both ways, which a
first load pays for every row (docs/performance.md).

The data are what the same text through :mod:`json` gives: where orjson would differ,
the standard library does the work. orjson refuses an integer beyond 64 bits, a key
that is not a string and a lone surrogate (json then writes them as before); it reads
an integer beyond 64 bits as a float, so text that may hold one is read by json, as
is text orjson refuses (json's own errors are raised).
NaN and infinity never get here: the reader refuses them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Any run of 19 digits: an integer orjson may not read exactly (a string or a long
# fraction holding one is read by json too, to the same data).
_MAYBE_WIDE = re.compile(r"\d{19}")


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


def loads(text: str) -> Any:
    """The data of JSON text, as :func:`json.loads` reads it."""
    if _MAYBE_WIDE.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # a lone surrogate's escape, or not JSON at all
            pass
    return json.loads(text)
