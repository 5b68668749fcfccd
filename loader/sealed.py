"""What the loader writes for itself and reads back on a later run (a pack's snapshot,
the reload cache's entries): marshal's bytes, behind a line that names their format
and a CRC-32 of them, both tested before marshal reads anything.

marshal is not meant for data from others, and these files are not: they are the
loader's own, in its private cache directory. It reads back three to five times as
fast as JSON, as tuples, with nothing to split or scan.
"""

from __future__ import annotations

import marshal
import zlib
from typing import Any


def seal(magic: bytes, value: list[Any] | tuple[Any, ...]) -> bytes | None:
    """``value``'s bytes behind ``magic`` and their checksum; None when it holds a
    value of a type marshal does not write (a subclass of str, say)."""
    try:
        body = marshal.dumps(value)
    except ValueError:
        return None
    return magic + _checksum(body) + body


def unseal(magic: bytes, data: bytes) -> Any:
    """The value :func:`seal` wrote into ``data`` behind ``magic``. Raises ValueError
    (or EOFError) on data of another format, cut short or damaged."""
    start = len(magic) + 4
    body = memoryview(data)[start:]
    if not data.startswith(magic) or data[len(magic) : start] != _checksum(body):
        raise ValueError("not of this format, or damaged")
    return marshal.loads(body)


def _checksum(body: bytes | memoryview) -> bytes:
    """Enough to tell data cut short or damaged on disk (what it holds is trusted:
    the cache directory must be private)."""
    return zlib.crc32(body).to_bytes(4, "big")
