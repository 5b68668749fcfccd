"""Recognise a reload of packs that changed neither on disk nor in the database.

After a load leaves the database equal to the packs, we remember, for that set of
pack directories and that database: a digest of every file's metadata (path, size,
mtime, ctime, inode, as git's index does), a digest of the loader's own code and
schemas, and a token of the database rows the packs own (every row's id and xmin, so
any insert, update or delete changes it). A later run with the same three digests is
a no-op: it reports every component unchanged without parsing a file or reading a
row back. Anything else, or a cache that cannot be read, is simply a miss.

Row ids and xmins alone do not tell databases apart (two clusters built the same way
hand out the same ones), so entries are kept per database identity: the cluster's
system identifier, the database's oid and name, and the migration ledger's state. A
copy made with ``CREATE DATABASE ... TEMPLATE`` or restored from a dump has another
oid, another cluster another system identifier: both miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from loader.database import statements
from loader.database.conn import Conn
from loader.kinds import KINDS
from loader.packs.workers import fork_map, workers_for
from loader.report import Action, Change
from loader.report.diagnostics import Diagnostic, Severity
from loader.resources import PROJECT_ROOT, SCHEMAS_DIR

# Files changed this recently may change again within the clock's resolution
# without their mtime moving: such a state is never remembered.
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Remembered:
    """What a no-op reload reports: the same components, warnings and notes as last time."""

    packs: list[str]
    changes: list[Change]
    remarks: list[Diagnostic]  # the warnings and notes
    files_checked: int
    external: dict[str, list[str]]  # refs the packs use from other packs, per kind


def cache_dir() -> Path | None:
    """``$ATTUNE_LOADER_CACHE_DIR``; none when ``ATTUNE_LOADER_NO_CACHE`` is set."""
    if os.environ.get("ATTUNE_LOADER_NO_CACHE"):
        return None
    explicit = os.environ.get("ATTUNE_LOADER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    from loader.database.embedded import default_state_dir

    return default_state_dir() / "load-cache"


def files_digest(roots: Sequence[Path]) -> tuple[str, bool]:
    """Digest of the metadata of every file under ``roots``, and whether any of them
    changed too recently to be trusted. Large loads take it on every core: it is a
    stat() per file."""
    digest = hashlib.sha256(_code_digest().encode())
    newest = 0
    for root, (root_digest, root_newest) in zip(
        roots, fork_map(_root_digest, roots, workers_for(roots)), strict=True
    ):
        digest.update(f"{os.path.realpath(root)}\0{root_digest}\n".encode())
        newest = max(newest, root_newest)
    return digest.hexdigest(), time.time_ns() - newest < _RACY_NS


def _root_digest(root: Path) -> tuple[str, int]:
    """Digest of the metadata of the files under one root, and the newest change."""
    digest = hashlib.sha256()
    newest = 0
    for path, info in _walk(Path(root)):
        digest.update(
            f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0"
            f"{info.st_ino}\n".encode()
        )
        newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
    return digest.hexdigest(), newest


def _walk(root: Path) -> Iterable[tuple[str, os.stat_result]]:
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                try:
                    yield entry.path, entry.stat()
                except OSError:
                    yield entry.path, entry.stat(follow_symlinks=False)


@cache
def _code_digest() -> str:
    """The loader's source and schemas: a new release never trusts an old entry."""
    digest = hashlib.sha256()
    for path in sorted([*(PROJECT_ROOT / "loader").rglob("*.py"), *SCHEMAS_DIR.glob("*.json")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def database_identity(conn: Conn) -> str:
    """Which database this is, and at which migration: see the module's docstring."""
    row = conn.execute(
        "SELECT (SELECT system_identifier FROM pg_control_system())::text, d.oid::text, "
        "d.datname, has_table_privilege(to_regclass('_sqlx_migrations'), 'SELECT') "
        "FROM pg_database d WHERE d.datname = current_database()"
    ).fetchone()
    assert row is not None
    ledger: object = None
    if row[3]:  # a loader role may not read the ledger: its schema was checked instead
        ledger = conn.execute(
            "SELECT md5(string_agg(version::text || ':' || encode(checksum, 'hex') || ':' "
            "|| success::text, ',' ORDER BY version)) FROM _sqlx_migrations"
        ).fetchone()
    return hashlib.sha256(f"{row[:3]}|{ledger}".encode()).hexdigest()


def database_token(conn: Conn, packs: Sequence[str]) -> str:
    """A digest of every row the packs own (ids and row versions), kind by kind."""
    parts = []
    for kind in KINDS:
        row = conn.execute(statements.owned_rows_digest(kind), (list(packs),)).fetchone()
        parts.append(f"{kind.name}:{row}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _entry_path(directory: Path, roots: Sequence[Path], database: str) -> Path:
    key = hashlib.sha256(
        "\0".join([database, *sorted(os.path.realpath(r) for r in roots)]).encode()
    )
    return directory / f"{key.hexdigest()}.json"


def recall(roots: Sequence[Path], database: str, files: str, token_of: Any) -> Remembered | None:
    """The remembered no-op for ``roots`` in the database whose identity is
    ``database``, if files and rows still match it.

    ``token_of(pack_refs)`` computes the database token; it is called only when the
    files match, so a miss on disk costs no query.
    """
    directory = cache_dir()
    if directory is None:
        return None
    try:
        entry = json.loads(_entry_path(directory, roots, database).read_text())
        if entry["files"] != files or entry["token"] != token_of(entry["packs"]):
            return None
        return Remembered(
            entry["packs"],
            [Change(k, r, p, Action.UNCHANGED) for k, p, refs in entry["changes"] for r in refs],
            [Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in entry["remarks"]],
            entry["files_checked"],
            entry["external"],
        )
    except (OSError, ValueError, KeyError, TypeError):  # unreadable or foreign: a miss
        return None


def remember(
    roots: Sequence[Path], database: str, files: str, token: str, state: Remembered
) -> None:
    """Write the entry; a cache that cannot be written only costs the next run time."""
    directory = cache_dir()
    if directory is None:
        return
    entry = {
        "files": files,
        "token": token,
        "packs": state.packs,
        "changes": _runs(state.changes),
        "remarks": [_remark_json(d) for d in state.remarks],
        "files_checked": state.files_checked,
        "external": state.external,
    }
    target = _entry_path(directory, roots, database)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # One scratch name per thread too: the service runs loads in threads of one process.
        scratch = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        scratch.write_text(json.dumps(entry, separators=(",", ":")))
        scratch.replace(target)
    except OSError:
        return


def _runs(changes: Sequence[Change]) -> list[list[Any]]:
    """The changes in order as ``[kind, pack, [ref, ...]]`` runs: one small list per
    change would add tens of megabytes at the end of a large load, its peak."""
    runs: list[list[Any]] = []
    for c in changes:
        if not runs or runs[-1][0] != c.kind or runs[-1][1] != c.pack:
            runs.append([c.kind, c.pack, []])
        runs[-1][2].append(c.ref)
    return runs


def _remark_json(d: Diagnostic) -> dict[str, Any]:
    return {"file": d.file, "line": d.line, "column": d.column, "code": d.code,
            "message": d.message, "hint": d.hint, "severity": d.severity.value}  # fmt: skip
