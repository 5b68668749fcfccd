"""One pack's check, file by file, kept so that a reload checks only the files that changed.

A snapshot is text: a header line (the pack's manifest component, the
files actions name as workflows, the metadata of every file under the pack taken
before any was read, the diagnostics about no component file, and those of rule
parameters, which depend on other files), then a line per component file in the
order a check reads them: its components, frozen, and its diagnostics.

A later check of the same pack takes the lines of the files whose metadata is the
same and checks the others again (:func:`changed_files`), as long as nothing but
component files changed: any file added, removed or renamed, the manifest, a
workflow file an action names, or an action naming one, and the pack is checked
whole. What the pack's own components need of each other (rule parameters against
its actions) is checked again over all of them; what needs other packs is checked
after, as for every pack. The result is what a check of the whole pack finds, and
``tests/loading/test_file_reload.py`` holds it to that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from loader.kinds import KINDS_BY_NAME
from loader.packs.model import Component, ParsedFile, Reference, Reread
from loader.report.diagnostics import Diagnostic, Severity


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
    ref: str
    manifest: Component
    files_checked: int
    used: frozenset[str]  # real paths of the files actions name as workflows
    metadata: dict[str, str]  # path under the root -> metadata when checked
    other: list[Diagnostic]  # about no component file (the manifest, stray folders)
    params: list[Diagnostic]  # rule parameters against the pack's own targets
    files: list[FileRecord]
    lines: list[str]  # the component files' lines as read, to write back unchanged


def encode(
    *,
    root: str,
    manifest: Component,
    files_checked: int,
    used: Iterable[str],
    metadata: dict[str, str],
    other: Sequence[Diagnostic],
    params: Sequence[Diagnostic],
    files: Sequence[FileRecord] = (),
    lines: Sequence[str] = (),
) -> str:
    """The snapshot's text: the header, then ``lines`` (already encoded) followed by
    a line for each of ``files``."""
    header = {
        "root": root,
        "manifest": _component_json(manifest),
        "files_checked": files_checked,
        "used": sorted(used),
        "metadata": metadata,
        "other": [d.to_json() for d in other],
        "params": [d.to_json() for d in params],
    }
    body = [*lines, *(file_line(f) for f in files)]
    return "".join(f"{line}\n" for line in [_dumps(header), *body])


def file_line(record: FileRecord) -> str:
    components = [_component_json(c) for c in record.components]
    diagnostics = [d.to_json() for d in record.diagnostics]
    return _dumps([record.rel, record.kind, record.linked, components, diagnostics])


def decode(text: str, reread: Reread) -> Snapshot:
    """The snapshot in ``text``; a file's components read it again with ``reread``
    when a diagnostic needs a place in it. Raises ValueError (or KeyError, TypeError)
    on text that is not a snapshot."""
    head, *lines = text.splitlines()
    header = json.loads(head)
    files = [_file(json.loads(line), reread) for line in lines]
    return Snapshot(
        str(header["root"]),
        str(header["manifest"][1]),
        _component(header["manifest"], {}, reread),
        int(header["files_checked"]),
        frozenset(str(u) for u in header["used"]),
        {str(k): str(v) for k, v in header["metadata"].items()},
        [_diagnostic(d) for d in header["other"]],
        [_diagnostic(d) for d in header["params"]],
        files,
        lines,
    )


def changed_files(snapshot: Snapshot, metadata: dict[str, str]) -> list[int] | None:
    """The positions of the component files whose metadata differs from the snapshot's;
    None when anything else changed (see the module's docstring)."""
    if metadata.keys() != snapshot.metadata.keys():
        return None  # a file added, removed or renamed
    changed = {rel for rel, now in metadata.items() if not now or now != snapshot.metadata[rel]}
    positions = [i for i, f in enumerate(snapshot.files) if f.rel in changed]
    if len(positions) != len(changed) or any(snapshot.files[i].linked for i in positions):
        return None  # the manifest, a file that is no component's, or an action's workflow
    return positions


def _file(item: list[Any], reread: Reread) -> FileRecord:
    rel, kind, linked, components, diagnostics = item
    sources: dict[str, ParsedFile] = {}  # one per file, as a check makes them
    return FileRecord(
        str(rel),
        str(kind),
        bool(linked),
        [_component(c, sources, reread) for c in components],
        [_diagnostic(d) for d in diagnostics],
    )


def _component_json(c: Component) -> list[Any]:
    references = [
        [r.target, r.ref, list(r.path), r.severity.value, list(r.alternatives), r.column]
        for r in c.references
    ]
    return [c.kind.name, c.ref, c.pack_ref, c.links, c.checked_refs, references, c.derived,
            c.row_json(), c.source.path_text, c.source.display]  # fmt: skip


def _component(item: list[Any], sources: dict[str, ParsedFile], reread: Reread) -> Component:
    kind, ref, pack_ref, links, checked, references, derived, row, path, display = item
    source = sources.get(path)
    if source is None:
        source = sources[path] = ParsedFile.forgotten(str(path), str(display), reread)
    return Component(
        KINDS_BY_NAME[kind],
        str(ref),
        str(pack_ref),
        None,
        dict(links),
        source,
        {str(k): [str(r) for r in v] for k, v in checked.items()},
        tuple(
            Reference(t, r, tuple(p), Severity(s), tuple(a), c) for t, r, p, s, a, c in references
        ),
        bool(derived),
        str(row),
    )


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(**{**d, "severity": Severity(d["severity"])})


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
