"""A pack's snapshot reads back as the check it was made from: every component's kind,
ref, references, row and source file, whether the file is shown as its path or not;
damaged data and values marshal cannot write leave no snapshot."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from loader.packs import pipeline, snapshot
from loader.packs.read import DEFAULT_LIMITS, parse_file
from loader.packs.schema.registry import load_schemas
from tests.helpers.packs import DEMO_FILES, write_pack

Files = Sequence[snapshot.FileRecord | snapshot.Entry]


def _data_of(pack: Path) -> bytes:
    making = frozenset([os.path.realpath(pack)])
    run = pipeline._Run(load_schemas(), DEFAULT_LIMITS, making).checked(pack)
    assert run.result.ok
    [(_, data)] = run.snapshots
    return data


def _snapshot_of(pack: Path) -> snapshot.Snapshot:
    return snapshot.decode(_data_of(pack), parse_file)


def _encode(held: snapshot.Snapshot, files: Files) -> bytes | None:
    return snapshot.encode(
        root=held.root,
        manifest=held.manifest,
        files_checked=held.files_checked,
        used=held.used,
        metadata=held.metadata,
        other=held.other,
        params=held.params,
        files=files,
    )


def _again(held: snapshot.Snapshot, files: Files) -> snapshot.Snapshot:
    data = _encode(held, files)
    assert data is not None
    return snapshot.decode(data, parse_file)


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
    assert _seen(_again(held, held.files)) == _seen(held)


def test_a_file_shown_otherwise_than_its_path_keeps_how_it_is_shown(tmp_path: Path) -> None:
    held = _snapshot_of(write_pack(tmp_path / "demo", DEMO_FILES))
    first, second = (f.components[0].source for f in held.files[:2])
    first.display = "demo.tar.gz/" + Path(first.path_text).name
    again = _again(held, held.files)
    assert _seen(again) == _seen(held)
    shown = [f.components[0].source for f in again.files[:2]]
    assert shown[0].display == first.display
    assert shown[1].display == shown[1].path_text == second.path_text


def test_entries_read_are_written_back_as_they_were_read(tmp_path: Path) -> None:
    held = _snapshot_of(write_pack(tmp_path / "demo", DEMO_FILES))
    for files in (held.entries, held.files):
        again = _again(held, files)
        assert again.entries == held.entries
        assert _seen(again) == _seen(held)


@pytest.mark.parametrize("damage", ["cut short", "a byte changed", "no snapshot", "empty"])
def test_damaged_or_foreign_data_is_no_snapshot(tmp_path: Path, damage: str) -> None:
    data = _data_of(write_pack(tmp_path / "demo", DEMO_FILES))
    middle = len(data) // 2
    damaged = {
        "cut short": data[:-200],
        "a byte changed": data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :],
        "no snapshot": b'{"root": "demo"}\n',
        "empty": b"",
    }[damage]
    with pytest.raises(ValueError):
        snapshot.decode(damaged, parse_file)


class _Text(str):
    """A str of another type: marshal writes only str itself."""


def test_a_value_marshal_cannot_write_leaves_no_snapshot(tmp_path: Path) -> None:
    held = _snapshot_of(write_pack(tmp_path / "demo", DEMO_FILES))
    held.files[0].components[0].links["runtime"] = _Text("core.shell")
    assert _encode(held, held.files) is None
