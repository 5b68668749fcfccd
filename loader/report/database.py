"""What the database commands print: migrate, status and the embedded cluster's state.

The reporters read the runner's results through the small protocols below, so this
package needs nothing of :mod:`loader.database`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Protocol, TextIO


class _File(Protocol):
    @property
    def path(self) -> Path: ...


class MigrationRun(Protocol):
    """What ``migrate`` did (or, with ``dry_run``, would do)."""

    @property
    def applied(self) -> Sequence[_File]: ...
    @property
    def pending(self) -> Sequence[_File]: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def dry_run(self) -> bool: ...


class MigrationState(Protocol):
    """One migration as ``status`` shows it."""

    @property
    def version(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def state(self) -> Enum: ...


class ClusterState(Protocol):
    """The embedded cluster as ``db status`` shows it."""

    @property
    def root(self) -> Path: ...
    @property
    def initialised(self) -> bool: ...
    @property
    def running(self) -> bool: ...
    @property
    def url(self) -> str | None: ...


def write_migration_run(run: MigrationRun, as_json: bool, stream: TextIO) -> None:
    if as_json:
        _write_json(
            {
                "dry_run": run.dry_run,
                "applied": [m.path.name for m in run.applied],
                "pending": [m.path.name for m in run.pending],
                "elapsed_s": round(run.elapsed_s, 3),
            },
            stream,
        )
    elif run.dry_run:
        for m in run.pending:
            stream.write(f"would apply {m.path.name}\n")
        stream.write(f"{len(run.pending)} migration(s) pending\n")
    else:
        stream.write(f"applied {len(run.applied)} migration(s) in {run.elapsed_s:.2f} s\n")


def write_migration_states(states: Sequence[MigrationState], as_json: bool, stream: TextIO) -> None:
    if as_json:
        rows = [
            {"version": s.version, "description": s.description, "state": s.state.value}
            for s in states
        ]
        _write_json({"migrations": rows}, stream)
        return
    for s in states:
        stream.write(f"{s.version}  {s.state.value:<8}  {s.description}\n")


def write_cluster_state(state: ClusterState, stream: TextIO) -> None:
    stream.write(f"state directory: {state.root}\n")
    stream.write(f"initialised: {'yes' if state.initialised else 'no'}\n")
    stream.write(f"running: {'yes' if state.running else 'no'}\n")
    if state.url:
        stream.write(f"url: {state.url}\n")


def _write_json(value: object, stream: TextIO) -> None:
    stream.write(json.dumps(value, indent=2) + "\n")
