"""File metadata, as git's index keeps it: what tells that a file may have changed
without reading it (the reload cache's digests, a snapshot's file records)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from operator import attrgetter, itemgetter
from pathlib import Path

# A file changed this recently may change again within the clock's resolution
# without its metadata moving: it is never trusted to be unchanged.
RACY_NS = 2_000_000_000

# Size, modification and change times in ns, inode: any write changes the change time.
Meta = tuple[int, int, int, int]
_META = attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")
_NAME = attrgetter("name")
_MODIFIED, _CHANGED = itemgetter(1), itemgetter(2)


def by_real_path(paths: Iterable[Path]) -> dict[str, Path]:
    """The paths, each directory once, by its real path, as first given."""
    unique: dict[str, Path] = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), Path(path))
    return unique


def walk(root: str) -> tuple[list[str], list[Meta]]:
    """Every file under ``root``, by name within each folder: its path under ``root``
    and its metadata (of the file a link leads to, else of the link's own); linked
    folders are not entered. Each folder is opened once and its files are asked
    relative to it, the per-file work done by C loops: a no-op reload of 100,000
    components takes this for 170,000 files, and it took twice the CPU file by file."""
    paths: list[str] = []
    metas: list[Meta] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            # A folder that became a link since it was listed is not entered either.
            fd = os.open(os.path.join(root, rel), _FOLDER if rel else _ROOT)
        except OSError:
            continue
        try:
            entries = sorted(os.scandir(fd), key=_NAME)
            folders = [e for e in entries if e.is_dir(follow_symlinks=False)]
            files = [e for e in entries if e not in folders] if folders else entries
            pending += [f"{rel}{e.name}/" for e in folders]
            paths += [rel + e.name for e in files]
            metas += map(_META, _stats(files))
        except OSError:
            continue  # removed while listed: as if it were not there
        finally:
            os.close(fd)
    return paths, metas


_ROOT = os.O_RDONLY | os.O_DIRECTORY
_FOLDER = _ROOT | os.O_NOFOLLOW


def _stats(files: Sequence[os.DirEntry[str]]) -> list[os.stat_result]:
    try:
        return [e.stat() for e in files]
    except OSError:  # a link that leads nowhere, say
        return [_stat(e) for e in files]


def _stat(entry: os.DirEntry[str]) -> os.stat_result:
    try:
        return entry.stat()
    except OSError:
        return entry.stat(follow_symlinks=False)


def newest(metas: Sequence[Meta]) -> int:
    """The latest modification or change time of these files, in ns (0 for none)."""
    return max(max(map(_MODIFIED, metas), default=0), max(map(_CHANGED, metas), default=0))


def file_metadata(root: str) -> dict[str, Meta | None]:
    """Every file :func:`walk` finds under ``root``, by its path under it -> its
    metadata; None (which matches nothing) for a file changed within :data:`RACY_NS`."""
    taken = time.time_ns()
    return by_path(*walk(root), taken)


def by_path(paths: Sequence[str], metas: Sequence[Meta], taken: int) -> dict[str, Meta | None]:
    """:func:`file_metadata` of files already walked, from the time ``taken`` (in ns)
    at which the walk began."""
    found: dict[str, Meta | None] = dict(zip(paths, metas, strict=True))
    recent = taken - RACY_NS
    if newest(metas) > recent:  # rare: a file changed within the last two seconds
        for path, meta in zip(paths, metas, strict=True):
            if max(meta[1], meta[2]) > recent:
                found[path] = None
    return found
