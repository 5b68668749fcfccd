"""The load pipeline around a database: validate -> lock -> plan -> apply -> report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import psycopg

from loader.database import reload_cache
from loader.database.conn import Conn, ConnectionSource
from loader.database.connect import direct, failure, lent
from loader.database.migrate.runner import require_current
from loader.database.refs import DatabaseRefs, pack_of
from loader.database.reload_cache import PackMemory, ReloadCache
from loader.database.target import conninfo_for
from loader.report import AbsentPolicy, Diagnostic, Report, codes
from loader.report.changes import KEPT

if TYPE_CHECKING:
    from loader.packs.model import Pack
    from loader.packs.pipeline import CheckResult

Progress = Callable[[str], None]


class LoadOptions(NamedTuple):
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
    # Without a cache directory (ATTUNE_LOADER_NO_CACHE) there is nothing to remember.
    caching = options.use_cache and reload_cache.cache_dir() is not None
    cache = ReloadCache(conn, paths) if caching else None
    if cache is not None and cache.all_fresh and _replay(conn, cache, report):
        return
    # Imported only now: a remembered no-op neither locks, plans nor writes.
    from loader.database.apply import apply_plan
    from loader.database.lock import lock_packs
    from loader.database.plan import build_plan

    # End the short read of the checks above: validation can take long, and an open
    # transaction would hold its snapshot (and vacuum's horizon) all that time.
    conn.rollback()
    refs = DatabaseRefs(conn)
    checked, reused = _check(paths, cache, refs, progress)
    report.files_checked = checked.files_checked + sum(m.files_checked for m in reused)
    report.packs = [p.ref for p in checked.packs]
    if cache is not None and reused:
        report.packs = cache.pack_refs(checked.packs, reused)
    report.record(checked.diagnostics + [w for m in reused for w in m.remarks])
    if not report.ok:
        return
    packs = checked.packs
    targets = reload_cache.external_of(packs, reused)
    own = {p.ref for p in packs} | {m.ref for m in reused}
    referenced = {pack_of(r) for refs_ in targets.values() for r in refs_}
    progress("locking")  # until "planning": the wait for other loaders of these packs
    lock_packs(conn, own, referenced, options.lock_timeout_s)
    report.record(_vanished(refs, targets))
    if not report.ok:
        return
    progress("planning")
    partly = _partly(conn, packs, cache)
    plan = build_plan(conn, packs, options.absent, partly)
    report.changes = plan.changes
    if reused or partly:
        assert cache is not None  # both come from it
        by_pack, gone = reload_cache.declared_changes(plan)
        remembered = {m.ref: m.changes for m in reused}
        for ref in partly:
            remembered[ref] = reload_cache.patched(cache.remembered[ref], by_pack.get(ref, {}))
        groups = (remembered[r] if r in remembered else by_pack.get(r, {}) for r in report.packs)
        report.changes = reload_cache.in_plan_order(groups, gone)
    report.record(plan.conflicts)
    # Only planned changes can write (the reused packs' are all unchanged): a reload of
    # one pack among 100 need not look through 100,000.
    pending = any(c.action not in KEPT for c in plan.changes)
    if not report.ok or (pending and options.dry_run):
        conn.rollback()
        return
    if pending:
        apply_plan(conn, plan, progress)
    memories = cache.learn(conn, packs, plan, report, reused) if cache is not None else []
    session.commit()
    report.applied = pending
    if cache is not None:
        cache.remember(memories)


def _partly(
    conn: Conn, packs: Sequence[Pack], cache: ReloadCache | None
) -> dict[str, frozenset[tuple[str, str]]]:
    """The packs checked from a snapshot whose rows are as their memories have them, with
    the components of their changed files: only those can differ from their rows. The
    rows are asked again now that the packs are locked: another load may have written
    them since this one began (and the new token, read after this load's writes,
    would take its rows for this load's)."""
    if cache is None:
        return {}
    partly = {
        p.ref: p.rechecked for p in packs if p.rechecked is not None and p.ref in cache.rows_kept
    }
    tokens = reload_cache.pack_tokens(conn, list(partly))
    return {ref: c for ref, c in partly.items() if tokens[ref] == cache.remembered[ref].token}


def _check(
    paths: Sequence[Path], cache: ReloadCache | None, refs: DatabaseRefs, progress: Progress
) -> tuple[CheckResult, list[PackMemory]]:
    """Check the packs the cache cannot vouch for, and the packs it vouches for; every
    pack when that smaller check could word something otherwise (reload_cache)."""
    # Imported only now: a remembered no-op needs neither YAML nor JSON Schema.
    from loader.packs.pipeline import check_packs

    def on_pack(done: int, total: int) -> None:
        progress(f"validating {_bar(done, total)} {done}/{total} packs")

    reused = cache.reusable() if cache is not None else []
    check = partial(check_packs, external=refs, on_pack=on_pack)
    if cache is not None:
        check = partial(check, prior=cache.snapshots(), keep=cache)
    # A reference of a reused pack that no longer resolves is for the full check to word.
    if cache is not None and reused and not _vanished(refs, reload_cache.external_of([], reused)):
        subset = cache.to_check(reused)
        checked = check(subset)
        if cache.agrees(checked.packs, checked.diagnostics, len(subset), reused):
            return checked, reused
    return check(paths), []


def _replay(conn: Conn, cache: ReloadCache, report: Report) -> bool:
    """Report a remembered no-op when neither the files nor the packs' rows changed."""
    memories = cache.in_order()
    if _vanished(DatabaseRefs(conn), reload_cache.external_of([], memories)):
        return False
    report.packs = [m.ref for m in memories]
    report.changes = reload_cache.in_plan_order(m.changes for m in memories)
    report.record([w for m in memories for w in m.remarks])
    report.files_checked = sum(m.files_checked for m in memories)
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
