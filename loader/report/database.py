"""What the database commands print: migrate, status and the embedded cluster's state.

The reporters read the runner's results through the small protocols below, so this
package needs nothing of :mod:`loader.database`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TextIO

from loader.report.report import Failure, Report, envelope

# Migration states that make ``status`` fail: the ledger disagrees with the files.
BAD_STATES = ("modified", "missing", "failed")


class _File(Protocol):
    @property
    def path(self) -> Path: ...


class Notice(Protocol):
    """A NOTICE or WARNING raised by a migration."""

    @property
    def file(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...


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
    @property
    def notices(self) -> Sequence[Notice]: ...


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


def migration_run_json(run: MigrationRun | None, error: Failure | None = None) -> dict[str, Any]:
    """The JSON report of ``migrate``."""
    return {
        **envelope("migrate", error is None, error),
        "dry_run": run.dry_run if run else False,
        "applied": [m.path.name for m in run.applied] if run else [],
        "pending": [m.path.name for m in run.pending] if run else [],
        "elapsed_s": round(run.elapsed_s, 3) if run else 0.0,
        "notices": [
            {"file": n.file, "severity": n.severity, "message": n.message}
            for n in (run.notices if run else ())
        ],
    }


def states_ok(states: Sequence[MigrationState]) -> bool:
    """Whether the ledger agrees with the files (pending migrations are fine)."""
    return not any(s.state.value in BAD_STATES for s in states)


def migration_states_json(
    states: Sequence[MigrationState], error: Failure | None = None
) -> dict[str, Any]:
    """The JSON report of ``status``."""
    rows = [
        {"version": s.version, "description": s.description, "state": s.state.value} for s in states
    ]
    return {**envelope("status", error is None and states_ok(states), error), "migrations": rows}


def failure_json(command: str, failure: Failure) -> dict[str, Any]:
    """The JSON report of ``command`` when it stopped with ``failure``: the same keys
    as when it succeeds, so one schema reads both."""
    if command == "migrate":
        return migration_run_json(None, failure)
    if command == "status":
        return migration_states_json([], failure)
    return Report(command=command, error=failure).to_json()


def write_migration_run(run: MigrationRun, as_json: bool, stream: TextIO) -> None:
    if as_json:
        _write_json(migration_run_json(run), stream)
        return
    for n in run.notices:
        stream.write(f"{n.file}: {n.severity}: {n.message}\n")
    if run.dry_run:
        for m in run.pending:
            stream.write(f"would apply {m.path.name}\n")
        stream.write(f"{len(run.pending)} migration(s) pending\n")
    else:
        stream.write(f"applied {len(run.applied)} migration(s) in {run.elapsed_s:.2f} s\n")


def write_migration_states(states: Sequence[MigrationState], as_json: bool, stream: TextIO) -> None:
    if as_json:
        _write_json(migration_states_json(states), stream)
        return
    for s in states:
        stream.write(f"{s.version}  {s.state.value:<8}  {s.description}\n")
    if not states_ok(states):
        bad = sum(s.state.value in BAD_STATES for s in states)
        stream.write(f"{bad} migration(s) disagree with the ledger (modified, missing or failed)\n")


def write_cluster_state(state: ClusterState, stream: TextIO) -> None:
    stream.write(f"state directory: {state.root}\n")
    stream.write(f"initialised: {'yes' if state.initialised else 'no'}\n")
    stream.write(f"running: {'yes' if state.running else 'no'}\n")
    if state.url:
        stream.write(f"url: {state.url}\n")


def _write_json(value: object, stream: TextIO) -> None:
    stream.write(json.dumps(value, indent=2) + "\n")
