"""Spread per-pack work over the cores: forked worker processes, one pack at a time.

Large loads spend their time in per-file Python work (reading, checking, taking file
metadata), which one process cannot spread over cores; packs are independent units
of that work, so each goes to a worker whole.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from loader.kinds import FOLDER_KINDS, YAML_SUFFIXES

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many YAML files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 3000


def workers_for(paths: Sequence[Path]) -> int:
    """Worker processes for these packs: one per core for large loads of several packs.
    Only from a single-threaded process: a forked child of a threaded one may inherit
    a lock that some other thread held."""
    cores = len(os.sched_getaffinity(0))
    if cores < 2 or len(paths) < 2 or threading.active_count() > 1:
        return 1
    return min(cores, len(paths)) if _has_many_files(paths) else 1


def _has_many_files(packs: Sequence[Path]) -> bool:
    """Whether the packs' kind folders hold PARALLEL_MIN_FILES YAML files; counting
    stops there, as a large load would otherwise list every folder once more."""
    total = 0
    for pack in packs:
        for name in (f for kind in FOLDER_KINDS for f in kind.folders):
            if total >= PARALLEL_MIN_FILES:
                return True
            try:
                with os.scandir(pack / name) as folder:
                    total += sum(1 for e in folder if e.name.endswith(YAML_SUFFIXES))
            except OSError:
                continue
    return total >= PARALLEL_MIN_FILES


def fork_map(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int
) -> Iterator[Result]:
    """``function`` over ``items`` in ``workers`` forked processes (in this one when
    ``workers`` is 1), results in the order of ``items``. Forked, not spawned:
    spawning would re-run the caller's main script. A child never touches an
    inherited database connection, and it leaves with ``os._exit``, so it does not
    close one either."""
    if workers <= 1:
        yield from map(function, items)
        return
    # Imported only here: most runs are small enough for one process.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(function, items)
