"""The file metadata a reload trusts a pack by: every file under the pack, by its path
under it, with what any write changes; links as their targets, linked folders not
entered, files written within the clock's resolution never trusted."""

from __future__ import annotations

import os
import time
from pathlib import Path

from loader.database import reload_cache
from loader.packs import metadata


def _tree(root: Path) -> None:
    for rel in ("pack.yaml", "actions/b.yaml", "actions/a.yaml", "actions/deep/c.sh", "z.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)


def test_every_file_is_found_by_its_path_under_the_root_with_its_stat(tmp_path: Path) -> None:
    _tree(tmp_path)
    paths, metas = metadata.walk(str(tmp_path))
    assert sorted(paths) == ["actions/a.yaml", "actions/b.yaml", "actions/deep/c.sh",
                             "pack.yaml", "z.txt"]  # fmt: skip
    assert paths.index("actions/a.yaml") < paths.index("actions/b.yaml")  # by name
    for path, meta in zip(paths, metas, strict=True):
        info = (tmp_path / path).stat()
        assert meta == (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def test_a_root_given_with_a_final_slash_gives_the_same_paths(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert metadata.walk(f"{tmp_path}/") == metadata.walk(str(tmp_path))


def test_links_are_their_targets_and_linked_folders_are_not_entered(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    _tree(pack)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("x")
    (pack / "linked").symlink_to(tmp_path / "outside")
    (pack / "to-z.txt").symlink_to(pack / "z.txt")
    (pack / "dangling").symlink_to(tmp_path / "nowhere")
    found = dict(zip(*metadata.walk(str(pack)), strict=True))
    assert not any(p.startswith("linked/") for p in found)
    assert found["linked"][3] == (tmp_path / "outside").stat().st_ino  # listed as a file
    assert found["to-z.txt"] == found["z.txt"]
    assert found["dangling"][3] == os.lstat(pack / "dangling").st_ino


def test_a_missing_root_has_no_files(tmp_path: Path) -> None:
    assert metadata.walk(str(tmp_path / "gone")) == ([], [])


def test_any_write_changes_the_metadata(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = dict(zip(*metadata.walk(str(tmp_path)), strict=True))
    (tmp_path / "z.txt").write_text("z.tx!")  # the same size
    os.utime(tmp_path / "z.txt", ns=(0, before["z.txt"][1]))  # and the same modification time
    after = metadata.walk(str(tmp_path))
    changed = {p for p, m in zip(*after, strict=True) if before[p] != m}
    assert changed == {"z.txt"}


def test_files_written_within_the_clock_resolution_match_nothing(tmp_path: Path) -> None:
    _tree(tmp_path)
    old = time.time_ns() - 2 * metadata.RACY_NS
    os.utime(tmp_path / "z.txt", ns=(old, old))  # its change time is still now
    paths, metas = metadata.walk(str(tmp_path))
    assert set(metadata.by_path(paths, metas, time.time_ns()).values()) == {None}
    later = time.time_ns() + 2 * metadata.RACY_NS
    assert None not in metadata.by_path(paths, metas, later).values()
    future = time.time_ns() + 10 * metadata.RACY_NS  # a modification time set ahead
    os.utime(tmp_path / "z.txt", ns=(future, future))
    paths, metas = metadata.walk(str(tmp_path))
    found = metadata.by_path(paths, metas, later)
    assert [p for p, m in found.items() if m is None] == ["z.txt"]
    assert metadata.newest(metas) == max(max(m[1], m[2]) for m in metas)
    assert metadata.newest([]) == 0


def test_the_files_digest_is_the_same_for_equal_values_however_they_are_shared() -> None:
    shared = "actions/a.yaml"
    meta = (1, 2**62, 2**62, 7)
    one = reload_cache._digest(["code", "/p", [shared, shared], [meta, meta]])
    made = ["".join(["actions/", name]) for name in ("a.yaml", "a.yaml")]  # two objects
    metas = [(1, int(f"{2**62}"), int(f"{2**62}"), 7) for _ in range(2)]
    assert made[0] is not made[1] and metas[0] is not metas[1]
    assert one == reload_cache._digest(["code", "/p", made, metas])
    assert one != reload_cache._digest(["code", "/p", [shared, shared], [meta, (1, 2, 3, 4)]])
