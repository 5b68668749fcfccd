"""Pack paths: how a file is shown, and where it really leads, through the shortcuts that
spare building a Path or asking the disk for every file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from loader.packs.discover import PackFiles, PackPaths, PathProblem, split_path, yaml_files
from loader.packs.pipeline import check_packs
from loader.report import codes
from tests.helpers.packs import SCRIPT, under, write_pack


@pytest.mark.parametrize(
    ("root", "shown"),
    [
        ("/srv/packs/demo", "packs/demo"),
        ("/srv/packs/demo", "packs//demo/"),
        ("/srv/packs/demo", "./demo"),
        ("/srv/packs/demo", "."),
        ("/srv/packs/demo", ""),
        ("/srv/packs/demo", "/"),
        ("/srv/packs/demo", "//demo"),
        ("demo", "demo"),
        ("../demo", "../demo"),
        (".", "."),
        ("/", "/"),
    ],
)
@pytest.mark.parametrize("name", ["actions/hello.yaml", "pack.yaml"])
def test_display_is_under_the_path_people_gave(root: str, shown: str, name: str) -> None:
    """A file under the root is shown under the pack path as given, normalised."""
    pack = PackFiles(Path(root), shown, Path(root) / "pack.yaml")
    assert pack.display(Path(root) / name) == (PurePosixPath(shown) / name).as_posix()


def test_display_of_a_path_outside_the_root_is_the_path() -> None:
    """Only whole folder names count: ``demo2`` is not under ``demo``, nor ``//srv``
    under ``/``."""
    pack = PackFiles(Path("/srv/packs/demo"), "demo", Path("/srv/packs/demo/pack.yaml"))
    assert pack.display(Path("/srv/packs/demo2/pack.yaml")) == "/srv/packs/demo2/pack.yaml"
    assert pack.display(Path("demo/pack.yaml")) == "demo/pack.yaml"
    assert pack.display(Path("/srv/packs/demo")) == "demo"
    top = PackFiles(Path("/"), "/", Path("/pack.yaml"))
    assert top.display(Path("//srv/pack.yaml")) == "//srv/pack.yaml"  # POSIX keeps a leading //


def test_yaml_files_are_the_visible_yaml_files_of_the_folder(tmp_path: Path) -> None:
    names = ["b.yaml", "a.yml", "c.YAML", ".hidden.yaml", ".yaml", "notes.txt", "sub/d.yaml"]
    write_pack(tmp_path, dict.fromkeys(names, "x: 1\n"), manifest=False)
    assert yaml_files(tmp_path) == [tmp_path / "a.yml", tmp_path / "b.yaml"]
    assert yaml_files(tmp_path / "missing") == yaml_files(tmp_path / "b.yaml") == []


@pytest.mark.parametrize("text", [".", "a", "a/b", "/", "/a", "//", "//a", "..", "a/.."])
def test_split_is_parent_and_name(text: str) -> None:
    """PackPaths splits a path's text as pathlib splits the path."""
    assert split_path(str(Path(text))) == (str(Path(text).parent), Path(text).name)


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A pack whose lib/ holds a link inside the pack, a link out of it, and a file."""
    pack = write_pack(tmp_path / "p", {"lib/real.sh": SCRIPT})
    outside = write_pack(tmp_path / "elsewhere", {"secret.sh": SCRIPT}, manifest=False)
    os.symlink(outside / "secret.sh", pack / "lib" / "out.sh")
    os.symlink(pack / "lib" / "real.sh", pack / "lib" / "in.sh")
    return pack


def _unlistable(path: str) -> Iterator[os.DirEntry[str]]:
    raise PermissionError(13, "Permission denied", path)


def _listed(paths: PackPaths, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ask about enough other names of ``folder`` to have it listed; the folders
    listed meanwhile."""
    listed: list[str] = []
    scandir = os.scandir

    def counted(path: str) -> Iterator[os.DirEntry[str]]:
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", counted)
    for i in range(10):
        assert paths.inside(folder / f"other-{i}.sh")  # missing, but in the pack
    return listed


@pytest.mark.parametrize("way", ["asked", "listed", "unlistable"])
def test_links_are_followed_in_any_folder(
    linked: Path, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's paths are asked about one by one until a few were, then it is listed
    once; where it cannot be listed, each name is still asked about on its own. Either
    way a link out of the pack is found."""
    paths, lib = PackPaths(linked), linked / "lib"
    if way == "unlistable":
        monkeypatch.setattr(os, "scandir", _unlistable)
    if way == "listed":
        assert _listed(paths, lib, monkeypatch) == [str(lib)]
    for name in ("real.sh", "in.sh", "out.sh", "missing.sh"):
        assert paths.real(lib / name) == os.path.realpath(lib / name)
    assert paths.inside(lib / "in.sh") and not paths.inside(lib / "out.sh")
    assert paths.locate(lib, "in.sh") == lib / "in.sh"
    escape = paths.locate(lib, "out.sh")
    assert isinstance(escape, PathProblem) and escape.code == codes.PATH_ESCAPES
    assert paths.locate(lib, "missing.sh") == PathProblem(
        codes.PATH_MISSING,
        "there is no file 'missing.sh'",
        "looked next to the YAML file (lib/) and at the pack root",
    )


def test_a_link_made_after_its_folder_was_listed_is_seen(
    linked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name the folder's listing does not hold is asked about directly."""
    paths, lib = PackPaths(linked), linked / "lib"
    assert _listed(paths, lib, monkeypatch) == [str(lib)]
    assert paths.inside(lib / "real.sh")
    os.symlink(tmp_path / "elsewhere" / "secret.sh", lib / "late.sh")
    assert not paths.inside(lib / "late.sh")


def test_kind_folder_linked_out_of_the_pack(tmp_path: Path) -> None:
    """Files of a kind folder that is a link to outside the pack are not read, and an
    entry_point through a folder link that leaves the pack is refused."""
    pack = write_pack(tmp_path / "p", {"actions/hello.yaml": "ref: demo.hello\n"})
    outside = write_pack(tmp_path / "elsewhere", {"t.yaml": "ref: demo.ping\n"}, manifest=False)
    os.symlink(outside, pack / "triggers")
    os.symlink(outside, pack / "actions" / "lib")
    (outside / "x.sh").write_text(SCRIPT)
    found = under(check_packs([pack]), pack)
    assert [(d.file, d.code) for d in found if d.code == codes.FILE_OUTSIDE_PACK] == [
        (str(pack / "triggers" / "t.yaml"), codes.FILE_OUTSIDE_PACK)
    ]
    located = PackPaths(pack).locate(pack / "actions", "lib/x.sh")
    assert isinstance(located, PathProblem) and located.code == codes.PATH_ESCAPES
