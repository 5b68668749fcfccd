"""The library entry points. Each returns a :class:`~loader.report.Report` (or, for the
migration and embedded-database commands, the runner's result) and never prints or
exits; the CLI prints the same results. Nothing here changes the process's global
state, unless asked to: see ``pause_gc``."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from loader.database import inventory
from loader.database.conn import ConnectionSource as ConnectionSource  # in signatures here
from loader.database.connect import direct, lent
from loader.database.embedded import Cluster, ClusterStatus
from loader.database.inventory import LoadedPack as LoadedPack  # returned here
from loader.database.load import LoadOptions, run_load
from loader.database.migrate import runner
from loader.database.migrate.runner import MigrateResult, MigrationStatus
from loader.database.target import conninfo_for
from loader.kinds import MANIFEST
from loader.report import AbsentPolicy, Report, codes
from loader.report.diagnostics import Diagnostic, sort_diagnostics
from loader.resources import CORE_PACK_DIR, MIGRATIONS_DIR

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def validate_packs(
    paths: Sequence[str | Path], *, strict: bool = False, pause_gc: bool = False
) -> Report:
    """Validate pack directories (or ``.tar.gz`` / ``.zip`` pack archives) without a
    database: every file is parsed and checked against its kind's schema and the
    semantic rules, and references must resolve among the packs given.

    :param paths: the packs. References to ``core.*`` components of kinds that no
        given core pack has a folder for resolve from the packaged core pack (a note
        says so), so a pack that uses core's runtimes validates alone.
    :param strict: warnings fail the report too (notes never do).
    :param pause_gc: pause Python's cyclic garbage collector during the call (see
        :func:`cyclic_gc_paused`); its previous state is restored afterwards.
    :returns: a report with command ``validate``; ``report.ok`` says whether it is valid.
    """
    from loader.packs.pipeline import check_packs  # not needed by the other commands

    report = Report(command="validate", strict=strict)
    with _pack_roots(paths, report) as (roots, shown), cyclic_gc_paused(pause_gc):
        result = check_packs(roots)
        report.packs = [p.ref for p in result.packs]
        report.files_checked = result.files_checked
        report.diagnostics += result.diagnostics
        _present(report, shown)
    return report


def packs_holding(files: Sequence[str | Path], *, with_core: bool = True) -> list[Path]:
    """The packs that hold ``files`` (for each, the nearest folder above it with a
    pack.yaml), each once, in the order first met; a file outside every pack counts
    for none. What a commit hook validates: the packs its changed files belong to.

    :param with_core: put the installed core pack first, so that references to its
        runtimes and triggers resolve, unless one of the packs found is the core pack.
    """
    roots: list[Path] = []
    for file in map(Path, files):
        root = next((d for d in file.parents if (d / MANIFEST).is_file()), None)
        if root is not None and root not in roots:
            roots.append(root)
    if roots and with_core and not any(_is_core(root) for root in roots):
        roots.insert(0, CORE_PACK_DIR)
    return roots


def _is_core(root: Path) -> bool:
    from loader.packs.model import ParsedFile  # the YAML reader only when a hook asks
    from loader.packs.read import parse_file

    manifest = parse_file(root / MANIFEST, str(root / MANIFEST))
    return (
        isinstance(manifest, ParsedFile)
        and isinstance(manifest.data, dict)
        and (manifest.data.get("ref") == "core")
    )


def load_packs(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    absent: AbsentPolicy | str = AbsentPolicy.REMOVE,
    dry_run: bool = False,
    lock_timeout_s: float = 30.0,
    use_cache: bool = True,
    connect: ConnectionSource | None = None,
    strict: bool = False,
    progress: Progress = _quiet,
    pause_gc: bool = False,
) -> Report:
    """Validate packs, plan them against the database and write the plan in one
    transaction. Nothing is written when any error is found, on a conflict, or with
    ``dry_run``; unchanged components are never written.

    :param paths: pack directories or ``.tar.gz`` / ``.zip`` archives.
    :param database_url: as for the CLI; None means DATABASE_URL, PG*, then embedded.
    :param connect: where the connection comes from instead (a pool's ``connection``);
        ``database_url`` is then not read.
    :param absent: what happens to components a pack owns but no longer declares:
        ``remove``, ``disable`` or ``retain``. A pack without a kind's folder keeps
        its rows of that kind whatever this says (docs/pack-format.md).
    :param lock_timeout_s: how long to wait for another loader of the same packs.
    :param use_cache: recognise a reload whose files and rows are unchanged since the
        last load of the same pack directories, without parsing (loader.database.reload_cache).
    :param strict: warnings fail the load too: nothing is written (notes never fail).
    :param pause_gc: pause Python's cyclic garbage collector during the call (see
        :func:`cyclic_gc_paused`); its previous state is restored afterwards.
    :returns: a report with command ``load``; ``report.applied`` says whether it wrote.
    :raises loader.errors.LoaderError: the database is unreachable or fails, or the
        lock wait timed out.
    """
    options = LoadOptions(AbsentPolicy(absent), dry_run, lock_timeout_s, use_cache)
    return _load("load", paths, database_url, connect, options, strict, progress, pause_gc)


def plan_packs(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    absent: AbsentPolicy | str = AbsentPolicy.REMOVE,
    lock_timeout_s: float = 30.0,
    use_cache: bool = True,
    connect: ConnectionSource | None = None,
    strict: bool = False,
    progress: Progress = _quiet,
    pause_gc: bool = False,
) -> Report:
    """What :func:`load_packs` would change; runs in a read-only transaction.
    ``lock_timeout_s``, ``connect``, ``strict`` and ``pause_gc`` as for :func:`load_packs`."""
    options = LoadOptions(AbsentPolicy(absent), True, lock_timeout_s, use_cache)
    return _load("plan", paths, database_url, connect, options, strict, progress, pause_gc)


def seed(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    strict: bool = False,
    progress: Progress = _quiet,
    pause_gc: bool = False,
) -> Report:
    """Migrate the database to the latest schema, then load ``paths``: the one
    post-migration step for CI. Idempotent. ``strict`` and ``pause_gc`` as for
    :func:`load_packs`."""
    url = conninfo_for(database_url, migrate_embedded=False, notify=progress)
    runner.migrate(url, notify=progress)
    return _load("seed", paths, url, None, LoadOptions(), strict, progress, pause_gc)


def migrate(
    *,
    database_url: str | None = None,
    migrations_dir: Path = MIGRATIONS_DIR,
    dry_run: bool = False,
    target_version: int | None = None,
    ignore_missing: bool = False,
    lock_timeout_s: float = 60.0,
    progress: Progress = _quiet,
) -> MigrateResult:
    """Apply the pending schema migrations, each in one transaction with its ledger row.

    :param database_url: as for :func:`load_packs`; the embedded database is started
        but not migrated beforehand.
    :param target_version: apply up to this version only (None: all).
    :param ignore_missing: go on when an applied migration's file is gone.
    :raises loader.errors.LoaderError: the ledger disagrees with the files, a migration
        failed, the database is unreachable or the lock wait timed out.
    """
    url = conninfo_for(database_url, migrate_embedded=False, notify=progress)
    return runner.migrate(
        url,
        migrations_dir,
        dry_run=dry_run,
        target_version=target_version,
        ignore_missing=ignore_missing,
        lock_timeout_s=lock_timeout_s,
        notify=progress,
    )


def migration_status(
    *,
    database_url: str | None = None,
    migrations_dir: Path = MIGRATIONS_DIR,
    connect: ConnectionSource | None = None,
    progress: Progress = _quiet,
) -> list[MigrationStatus]:
    """Every migration as applied, pending, modified, missing or failed; read-only.
    ``connect`` as for :func:`load_packs`."""
    if connect is None:
        url = conninfo_for(database_url, migrate_embedded=False, notify=progress)
        return runner.status(url, migrations_dir)
    with lent(connect) as conn:
        return runner.status_on(conn, migrations_dir)


def loaded_packs(
    *, database_url: str | None = None, connect: ConnectionSource | None = None
) -> list[LoadedPack]:
    """The packs in the database, by ref: version, components per kind and when a
    load last changed them; read-only. ``connect`` as for :func:`load_packs`."""
    with lent(connect or direct(conninfo_for(database_url))) as conn:
        return inventory.loaded_packs(conn)


def database_conninfo(database_url: str | None = None, *, progress: Progress = _quiet) -> str:
    """The connection string the loading commands use for ``database_url``: as given,
    else DATABASE_URL, PG*, else the embedded database, started and migrated."""
    return conninfo_for(database_url, notify=progress)


def embedded_status() -> ClusterStatus:
    """Where the embedded database's cluster lives and whether it runs."""
    return Cluster().status()


