"""Packs shipped as ``.tar.gz`` / ``.zip``: extracted safely before validation.

Refused: absolute member names, ``..``, links of any kind leaving the pack, device
files, and archives over the size or member limits (a zip bomb stops at the limit,
whatever its headers claim).
"""

from __future__ import annotations

import re
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_total_bytes: int = 200 * 1024 * 1024


class ArchiveError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def extract_pack(archive: Path, dest: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Extract ``archive`` under ``dest``; return the directory holding pack.yaml."""
    try:
        if archive.name.lower().endswith(".zip"):
            _extract_zip(archive, dest, limits)
        else:
            _extract_tar(archive, dest, limits)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ArchiveError(
            f"cannot read archive: {exc}", "check that the file is a complete .tar.gz or .zip"
        ) from exc
    return _pack_root(dest)


def _check_name(name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or _DRIVE.match(name):
        raise ArchiveError(
            f"member '{name}' has an absolute path", "pack archives hold relative paths"
        )
    if ".." in path.parts:
        raise ArchiveError(f"member '{name}' climbs out with '..'", "remove the member")


def _extract_tar(archive: Path, dest: Path, limits: ArchiveLimits) -> None:
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        _check_count(len(members), limits)
        total = 0
        for member in members:
            _check_name(member.name)
            if member.issym() or member.islnk():
                _check_link(member.name, member.linkname, hardlink=member.islnk())
            elif not (member.isfile() or member.isdir()):
                raise ArchiveError(
                    f"member '{member.name}' is a device or special file", "remove the member"
                )
            total += max(member.size, 0)
            _check_total(total, limits)
        tar.extractall(dest, filter="data")


def _check_link(name: str, target: str, *, hardlink: bool) -> None:
    base = PurePosixPath() if hardlink else PurePosixPath(name).parent
    depth = 0
    for part in (base / target).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0 or target.startswith("/"):
            raise ArchiveError(
                f"member '{name}' links to '{target}', outside the pack",
                "replace the link with the file itself",
            )


def _extract_zip(archive: Path, dest: Path, limits: ArchiveLimits) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        _check_count(len(infos), limits)
        written = 0
        for info in infos:
            _check_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ArchiveError(
                    f"member '{info.filename}' is a symbolic link",
                    "replace the link with the file itself",
                )
            target = dest / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                # Count real bytes: the header's file_size may lie.
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    _check_total(written, limits)
                    out.write(chunk)
            if info.external_attr >> 16 & 0o111:
                target.chmod(0o755)


def _check_count(count: int, limits: ArchiveLimits) -> None:
    if count > limits.max_members:
        raise ArchiveError(
            f"archive has {count} members, more than {limits.max_members}",
            "split the pack or remove generated files",
        )


def _check_total(total: int, limits: ArchiveLimits) -> None:
    if total > limits.max_total_bytes:
        raise ArchiveError(
            f"archive expands to more than {limits.max_total_bytes // (1024 * 1024)} MiB",
            "remove large files from the pack",
        )


def _pack_root(dest: Path) -> Path:
    if (dest / "pack.yaml").is_file():
        return dest
    children = [p for p in dest.iterdir() if p.is_dir()]
    if len(children) == 1 and (children[0] / "pack.yaml").is_file():
        return children[0]
    shutil.rmtree(dest, ignore_errors=True)
    raise ArchiveError(
        "archive has no pack.yaml at its top level or in its single top-level folder",
        "archive the pack directory itself",
    )
