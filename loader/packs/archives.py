"""Packs shipped as ``.tar.gz`` / ``.zip``, extracted into a private scratch directory.

An archive may hold only folders and regular files. Symbolic links, hard links,
devices, FIFOs and sockets are refused wherever they point: no Attune pack has ever
shipped one, and links are how an archive escapes its directory (chained symlinks
through a path longer than PATH_MAX defeat ``tarfile``'s own ``data`` filter on
Python before 3.11.13 / 3.12.11, CVE-2025-4517).

Members are written one at a time by this module, never by ``tarfile`` or
``zipfile``: every folder on a member's path is opened relative to the one above it
with ``O_NOFOLLOW`` and every file is created with ``O_EXCL``, so whatever the
archive holds and whatever the Python patch level, nothing is written outside the
destination. Budgets are checked as data arrives (members, bytes of file content and
bytes out of the decompressor, headers included), so a bomb stops at its budget.
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")
SCRATCH_PREFIX = "attune-packs-"
_CHUNK = 1 << 16
_HEADER_ALLOWANCE = 4096  # decompressed header bytes allowed per member (tar, pax, long names)
_LINK_HINT = "archives may hold only folders and regular files: put the file itself in the pack"


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_total_bytes: int = 200 * 1024 * 1024
    max_name_bytes: int = 1024

    @property
    def max_stream_bytes(self) -> int:
        """What the decompressor may produce: the content plus every member's headers."""
        return self.max_total_bytes + self.max_members * _HEADER_ALLOWANCE


