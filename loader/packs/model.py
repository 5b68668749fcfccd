"""The data that flows between stages: parsed files, packs and their components.

A large load keeps every component until it is written, so once a pack has been
checked its components let go of what only the checks needed: a file's data and
text are read again if a later diagnostic needs a place in it, and the column
values are kept as the compact JSON a write sends (see :meth:`Component.freeze`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from loader.kinds import Kind
from loader.packs import jsontext
from loader.report.diagnostics import Severity

# A path into a parsed document: mapping keys and sequence indexes.
DocPath = tuple[str | int, ...]
Where = tuple[int, int]
Positioner = Callable[[DocPath, bool], Where | None]
# Parses a file (path, display) again: a ParsedFile, or a Diagnostic when it cannot.
Reread = Callable[[Path, str], object]


def _nowhere(path: DocPath, key: bool = False) -> Where | None:
    return None


class ParsedFile:
    """A YAML file that parsed cleanly.

    ``position(path, key)`` returns the 1-based (line, column) of the value at ``path``
    (or of its key, when ``key=True``), or None when it cannot be located; it may
    re-read the file, so it is called only when a diagnostic needs a place.
    """

    __slots__ = ("_data", "_path", "_position", "_reread", "display")

    def __init__(self, path: Path, display: str, data: Any, position: Positioner) -> None:
        self._path: Path | str = path
        self.display = display
        self._data: Any = data
        self._position: Positioner | None = position
        self._reread: Reread | None = None

    @classmethod
    def forgotten(cls, path: str, display: str, reread: Reread) -> ParsedFile:
        """A file as :meth:`forget` leaves it, without having read it first."""
        parsed = cls.__new__(cls)  # no Path made: see path_text
        parsed._path = display if path == display else path
        parsed.display = display
        parsed._data, parsed._position, parsed._reread = None, None, reread
        return parsed

    @property
    def path(self) -> Path:
        return self._path if isinstance(self._path, Path) else Path(self._path)

    @property
    def path_text(self) -> str:
        """The path as text, without making a Path of a forgotten file's: counting a
        100,000-file load's files by ``path`` took a second of pathlib."""
        return str(self._path)

    @property
    def data(self) -> Any:
        if self._position is None:
            self._restore()
        return self._data

    @property
    def position(self) -> Positioner:
        if self._position is None:
            self._restore()
        assert self._position is not None
        return self._position

    def forget(self, reread: Reread) -> None:
        """Drop the data and the text (and keep the path as plain text: a Path object
        weighs more than the rest of a checked component); ``reread(path, display)``
        parses the file again when either is next needed. It travels between
        processes with the file, so it must pickle; one per pack will do."""
        text = str(self._path)
        self._path = self.display if text == self.display else text  # often the same text
        self._data, self._position, self._reread = None, None, reread

    def _restore(self) -> None:
        again = self._reread(self.path, self.display) if self._reread is not None else None
        if isinstance(again, ParsedFile):
            self._data, self._position = again.data, again.position
        else:  # changed or gone since it was checked: no place to show
            self._data, self._position = {}, _nowhere


class Reference(NamedTuple):
    """A ref a component names, the target kind, and where the file names it.

    ``alternatives`` are tried in order when ``ref`` is not found (a renamed target,
    :attr:`Link.fallbacks`); the link ``column`` then points at the first one found."""

    target: str
    ref: str
    path: DocPath
    severity: Severity = Severity.ERROR
    alternatives: tuple[str, ...] = ()
    column: str | None = None


@dataclass(slots=True)
class Component:
    """One component in its normalised form: column values plus references by ref."""

    kind: Kind
    ref: str
    pack_ref: str
    _values: dict[str, Any] | None
    links: dict[str, str | None]
    source: ParsedFile
    # The list refs named in Link.also_checked, keyed by link column.
    checked_refs: dict[str, list[str]] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    # Made by the loader from another component (a workflow's companion action) and
    # placed in its file: its problems are that component's.
    derived: bool = False
    _row: str | None = None

    @property
    def values(self) -> dict[str, Any]:
        """Column -> value; decoded afresh from the row once frozen (not kept)."""
        if self._values is not None:
            return self._values
        row = self.row()
        return {f.column: row[f.column] for f in self.kind.fields}

    def row(self) -> dict[str, Any]:
        """:meth:`row_json` as a dict (a fresh one each time)."""
        return json.loads(self._row) if self._row is not None else self._desired()

    def row_json(self) -> str:
        """The row this component should be, as compact JSON: ``ref``, ``pack_ref``
        (for kinds owned by a pack), the column values, and per link its target ref
        under ``<column>@ref`` and in its ``*_ref`` column."""
        if self._row is not None:
            return self._row
        return jsontext.dumps(self._desired())

    def _desired(self) -> dict[str, Any]:
        assert self._values is not None  # not frozen
        kind = self.kind
        row: dict[str, Any] = {"ref": self.ref}
        if kind.has_pack_column:
            row["pack_ref"] = self.pack_ref
        row.update(self._values)
        for link in kind.links:
            target = self.links.get(link.column)
            row[link.ref_key] = target
            if link.ref_column:
                row[link.ref_column] = target
        return row

    def retarget(self, reference: Reference, ref: str) -> None:
        """Point the link that ``reference`` came from at ``ref`` instead (one of its
        alternatives), in the values and in the row a write sends."""
        link = next(k for k in self.kind.links if k.column == reference.column)
        self.links[link.column] = ref
        self.references = tuple(
            r._replace(ref=ref, alternatives=()) if r is reference else r for r in self.references
        )
        if self._row is not None:  # frozen: the row is all there is
            row = json.loads(self._row)
            row[link.ref_key] = ref
            if link.ref_column:
                row[link.ref_column] = ref
            self._row = jsontext.dumps(row)

    def freeze(self) -> None:
        """Keep the values only as :meth:`row_json`: a fifth of the memory, and it
        is what a write sends anyway."""
        self._row = self.row_json()
        self._values = None


@dataclass(slots=True)
class Pack:
    ref: str
    root: Path
    manifest: Component
    components: list[Component] = field(default_factory=list)
    # The kind folders the pack has (Kind.managing_folders): it manages only those kinds'
    # rows. None: every kind (a pack not read from a directory).
    folders: frozenset[str] | None = None
    # Checked from a snapshot (loader.packs.snapshot): the kinds and refs of the
    # components checked again, when they are the ones the snapshot had in their files.
    rechecked: frozenset[tuple[str, str]] | None = None

    def all_components(self) -> list[Component]:
        return [self.manifest, *self.components]

    def manages(self, kind: Kind) -> bool:
        """Whether the pack owns the set of ``kind`` rows: with none of its folders, the
        rows it has in the database were made by something else (an older pack, an
        operator) and are kept, whatever the absent policy says."""
        folders = kind.managing_folders
        return self.folders is None or not folders or not self.folders.isdisjoint(folders)
