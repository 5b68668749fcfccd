"""A pack's snapshot reads back as the check it was made from: every component's kind,
ref, references, row and source file, whether the file is shown as its path or not."""

from __future__ import annotations

import os
from pathlib import Path

from loader.packs import pipeline, snapshot
from loader.packs.read import DEFAULT_LIMITS, parse_file
from loader.packs.schema.registry import load_schemas
from tests.helpers.packs import DEMO_FILES, write_pack


def _snapshot_of(pack: Path) -> snapshot.Snapshot:
    making = frozenset([os.path.realpath(pack)])
    run = pipeline._Run(load_schemas(), DEFAULT_LIMITS, making).checked(pack)
    assert run.result.ok
    [(_, text)] = run.snapshots
    return snapshot.decode(text, parse_file)


def _again(held: snapshot.Snapshot) -> snapshot.Snapshot:
    text = snapshot.encode(
        root=held.root,
        manifest=held.manifest,
        files_checked=held.files_checked,
        used=held.used,
        metadata=held.metadata,
        other=held.other,
        params=held.params,
        files=held.files,
    )
    return snapshot.decode(text, parse_file)


def _seen(held: snapshot.Snapshot) -> list[tuple[object, ...]]:
    return [
        (c.kind.name, c.ref, c.references, c.row_json(), c.source.path_text, c.source.display)
        for f in held.files
        for c in f.components
    ]


def test_components_read_back_as_checked(tmp_path: Path) -> None:
    held = _snapshot_of(write_pack(tmp_path / "demo", DEMO_FILES))
    assert held.files and all(f.components for f in held.files)
    assert all(c.source.display == c.source.path_text for f in held.files for c in f.components)
    assert _seen(_again(held)) == _seen(held)


def test_a_file_shown_otherwise_than_its_path_keeps_how_it_is_shown(tmp_path: Path) -> None:
    held = _snapshot_of(write_pack(tmp_path / "demo", DEMO_FILES))
    source = held.files[0].components[0].source
    source.display = "demo.tar.gz/" + Path(source.path_text).name
    again = _again(held)
    assert _seen(again) == _seen(held)
    assert again.files[0].components[0].source.display.startswith("demo.tar.gz/")
    assert (
        again.files[1].components[0].source.display == again.files[1].components[0].source.path_text
    )
