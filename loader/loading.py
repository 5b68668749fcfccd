"""The load pipeline around a database: validate -> lock -> plan -> apply -> report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg

from loader.apply import apply_plan, lock_packs
from loader.check import check_packs
from loader.database import conninfo_for
from loader.diagnostics import Diagnostic
from loader.errors import DatabaseError
from loader.plan import AbsentPolicy, build_plan
from loader.report import Report
from loader.resolve import DatabaseRefs, external_targets, pack_of

Progress = Callable[[str], None]


def run_load(
    paths: Sequence[Path],
    report: Report,
    *,
    database_url: str | None = None,
    absent: AbsentPolicy = AbsentPolicy.REMOVE,
    dry_run: bool = False,
    lock_timeout_s: float = 30.0,
    progress: Progress = lambda _: None,
) -> None:
    """Validate the packs, then plan them against the database and, unless
    ``dry_run``, apply the plan in one transaction; fill ``report``. Any error
    writes nothing."""
    url = conninfo_for(database_url, notify=progress)
    try:
        with psycopg.connect(url) as conn:
            conn.read_only = dry_run  # the server itself then refuses any write
            _run(conn, paths, report, absent, dry_run, lock_timeout_s, progress)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"database connection failed: {str(exc).strip()}") from exc
    except psycopg.Error as exc:
        raise DatabaseError(f"the database failed: {str(exc).strip()}") from exc


def _run(
    conn: psycopg.Connection[tuple[object, ...]],
    paths: Sequence[Path],
    report: Report,
    absent: AbsentPolicy,
    dry_run: bool,
    lock_timeout_s: float,
    progress: Progress,
) -> None:
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
    lock_packs(conn, own, {pack_of(r) for refs_ in targets.values() for r in refs_}, lock_timeout_s)
    report.record(_vanished(refs, targets))
    if not report.ok:
        return
    progress("planning")
    plan = build_plan(conn, packs, absent)
    report.changes = plan.changes()
    report.record(plan.conflicts)
    if not report.ok or dry_run or not report.pending:
        conn.rollback()
        return
    apply_plan(conn, plan, progress)
    conn.commit()
    report.applied = True


def _vanished(refs: DatabaseRefs, targets: dict[str, set[str]]) -> list[Diagnostic]:
    """References checked before the locks were taken must still hold after."""
    out = []
    for kind, wanted in targets.items():
        for ref in sorted(wanted - refs.find(kind, wanted).keys()):
            message = f"{kind} '{ref}' was removed by another load while this one started"
            out.append(Diagnostic("(database)", None, None, "ref.vanished", message, "run again"))
    return out


def _bar(done: int, total: int, width: int = 24) -> str:
    filled = width * done // max(total, 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"
