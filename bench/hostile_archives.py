"""Hostile pack archives: builders of archives that try to write outside the
directory they are extracted into, or hold links and special files.

Each builder in :data:`HOSTILE` takes ``(tmp, outside)``, writes one archive under
``tmp`` and returns its path; whatever it holds aims at ``outside``, a folder that
must stay as it was (:func:`untouched`). The loader must refuse every one as a
single ``pack.archive`` error. Used by ``tests/validation/test_archives.py`` and by
the soak (:mod:`bench.soak`).
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

Build = Callable[[Path, Path], Path]  # (tmp, outside) -> archive
MANIFEST = b"ref: demo\nlabel: Demo\nversion: 1.0.0\n"
VICTIM = ("victim.txt", b"keep me\n")  # what hard_link plants outside, to be left alone


def tar_archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o755 if kind in (tarfile.DIRTYPE, tarfile.SYMTYPE) else 0o644
    return info


def manifest() -> tuple[tarfile.TarInfo, bytes]:
    return member("demo/pack.yaml"), MANIFEST


def zip_archive(path: Path, members: list[tuple[str, int, bytes]]) -> Path:
    """Members as (name, st_mode for external_attr, data)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demo/pack.yaml", MANIFEST)
        for name, mode, data in members:
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # unix, so external_attr carries st_mode
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def chained_symlinks_long_path(tmp: Path, outside: Path) -> Path:
    """The CVE-2025-4517 shape: symlinks to ever deeper folders of long names, so the
    joined path passes PATH_MAX and a path check resolves it wrongly; a last link
    climbs back out and a file is written through it."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = [manifest()]
    long_name, path, steps = "d" * 247, "", "abcdefghijklmnop"
    for step in steps:
        members.append((member(f"{path}{long_name}", tarfile.DIRTYPE), None))
        members.append((member(f"{path}{step}", tarfile.SYMTYPE, long_name), None))
        path += f"{long_name}/"
    climb = "/".join(steps) + "/" + "l" * 254
    members.append((member(climb, tarfile.SYMTYPE, "../" * len(steps)), None))
    escape_to = f"{climb}/" + "../" * len(outside.parts) + str(outside).lstrip("/")
    members.append((member("escape", tarfile.SYMTYPE, escape_to), None))
    members.append((member("escape/evil.sh"), b"#!/bin/sh\necho owned\n"))
    return tar_archive(tmp / "cve-2025-4517.tar.gz", members)


def chained_symlinks(tmp: Path, outside: Path) -> Path:
    """Links that each look harmless (one level up at most) but chain out of the pack."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = [manifest()]
    members.append((member("demo/a", tarfile.DIRTYPE), None))
    members.append((member("demo/a/up", tarfile.SYMTYPE, ".."), None))
    members.append((member("demo/up", tarfile.SYMTYPE, "a/up/.."), None))
    climb = "up/" * 40 + str(outside).lstrip("/")
    members.append((member("demo/out", tarfile.SYMTYPE, climb), None))
    members.append((member("demo/out/evil.sh"), b"owned\n"))
    return tar_archive(tmp / "chained.tar.gz", members)


def hard_link(tmp: Path, outside: Path) -> Path:
    target = outside / VICTIM[0]
    target.write_bytes(VICTIM[1])
    members = [manifest(), (member("demo/victim", tarfile.LNKTYPE, str(target)), None)]
    members.append((member("demo/victim"), b"overwritten\n"))
    return tar_archive(tmp / "hardlink.tar.gz", members)


def character_device(tmp: Path, outside: Path) -> Path:
    device = member("demo/null", tarfile.CHRTYPE)
    device.devmajor, device.devminor = 1, 3
    return tar_archive(tmp / "device.tar.gz", [manifest(), (device, None)])


def fifo(tmp: Path, outside: Path) -> Path:
    return tar_archive(
        tmp / "fifo.tar.gz", [manifest(), (member("demo/pipe", tarfile.FIFOTYPE), None)]
    )


def dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo/" + "../" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return tar_archive(tmp / "dotdot.tar.gz", [manifest(), (member(climb), b"owned\n")])


def absolute(tmp: Path, outside: Path) -> Path:
    return tar_archive(
        tmp / "absolute.tar.gz", [manifest(), (member(str(outside / "evil.sh")), b"x")]
    )


def zip_symlink(tmp: Path, outside: Path) -> Path:
    return zip_archive(
        tmp / "link.zip", [("demo/out", stat.S_IFLNK | 0o777, str(outside).encode())]
    )


def zip_device(tmp: Path, outside: Path) -> Path:
    return zip_archive(tmp / "device.zip", [("demo/null", stat.S_IFCHR | 0o644, b"")])


def zip_fifo(tmp: Path, outside: Path) -> Path:
    return zip_archive(tmp / "fifo.zip", [("demo/pipe", stat.S_IFIFO | 0o644, b"")])


def zip_dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo/" + "../" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return zip_archive(tmp / "dotdot.zip", [(climb, stat.S_IFREG | 0o644, b"owned\n")])


def zip_backslash_dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo\\" + "..\\" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return zip_archive(tmp / "backslash.zip", [(climb, stat.S_IFREG | 0o644, b"owned\n")])


def zip_absolute(tmp: Path, outside: Path) -> Path:
    return zip_archive(
        tmp / "absolute.zip", [(str(outside / "evil.sh"), stat.S_IFREG | 0o644, b"x")]
    )


HOSTILE: list[Build] = [
    chained_symlinks_long_path,
    chained_symlinks,
    hard_link,
    character_device,
    fifo,
    dot_dot,
    absolute,
    zip_symlink,
    zip_device,
    zip_fifo,
    zip_dot_dot,
    zip_backslash_dot_dot,
    zip_absolute,
]


def outside_dir(tmp: Path) -> Path:
    """The folder the archives aim at, created empty."""
    outside = tmp / "outside"
    outside.mkdir()
    return outside


def untouched(outside: Path) -> bool:
    """Whether ``outside`` holds nothing but what a builder planted itself."""
    entries = {p.name: p.read_bytes() for p in outside.iterdir()}
    return entries in ({}, dict([VICTIM]))
