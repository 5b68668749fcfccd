"""The load pipeline around a database: validate -> lock -> plan -> apply -> report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from loader.database import reload_cache
from loader.database.apply import apply_plan
from loader.database.conn import Conn, ConnectionSource
from loader.database.connect import direct, failure, lent
from loader.database.lock import lock_packs
from loader.database.migrate.runner import require_current
from loader.database.plan import build_plan
from loader.database.refs import DatabaseRefs, external_targets, pack_of
from loader.database.target import conninfo_for
from loader.packs.pipeline import check_packs
from loader.report import AbsentPolicy, Diagnostic, Report, codes

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadOptions:
    absent: AbsentPolicy = AbsentPolicy.REMOVE
    dry_run: bool = False
    lock_timeout_s: float = 30.0
    use_cache: bool = True  # recognise a reload that changes nothing (loader.database.reload_cache)


def run_load(
    paths: Sequence[Path],
    report: Report,
    options: LoadOptions,
    *,
    database_url: str | None = None,
    connect: ConnectionSource | None = None,
    progress: Progress = lambda _: None,
) -> None:
    """Validate the packs, then plan them against the database and, unless
    ``dry_run``, apply the plan in one transaction; fill ``report``. Any error
    writes nothing. ``connect`` (a pool's, say) replaces a connection of its own to
    ``database_url``."""
    connect = connect or direct(conninfo_for(database_url, notify=progress))
    with lent(connect) as conn:
        session = _Session(conn)
        try:
            conn.read_only = options.dry_run  # the server itself then refuses any write
            require_current(conn)
            _run(session, paths, report, options, progress)
        except psycopg.Error as exc:
            raise failure(exc, conn, "the load", committing=session.committing) from exc


@dataclass
class _Session:
    """The load's connection, and whether its COMMIT has been sent: a connection lost
    after that leaves the outcome unknown rather than rolled back."""

    conn: Conn
    committing: bool = False

    def commit(self) -> None:
        self.committing = True
        self.conn.commit()


def _run(
    session: _Session,
    paths: Sequence[Path],
    report: Report,
    options: LoadOptions,
    progress: Progress,
) -> None:
    conn = session.conn
    # Without a cache directory (ATTUNE_LOADER_NO_CACHE) there is nothing to digest for.
    caching = options.use_cache and reload_cache.cache_dir() is not None
    files, racy = reload_cache.files_digest(paths) if caching else ("", True)
    database = reload_cache.database_identity(conn) if caching else ""
    if caching and _replay(conn, paths, database, files, report):
        return
    # End the short read of the checks above: validation can take long, and an open
    # transaction would hold its snapshot (and vacuum's horizon) all that time.
    conn.rollback()
    refs = DatabaseRefs(conn)
    checked = check_packs(paths, external=refs, on_pack=lambda done, total: progress(
        f"validating {_bar(done, total)} {done}/{total} packs"))  # fmt: skip
    report.files_checked = checked.files_checked
    report.packs = [p.ref for p in checked.packs]
    report.record(checked.diagnostics)
    if not report.ok:
        return
    packs = checked.packs
    targets = external_targets(packs)
    own = {p.ref for p in packs}
    referenced = {pack_of(r) for refs_ in targets.values() for r in refs_}
    progress("locking")  # until "planning": the wait for other loaders of these packs
    lock_packs(conn, own, referenced, options.lock_timeout_s)
    report.record(_vanished(refs, targets))
    if not report.ok:
        return
    progress("planning")
    plan = build_plan(conn, packs, options.absent)
    report.changes = plan.changes
    report.record(plan.conflicts)
    remember = caching and not racy and not plan.has_absent
    pending = bool(report.pending)  # a list as long as the load: asked once
    if not report.ok or (pending and options.dry_run):
        conn.rollback()
        return
    if pending:
        apply_plan(conn, plan, progress)
    token = reload_cache.database_token(conn, sorted(own)) if remember else ""
    session.commit()
    report.applied = pending
    if remember:
        state = reload_cache.Remembered(
            report.packs, report.changes, report.warnings + report.notes, report.files_checked,
            {kind: sorted(refs_) for kind, refs_ in targets.items()},
        )  # fmt: skip
        reload_cache.remember(paths, database, files, token, state)


def _replay(conn: Conn, paths: Sequence[Path], database: str, files: str, report: Report) -> bool:
    """Report a remembered no-op when neither the files nor the packs' rows changed."""
    token_of = lambda packs: reload_cache.database_token(conn, packs)  # noqa: E731
    remembered = reload_cache.recall(paths, database, files, token_of)
    if remembered is None:
        return False
    targets = {kind: set(refs) for kind, refs in remembered.external.items()}
    if _vanished(DatabaseRefs(conn), targets):
        return False
    report.packs = remembered.packs
    report.changes = remembered.changes
    report.record(remembered.remarks)
    report.files_checked = remembered.files_checked
    report.from_cache = True
    conn.rollback()
    return True


def _vanished(refs: DatabaseRefs, targets: dict[str, set[str]]) -> list[Diagnostic]:
    """References checked before the locks were taken must still hold after."""
    out = []
    for kind, wanted in targets.items():
        for ref in sorted(wanted - refs.find(kind, wanted).keys()):
            message = f"{kind} '{ref}' was removed by another load while this one started"
            out.append(
                Diagnostic("(database)", None, None, codes.REF_VANISHED, message, "run again")
            )
    return out


def _bar(done: int, total: int, width: int = 24) -> str:
    filled = width * done // max(total, 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"
