"""The load benchmark's writers at a tiny size: same rows, and a reload that writes none.

The loader, the row-by-row baseline and the COPY floor each load the same generated
packs into a database of their own; their tables must then hold the same rows (ids
and timestamps aside, references compared by ref), or the benchmark compares
different work. The no-op reload is checked with the same row-version snapshots the
benchmark uses, and those snapshots are shown to notice a single rewritten row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench import baseline, bench_small, floor, packgen
from bench.bench_load import (
    LoaderRun,
    Server,
    one_file_changed,
    row_versions,
    run_loader,
    server_cpu_s,
    table_contents,
    writes_between,
)
from loader import CORE_PACK_DIR, load_packs
from loader.packs.pipeline import check_packs


@pytest.fixture
def server(pg_server: str) -> Iterator[Server]:
    created = Server(pg_server)
    try:
        yield created
    finally:
        created.drop_all()


def test_writers_agree_and_reload_writes_nothing(
    server: Server, template_database: str, tmp_path: Path
) -> None:
    paths = [CORE_PACK_DIR, *packgen.generate(tmp_path, packs=2, components=20)]
    template = template_database

    loaded = server.fresh("loader", template)
    empty = row_versions(loaded)
    # In a child process, as the benchmark runs it, so the RSS plumbing is covered too.
    first = run_loader(paths, loaded, "first load")
    assert first.ok and first.applied, first.errors
    assert first.peak_rss_mb > 0 and first.cpu_s > 0
    after_first = row_versions(loaded)
    assert writes_between(empty, after_first).inserted >= first.components > 40

    reload = run_loader(paths, loaded, "reload", in_child=False)
    assert reload.ok and not reload.applied and reload.pending == 0
    assert writes_between(after_first, row_versions(loaded)).total == 0

    checked = check_packs(paths)
    assert not [d for d in checked.diagnostics if d.is_error]
    rewritten = server.fresh("baseline", template)
    assert baseline.run(rewritten, checked.packs).components == first.components
    copied = server.fresh("floor", template)
    assert floor.run(copied, checked.packs).components == first.components

    expected = table_contents(loaded)
    assert sum(len(rows) for rows in expected.values()) == first.components
    assert table_contents(rewritten) == expected
    assert table_contents(copied) == expected


def test_row_versions_notice_one_rewritten_row(database_url: str) -> None:
    """The no-op check is exact: an update that changes no value still counts."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO attune.pack (ref, label, version) VALUES ('p1', 'P', '1.0.0'), "
            "('p2', 'P', '1.0.0')"
        )
        before = row_versions(database_url)
        conn.execute("UPDATE attune.pack SET label = label WHERE ref = 'p1'")
        conn.execute("DELETE FROM attune.pack WHERE ref = 'p2'")
    writes = writes_between(before, row_versions(database_url))
    assert (writes.inserted, writes.updated, writes.deleted) == (0, 1, 1)


def test_server_cpu_counts_a_backend_that_has_ended(pg_server: str) -> None:
    """The server's CPU time includes what a closed connection's backend spent."""
    before = server_cpu_s(pg_server)
    if before is None:
        pytest.skip("the server's processes are not visible from here (a container)")
    with psycopg.connect(pg_server) as conn:
        conn.execute("SELECT count(*) FROM generate_series(1, 5000000)").fetchone()
    deadline = time.monotonic() + 2.0  # the postmaster reaps the backend soon, not at once
    while (after := server_cpu_s(pg_server) or 0.0) - before < 0.1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert after - before >= 0.1


def test_progress_bar_steps_are_one_stage() -> None:
    stages = [(0.0, "connecting"), (0.1, "validating [#.] 1/2 packs"),
              (0.5, "validating [##] 2/2 packs"), (0.9, "planning")]  # fmt: skip
    run = LoaderRun("first load", True, True, 3, 3, 1.0, 50.0, stages=stages)
    durations = [(name, round(seconds, 6)) for name, seconds in run.stage_durations()]
    assert durations == [("connecting", 0.1), ("validating", 0.8), ("planning", 0.1)]


def test_small_benchmarks_cold_floor_writes_the_loaders_rows(
    server: Server, template_database: str, tmp_path: Path
) -> None:
    """The cold floor's COPY script, given ids, leaves what a load of packs/core does."""
    checked = check_packs([CORE_PACK_DIR])
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps(bench_small.copy_tables(baseline.in_load_order(checked.packs))))
    copied = server.fresh("floor", template_database)
    env = {**os.environ, "BENCH_URL": copied}
    subprocess.run([sys.executable, "-c", bench_small.COPY_FLOOR, str(rows)], env=env, check=True)
    loaded = server.fresh("loader", template_database)
    assert load_packs([CORE_PACK_DIR], database_url=loaded, use_cache=False).applied
    assert table_contents(copied) == table_contents(loaded)


def test_one_file_changed_puts_the_file_back(tmp_path: Path) -> None:
    (pack,) = packgen.generate(tmp_path, packs=1, components=5)
    path = sorted((pack / "actions").glob("*.yaml"))[0]
    original = path.read_bytes()
    with one_file_changed(pack) as changed:
        assert changed == path and path.read_bytes() != original
    assert path.read_bytes() == original
