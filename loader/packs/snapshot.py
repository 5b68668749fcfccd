"""One pack's check, file by file, kept so that a reload checks only the files that changed.

A snapshot is text: a header line (the pack's manifest component, the files actions
name as workflows, the metadata of every file under the pack taken before any was
read, the diagnostics about no component file, and those of rule parameters, which
depend on other files), then each component file in the order a check reads them:
a line for the file and its diagnostics, and one for each of its components, frozen.

A later check of the same pack takes the lines of the files whose metadata is the
same and checks the others again (:func:`changed_files`), as long as nothing but
component files changed: any file added, removed or renamed, the manifest, a
workflow file an action names, or an action naming one, and the pack is checked
whole. What the pack's own components need of each other (rule parameters against
its actions) is checked again over all of them; what needs other packs is checked
after, as for every pack. The result is what a check of the whole pack finds, and
``tests/loading/test_incremental_reload.py`` holds it to that.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from loader.kinds import KINDS_BY_NAME
from loader.packs import jsontext
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
    manifest: Component
    files_checked: int
    used: frozenset[str]  # real paths of the files actions name as workflows
    metadata: dict[str, str]  # path under the root -> metadata when checked
    other: list[Diagnostic]  # about no component file (the manifest, stray folders)
    params: list[Diagnostic]  # rule parameters against the pack's own targets
    files: list[FileRecord]
    lines: list[str]  # as read: a file's lines are written back as they are
    spans: list[tuple[int, int]]  # each file's lines among them


def encode(
    *,
    root: str,
    manifest: Component,
    files_checked: int,
    used: Iterable[str],
    metadata: dict[str, str],
    other: Sequence[Diagnostic],
    params: Sequence[Diagnostic],
    files: Sequence[FileRecord | str] = (),
) -> str:
    """The snapshot's text: the header, then each of ``files``, or its lines when it
    is given as text (one file of a snapshot read: :func:`file_text`)."""
    header = {
        "root": root,
        "manifest": _component_line(manifest),
        "files_checked": files_checked,
        "used": sorted(used),
        "metadata": metadata,
        "other": [d.to_json() for d in other],
        "params": [d.to_json() for d in params],
    }
    texts = [file if isinstance(file, str) else "\n".join(_file_lines(file)) for file in files]
    body = "".join(f"{text}\n" for text in texts)
    header["body"] = _checksum(body)
    return f"{jsontext.dumps(header)}\n{body}"


def file_text(snapshot: Snapshot, position: int) -> str:
    """The lines of one file of a snapshot, as read."""
    start, end = snapshot.spans[position]
    return "\n".join(snapshot.lines[start:end])


def _file_lines(record: FileRecord) -> list[str]:
    """A file's lines: the file, then one per component. A component's line is its
    fields as JSON, a tab, and its row JSON as it is (it holds no raw tab or line
    break): a row is most of a snapshot, and is not decoded to be read back."""
    diagnostics = [d.to_json() for d in record.diagnostics]
    head = [record.rel, record.kind, record.linked, len(record.components), diagnostics]
    return [jsontext.dumps(head), *map(_component_line, record.components)]


def decode(text: str, reread: Reread) -> Snapshot:
    """The snapshot in ``text``; a file's components read it again with ``reread``
    when a diagnostic needs a place in it. Raises ValueError (or KeyError, TypeError,
    IndexError) on text that is not a snapshot."""
    head, _, body = text.partition("\n")
    header = json.loads(head)
    if header["body"] != _checksum(body):
        raise ValueError("the snapshot is damaged")  # cut short, say
    lines = [head, *body.split("\n")[:-1]]
    # Every line's JSON part in one parse: a call per line took twice as long.
    parts = [line.partition("\t") for line in lines[1:]]
    heads = json.loads(f"[{','.join(part[0] for part in parts)}]")
    files: list[FileRecord] = []
    spans: list[tuple[int, int]] = []
    at = 0
    while at < len(heads):
        rel, kind, linked, count, diagnostics = heads[at]
        sources: dict[str, ParsedFile] = {}  # one per file, as a check makes them
        end = at + 1 + count
        if end > len(heads):
            raise ValueError("a file's components are cut short")
        components = [
            _component(heads[i], parts[i][2], sources, reread) for i in range(at + 1, end)
        ]
        files.append(
            FileRecord(rel, kind, linked, components, [_diagnostic(d) for d in diagnostics])
        )
        spans.append((at + 1, end + 1))
        at = end
    manifest_head, _, manifest_row = header["manifest"].partition("\t")
    return Snapshot(
        header["root"],
        _component(json.loads(manifest_head), manifest_row, {}, reread),
        header["files_checked"],
        frozenset(header["used"]),
        header["metadata"],
        [_diagnostic(d) for d in header["other"]],
        [_diagnostic(d) for d in header["params"]],
        files,
        lines,
        spans,
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


def _component_line(c: Component) -> str:
    references = [
        [r.target, r.ref, list(r.path), r.severity.value, list(r.alternatives), r.column]
        for r in c.references
    ]
    path = c.source.path_text
    display = None if c.source.display == path else c.source.display  # mostly the same
    fields = [c.kind.name, c.ref, c.pack_ref, c.links, c.checked_refs, references, c.derived,
              path, display]  # fmt: skip
    return f"{jsontext.dumps(fields)}\t{c.row_json()}"


def _component(
    fields: list[Any], row: str, sources: dict[str, ParsedFile], reread: Reread
) -> Component:
    kind, ref, pack_ref, links, checked, references, derived, path, display = fields
    source = sources.get(path)
    if source is None:
        source = sources[path] = ParsedFile.forgotten(
            path, path if display is None else display, reread
        )
    return Component(
        KINDS_BY_NAME[kind],
        ref,
        pack_ref,
        None,
        links,
        source,
        checked,
        tuple(
            Reference(t, r, tuple(p), _SEVERITIES[s], tuple(a), c)
            for t, r, p, s, a, c in references
        ),
        derived,
        row,
    )


_SEVERITIES = {s.value: s for s in Severity}


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(**{**d, "severity": _SEVERITIES[d["severity"]]})


def _checksum(body: str) -> int:
    """Enough to tell a snapshot cut short or damaged on disk (it is trusted as the
    check it records: the cache directory must be private)."""
    return zlib.crc32(body.encode())