class ArchiveError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def extract_pack(archive: Path, dest: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Extract ``archive`` into the new directory ``dest``; return the directory
    holding pack.yaml. On any refusal ``dest`` is removed again."""
    try:
        with _Writer(dest, limits) as writer:
            if archive.name.lower().endswith(".zip"):
                _extract_zip(archive, writer)
            else:
                _extract_tar(archive, writer)
        return _pack_root(dest)
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        raise ArchiveError(
            f"cannot read archive: {exc}", "check that the file is a complete .tar.gz or .zip"
        ) from exc
    except ArchiveError:
        shutil.rmtree(dest, ignore_errors=True)
        raise


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A directory of mode 0700 for extracted archives, removed when the block ends
    (an interrupt included). Directories that killed runs of this user left behind are
    removed first: their names carry the process id that made them."""
    base = Path(tempfile.gettempdir())
    sweep_stale_scratch(base)
    path = Path(tempfile.mkdtemp(prefix=f"{_scratch_stem()}-{os.getpid()}-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep_stale_scratch(base: Path) -> list[Path]:
    """Remove the scratch directories of this user whose process no longer runs."""
    removed: list[Path] = []
    stem = _scratch_stem()
    for entry in base.glob(f"{stem}-*-*"):
        pid, _, rest = entry.name[len(stem) + 1 :].partition("-")
        if not (pid.isdigit() and rest) or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _scratch_stem() -> str:
    """``attune-packs-<pid namespace>``: a process id means something only in its own
    pid namespace, so the directories of another namespace are never swept."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{SCRATCH_PREFIX}{namespace}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


class _Writer:
    """Creates folders and files under one root, never following a link, within the
    member and byte budgets."""

    def __init__(self, dest: Path, limits: ArchiveLimits) -> None:
        self.dest = dest
        self.limits = limits
        self.members = 0
        self.written = 0
        self.root = -1

    def __enter__(self) -> _Writer:
        os.mkdir(self.dest, 0o700)
        self.root = os.open(self.dest, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self.root)

    def admit(self, name: str) -> tuple[str, ...]:
        """Count a member and return its path parts, or refuse its name."""
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveError(
                f"archive has more than {self.limits.max_members} members",
                "split the pack or remove generated files",
            )
        return _parts(name, self.limits)

    def directory(self, name: str, parts: tuple[str, ...]) -> None:
        os.close(self._open_dirs(name, parts))

    def file(self, name: str, parts: tuple[str, ...], data: IO[bytes], executable: bool) -> None:
        if not parts:
            raise ArchiveError(f"member '{name}' has no file name", "remove the member")
        parent = self._open_dirs(name, parts[:-1])
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(parts[-1], flags, 0o755 if executable else 0o644, dir_fd=parent)
        except FileExistsError:
            raise ArchiveError(
                f"member '{name}' appears more than once", "keep one copy of the file"
            ) from None
        finally:
            os.close(parent)
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(data):
                # Count real bytes: a header's size may lie.
                self.written += len(chunk)
                if self.written > self.limits.max_total_bytes:
                    raise _too_large(self.limits)
                out.write(chunk)

    def _open_dirs(self, name: str, parts: Iterable[str]) -> int:
        fd = os.dup(self.root)
        try:
            for part in parts:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.ENOTDIR, errno.ELOOP, errno.EEXIST):
                raise ArchiveError(
                    f"member '{name}' lies inside '{part}', which the archive holds as a file",
                    "a name is either a folder or a file: rename one of them",
                ) from None
            raise
        return fd


def _parts(name: str, limits: ArchiveLimits) -> tuple[str, ...]:
    if "\x00" in name or len(name.encode("utf-8", "surrogateescape")) > limits.max_name_bytes:
        raise ArchiveError(
            f"member '{name[:80]}' has a name that is too long or holds a NUL byte",
            f"member names are at most {limits.max_name_bytes} bytes",
        )
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (len(name) > 1 and name[1] == ":" and name[0].isalpha()):
        raise ArchiveError(
            f"member '{name}' has an absolute path", "pack archives hold relative paths"
        )
    if ".." in path.parts:
        raise ArchiveError(f"member '{name}' climbs out with '..'", "remove the member")
    return path.parts


def _chunks(data: IO[bytes]) -> Iterator[bytes]:
    while chunk := data.read(_CHUNK):
        yield chunk


def _too_large(limits: ArchiveLimits) -> ArchiveError:
    return ArchiveError(
        f"archive expands to more than {limits.max_total_bytes // (1024 * 1024)} MiB",
        "remove large files from the pack",
    )


class _Budgeted:
    """The decompressed stream, refused once it has produced more than the budget:
    tar headers, pax records and long names count, not only file content."""

    def __init__(self, inner: gzip.GzipFile, limits: ArchiveLimits) -> None:
        self.inner = inner
        self.limits = limits
        self.seen = 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.seen += len(data)
        if self.seen > self.limits.max_stream_bytes:
            raise _too_large(self.limits)
        return data


_TAR_TYPES = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
}


def _extract_tar(archive: Path, writer: _Writer) -> None:
    with open(archive, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        stream = _Budgeted(unzipped, writer.limits)
        # "r|": one pass over the stream, members as they arrive.
        with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
            for member in tar:
                parts = writer.admit(member.name)
                if member.isdir():
                    writer.directory(member.name, parts)
                elif member.isfile():
                    data = tar.extractfile(member)
                    assert data is not None  # a regular member always has data
                    writer.file(member.name, parts, data, bool(member.mode & 0o111))
                else:
                    what = _TAR_TYPES.get(member.type, "a special file")
                    raise ArchiveError(f"member '{member.name}' is {what}", _LINK_HINT)


_ZIP_TYPES = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


def _extract_zip(archive: Path, writer: _Writer) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = writer.admit(info.filename)
            mode = info.external_attr >> 16
            if stat.S_IFMT(mode) in _ZIP_TYPES:
                what = _ZIP_TYPES[stat.S_IFMT(mode)]
                raise ArchiveError(f"member '{info.filename}' is {what}", _LINK_HINT)
            if info.is_dir():
                writer.directory(info.filename, parts)
                continue
            with zf.open(info) as data:
                writer.file(info.filename, parts, data, bool(mode & 0o111))


def _pack_root(dest: Path) -> Path:
    if (dest / "pack.yaml").is_file():
        return dest
    children = [p for p in dest.iterdir() if p.is_dir()]
    if len(children) == 1 and (children[0] / "pack.yaml").is_file():
        return children[0]
    raise ArchiveError(
        "archive has no pack.yaml at its top level or in its single top-level folder",
        "archive the pack directory itself",
    )
