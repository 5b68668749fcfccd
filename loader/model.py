"""The data that flows between stages: parsed files, packs and their components."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.kinds import Kind

# A path into a parsed document: mapping keys and sequence indexes.
DocPath = tuple[str | int, ...]


@dataclass
class ParsedFile:
    """A YAML file that parsed cleanly.

    ``position(path)`` returns the 1-based (line, column) of the value at ``path``
    (or of its key, when ``key=True``), or None when it cannot be located; it may
    re-read the file, so it is called only when a diagnostic needs a place.
    """

    path: Path
    display: str
    data: Any
    position: Callable[[DocPath, bool], tuple[int, int] | None]


@dataclass
class Component:
    """One component in its normalised form: column values plus references by ref."""

    kind: Kind
    ref: str
    pack_ref: str
    values: dict[str, Any]
    links: dict[str, str | None]
    source: ParsedFile
    # The list refs named in Link.also_checked, keyed by link column.
    checked_refs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Pack:
    ref: str
    root: Path
    manifest: Component
    components: list[Component] = field(default_factory=list)

    def all_components(self) -> list[Component]:
        return [self.manifest, *self.components]