def stop_embedded() -> bool:
    """Stop the embedded cluster (its data stays); False when it was not running."""
    return Cluster().stop()


def embedded_url() -> str:
    """The embedded database's URL, starting its cluster if needed."""
    return Cluster().ensure_started()


def _load(
    command: str,
    paths: Sequence[str | Path],
    database_url: str | None,
    connect: ConnectionSource | None,
    options: LoadOptions,
    strict: bool,
    progress: Progress,
    pause_gc: bool,
) -> Report:
    report = Report(command=command, strict=strict)
    with _pack_roots(paths, report) as (roots, shown), cyclic_gc_paused(pause_gc):
        if report.ok:
            run_load(
                roots, report, options, database_url=database_url, connect=connect,
                progress=progress,
            )  # fmt: skip
        _present(report, shown)
    return report


@contextmanager
def cyclic_gc_paused(pause: bool = True) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (with ``pause``), then
    put it back as it was: re-enabled only if it was enabled before.

    A load allocates a great many small, acyclic objects and keeps them all until it
    ends, so the cycle collector finds nothing while re-walking them ever more often:
    a quarter of a 100,000-file check (docs/performance.md). Plain reference counting
    still frees everything. The collector is process-wide, so only the CLI, which owns
    its process, pauses it by default; an application embedding the library decides.
    """
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and enabled:
            gc.enable()


@contextmanager
def _pack_roots(
    paths: Sequence[str | Path], report: Report
) -> Iterator[tuple[list[Path], dict[str, str]]]:
    """Pack directories as given, archives extracted into a scratch directory that
    lives as long as the block; unsafe archives become diagnostics."""
    given = [Path(p) for p in paths]
    if not any(p.is_file() for p in given):
        # Only directories: no archive module (tarfile) and no scratch directory, a
        # few ms of every no-op reload (docs/performance.md).
        yield given, {}
        return
    from loader.packs.archives import ArchiveError, extract_pack, is_archive, scratch_directory

    with scratch_directory() as scratch:
        roots: list[Path] = []
        shown: dict[str, str] = {}  # extracted root -> the archive's name
        for i, path in enumerate(given):
            if not is_archive(path):
                roots.append(path)
                continue
            try:
                root = extract_pack(path, scratch / str(i))
            except ArchiveError as exc:
                report.diagnostics.append(
                    Diagnostic(str(path), None, None, codes.PACK_ARCHIVE, str(exc), exc.hint)
                )
                continue
            roots.append(root)
            shown[str(root)] = str(path)
        yield roots, shown


def _present(report: Report, shown: dict[str, str]) -> None:
    """Sort diagnostics and name files of extracted archives by the archive."""
    report.diagnostics = sort_diagnostics([_renamed(d, shown) for d in report.diagnostics])


def _renamed(diagnostic: Diagnostic, shown: dict[str, str]) -> Diagnostic:
    """Show files of an extracted archive under the archive's name."""
    for root, archive in shown.items():
        if diagnostic.file == root or diagnostic.file.startswith(root + "/"):
            return diagnostic._replace(file=archive + diagnostic.file[len(root) :])
    return diagnostic
