"""The library entry points. Each returns a :class:`~loader.report.Report` and never
prints or exits; the CLI prints the same report."""

from __future__ import annotations

import dataclasses
import gc
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from loader.database.load import LoadOptions, run_load
from loader.database.migrate import runner
from loader.database.target import conninfo_for
from loader.packs.archives import ArchiveError, extract_pack, is_archive
from loader.packs.pipeline import check_packs, sort_diagnostics
from loader.report import AbsentPolicy, Report, codes
from loader.report.diagnostics import Diagnostic

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def validate_packs(paths: Sequence[str | Path]) -> Report:
    """Validate pack directories (or ``.tar.gz`` / ``.zip`` pack archives) without a
    database: every file is parsed and checked against its kind's schema and the
    semantic rules, and references must resolve among the packs given.

    :param paths: the packs; give ``packs/core`` too when a pack uses its runtimes.
    :returns: a report with command ``validate``; ``report.ok`` says whether it is valid.
    """
    report = Report(command="validate")
    with _pack_roots(paths, report) as (roots, shown), _cyclic_gc_paused():
        result = check_packs(roots)
        report.packs = [p.ref for p in result.packs]
        report.files_checked = result.files_checked
        report.diagnostics += result.diagnostics
        _present(report, shown)
    return report


def load_packs(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    absent: AbsentPolicy | str = AbsentPolicy.REMOVE,
    dry_run: bool = False,
    lock_timeout_s: float = 30.0,
    use_cache: bool = True,
    progress: Progress = _quiet,
) -> Report:
    """Validate packs, plan them against the database and write the plan in one
    transaction. Nothing is written when any error is found, on a conflict, or with
    ``dry_run``; unchanged components are never written.

    :param paths: pack directories or ``.tar.gz`` / ``.zip`` archives.
    :param database_url: as for the CLI; None means DATABASE_URL, PG*, then embedded.
    :param absent: what happens to components a pack owns but no longer declares:
        ``remove``, ``disable`` or ``retain``.
    :param lock_timeout_s: how long to wait for another loader of the same packs.
    :param use_cache: recognise a reload whose files and rows are unchanged since the
        last load of the same pack directories, without parsing (loader.database.reload_cache).
    :returns: a report with command ``load``; ``report.applied`` says whether it wrote.
    :raises loader.errors.LoaderError: the database is unreachable or fails, or the
        lock wait timed out.
    """
    options = LoadOptions(AbsentPolicy(absent), dry_run, lock_timeout_s, use_cache)
    return _load("load", paths, database_url, options, progress)


def plan_packs(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    absent: AbsentPolicy | str = AbsentPolicy.REMOVE,
    use_cache: bool = True,
    progress: Progress = _quiet,
) -> Report:
    """What :func:`load_packs` would change; runs in a read-only transaction."""
    options = LoadOptions(AbsentPolicy(absent), dry_run=True, use_cache=use_cache)
    return _load("plan", paths, database_url, options, progress)


def seed(
    paths: Sequence[str | Path],
    *,
    database_url: str | None = None,
    progress: Progress = _quiet,
) -> Report:
    """Migrate the database to the latest schema, then load ``paths``: the one
    post-migration step for CI. Idempotent."""
    url = conninfo_for(database_url, migrate_embedded=False, notify=progress)
    runner.migrate(url, notify=progress)
    return _load("seed", paths, url, LoadOptions(), progress)


def _load(
    command: str,
    paths: Sequence[str | Path],
    database_url: str | None,
    options: LoadOptions,
    progress: Progress,
) -> Report:
    report = Report(command=command)
    with _pack_roots(paths, report) as (roots, shown), _cyclic_gc_paused():
        if report.ok:
            run_load(roots, report, options, database_url=database_url, progress=progress)
        _present(report, shown)
    return report


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A load allocates a great many small, acyclic objects and keeps them all until
    it ends, so Python's cycle collector finds nothing while re-walking them ever more
    often: a quarter of a 100,000-file check (docs/performance.md). Plain reference
    counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _pack_roots(
    paths: Sequence[str | Path], report: Report
) -> Iterator[tuple[list[Path], dict[str, str]]]:
    """Pack directories as given, archives extracted into a scratch directory that
    lives as long as the block; unsafe archives become diagnostics."""
    with tempfile.TemporaryDirectory(prefix="attune-packs-") as scratch:
        roots: list[Path] = []
        shown: dict[str, str] = {}  # extracted root -> the archive's name
        for i, given in enumerate(Path(p) for p in paths):
            if not is_archive(given):
                roots.append(given)
                continue
            try:
                root = extract_pack(given, Path(scratch) / str(i))
            except ArchiveError as exc:
                report.diagnostics.append(
                    Diagnostic(str(given), None, None, codes.PACK_ARCHIVE, str(exc), exc.hint)
                )
                continue
            roots.append(root)
            shown[str(root)] = str(given)
        yield roots, shown


def _present(report: Report, shown: dict[str, str]) -> None:
    """Sort diagnostics and name files of extracted archives by the archive."""
    report.diagnostics = sort_diagnostics([_renamed(d, shown) for d in report.diagnostics])


def _renamed(diagnostic: Diagnostic, shown: dict[str, str]) -> Diagnostic:
    """Show files of an extracted archive under the archive's name."""
    for root, archive in shown.items():
        if diagnostic.file == root or diagnostic.file.startswith(root + "/"):
            return dataclasses.replace(diagnostic, file=archive + diagnostic.file[len(root) :])
    return diagnostic
