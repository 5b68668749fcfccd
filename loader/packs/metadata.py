"""File metadata, as git's index keeps it: what tells that a file may have changed
without reading it (the reload cache's digests, a snapshot's file records)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

# A file changed this recently may change again within the clock's resolution
# without its metadata moving: it is never trusted to be unchanged.
RACY_NS = 2_000_000_000


def by_real_path(paths: Iterable[Path]) -> dict[str, Path]:
    """The paths, each directory once, by its real path, as first given."""
    unique: dict[str, Path] = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), Path(path))
    return unique


def walk(root: str) -> Iterator[tuple[str, os.stat_result]]:
    """Every file under ``root``, by name within each folder, with its metadata (of
    the file a link leads to, else of the link); linked folders are not entered."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            else:
                try:
                    yield entry.path, entry.stat()
                except OSError:
                    yield entry.path, entry.stat(follow_symlinks=False)


def metadata_text(info: os.stat_result) -> str:
    """Size, modification and change times, inode: any write changes the change time."""
    return f"{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}"


def file_metadata(root: str) -> dict[str, str]:
    """Every file :func:`walk` finds under ``root``, by its path under it ->
    :func:`metadata_text`; empty (which matches nothing) for a file changed within
    :data:`RACY_NS`."""
    taken = time.time_ns()
    return by_path(root, walk(root), taken)


def by_path(root: str, walked: Iterable[tuple[str, os.stat_result]], taken: int) -> dict[str, str]:
    """:func:`file_metadata` of files already walked, from the time ``taken`` (in ns)
    at which the walk began."""
    skip = len(root) if root.endswith("/") else len(root) + 1
    found: dict[str, str] = {}
    for path, info in walked:
        recent = taken - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS
        found[path[skip:]] = "" if recent else metadata_text(info)
    return found
