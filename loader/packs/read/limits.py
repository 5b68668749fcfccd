"""The per-file limits of the reader."""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    """Per-file limits; each refusal is a diagnostic, never an exception."""

    max_bytes: int = 1024 * 1024
    max_nodes: int = 100_000  # values, an alias counting as the values it repeats
    max_depth: int = 64


DEFAULT_LIMITS = Limits()
