"""One pack's check, file by file, kept so that a reload checks only the files that changed.

A snapshot holds the pack's manifest component, the files actions name as workflows,
the metadata of every file under the pack taken before any was read, the diagnostics
about no component file, and those of rule parameters, which depend on other files;
then each component file in the order a check reads them, with its diagnostics and
its components, frozen (their rows as row JSON).

It is written with :mod:`marshal`, sealed (:mod:`loader.sealed`): reading back the
snapshot of a pack of 1,000 files takes 47% fewer instructions than the JSON lines it
replaced (40 M against 75 M). A file's entry is written back as it was read when the
file is unchanged.

A later check of the same pack takes the entries of the files whose metadata is the
same and checks the others again (:func:`changed_files`), as long as nothing but
component files changed: any file added, removed or renamed, the manifest, a
workflow file an action names, or an action naming one, and the pack is checked
whole. What the pack's own components need of each other (rule parameters against
its actions) is checked again over all of them; what needs other packs is checked
after, as for every pack. The result is what a check of the whole pack finds, and
``tests/loading/test_incremental_reload.py`` holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from loader.kinds import KINDS_BY_NAME
from loader.packs.metadata import Meta
from loader.packs.model import Component, ParsedFile, Reference, Reread
from loader.report.diagnostics import Diagnostic, Severity
from loader.sealed import seal, unseal

# Before the checksum: another format is never taken for this one.
_MAGIC = b"attune-loader snapshot 3\n"

# A file's entry as written: (rel, kind, linked, diagnostics, components).
Entry = tuple[Any, ...]


class FileRecord(NamedTuple):
    """A component file as checked: what it became and what was found in it."""

    rel: str  # its path under the pack root
    kind: str
    linked: bool  # it names another file (an action's workflow_file)
    components: list[Component]
    diagnostics: list[Diagnostic]


class Snapshot(NamedTuple):
    """A decoded snapshot: its header's fields and its component files."""

    root: str  # the pack path as given (diagnostics name files under it)
    manifest: Component
    files_checked: int
    used: frozenset[str]  # real paths of the files actions name as workflows
    metadata: dict[str, Meta | None]  # path under the root -> metadata when checked
    other: list[Diagnostic]  # about no component file (the manifest, stray folders)
    params: list[Diagnostic]  # rule parameters against the pack's own targets
    files: list[FileRecord]
    entries: list[Entry]  # each file's as read, to be written back as it is


def encode(
    *,
    root: str,
    manifest: Component,
    files_checked: int,
    used: Iterable[str],
    metadata: dict[str, Meta | None],
    other: Sequence[Diagnostic],
    params: Sequence[Diagnostic],
    files: Sequence[FileRecord | Entry] = (),
) -> bytes | None:
    """The snapshot's bytes: the header, then each of ``files``, or its entry when it
    is given as one (a file of a snapshot read: :attr:`Snapshot.entries`). None when
    a value is of a type marshal does not write (a subclass of str, say): the pack is
    then checked whole next time, which is all a snapshot saves."""
    header = {
        "root": root,
        "manifest": _component_entry(manifest),
        "files_checked": files_checked,
        "used": sorted(used),
        "metadata": metadata,
        "other": [d.to_json() for d in other],
        "params": [d.to_json() for d in params],
    }
    entries = [_file_entry(f) if isinstance(f, FileRecord) else f for f in files]
    return seal(_MAGIC, (header, entries))


def _file_entry(record: FileRecord) -> Entry:
    diagnostics = [d.to_json() for d in record.diagnostics]
    components = [_component_entry(c) for c in record.components]
    return (record.rel, record.kind, record.linked, diagnostics, components)


def decode(data: bytes, reread: Reread) -> Snapshot:
    """The snapshot in ``data``; a file's components read it again with ``reread``
    when a diagnostic needs a place in it. Raises ValueError (or EOFError, KeyError,
    TypeError, IndexError) on data that is not a snapshot."""
    header, entries = unseal(_MAGIC, data)
    files = []
    for rel, kind, linked, diagnostics, components in entries:
        sources: dict[str, ParsedFile] = {}  # one per file, as a check makes them
        found = [_component(c, sources, reread) for c in components]
        files.append(FileRecord(rel, kind, linked, found, [_diagnostic(d) for d in diagnostics]))
    return Snapshot(
        header["root"],
        _component(header["manifest"], {}, reread),
        header["files_checked"],
        frozenset(header["used"]),
        header["metadata"],
        [_diagnostic(d) for d in header["other"]],
        [_diagnostic(d) for d in header["params"]],
        files,
        entries,
    )


def changed_files(snapshot: Snapshot, metadata: dict[str, Meta | None]) -> list[int] | None:
    """The positions of the component files whose metadata differs from the snapshot's;
    None when anything else changed (see the module's docstring)."""
    if metadata.keys() != snapshot.metadata.keys():
        return None  # a file added, removed or renamed
    changed = {rel for rel, now in metadata.items() if not now or now != snapshot.metadata[rel]}
    positions = [i for i, f in enumerate(snapshot.files) if f.rel in changed]
    if len(positions) != len(changed) or any(snapshot.files[i].linked for i in positions):
        return None  # the manifest, a file that is no component's, or an action's workflow
    return positions


def _component_entry(c: Component) -> Entry:
    references = tuple(
        (r.target, r.ref, tuple(r.path), r.severity.value, tuple(r.alternatives), r.column)
        for r in c.references
    )
    path = c.source.path_text
    display = None if c.source.display == path else c.source.display  # mostly the same
    return (c.kind.name, c.ref, c.pack_ref, c.links, c.checked_refs, references, c.derived,
            path, display, c.row_json())  # fmt: skip


def _component(entry: Entry, sources: dict[str, ParsedFile], reread: Reread) -> Component:
    kind, ref, pack_ref, links, checked, references, derived, path, display, row = entry
    source = sources.get(path)
    if source is None:
        shown = path if display is None else display
        source = sources[path] = ParsedFile.forgotten(path, shown, reread)
    return Component(
        KINDS_BY_NAME[kind],
        ref,
        pack_ref,
        None,
        links,
        source,
        checked,
        tuple(Reference(t, r, p, _SEVERITIES[s], a, c) for t, r, p, s, a, c in references),
        derived,
        row,
    )


_SEVERITIES = {s.value: s for s in Severity}


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(**{**d, "severity": _SEVERITIES[d["severity"]]})
