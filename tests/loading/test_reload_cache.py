"""A reload of unchanged packs into an unchanged database is recognised without parsing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.database import reload_cache
from loader.database.conn import Conn
from loader.report import Action
from tests.helpers.db import row_versions


@pytest.fixture
def core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of packs/core; its files count as settled at once."""
    monkeypatch.setattr(reload_cache, "_RACY_NS", 0)
    return Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core"))


def test_unchanged_reload_is_remembered(core: Path, database_url: str, conn: Conn) -> None:
    """The second load comes from the cache: same components, nothing written."""
    first = load_packs([core], database_url=database_url)
    assert first.applied and not first.from_cache
    before = row_versions(conn)
    second = load_packs([core], database_url=database_url)
    assert second.from_cache and not second.applied and second.pending == []
    # The same components of the same packs, in the same order.
    assert [(c.kind, c.ref, c.pack) for c in second.changes] == [
        (c.kind, c.ref, c.pack) for c in first.changes
    ]
    assert all(c.action is Action.UNCHANGED for c in second.changes)
    assert [d.code for d in second.warnings] == [d.code for d in first.warnings]
    assert row_versions(conn) == before


def test_edited_file_is_not_taken_from_the_cache(core: Path, database_url: str) -> None:
    """Changing a file (even keeping its size) makes the next load read everything."""
    load_packs([core], database_url=database_url)
    echo = core / "actions" / "echo.yaml"
    echo.write_text(echo.read_text().replace("Print a message", "Print a massage"))
    report = load_packs([core], database_url=database_url)
    assert not report.from_cache
    assert [(c.ref, c.fields) for c in report.pending] == [("core.echo", ("description",))]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE attune.action SET description = 'edited by hand' WHERE ref = 'core.echo'",
        "DELETE FROM attune.sensor WHERE ref = 'core.interval_timer_sensor'",
        "UPDATE attune.trigger SET webhook_enabled = true WHERE ref = 'core.crontimer'",
    ],
)
def test_changed_rows_are_not_taken_from_the_cache(
    core: Path, database_url: str, conn: Conn, statement: str
) -> None:
    """Any write to a row the pack owns makes the next load compare for real."""
    load_packs([core], database_url=database_url)
    conn.execute(statement)
    report = load_packs([core], database_url=database_url)
    assert not report.from_cache
    assert load_packs([core], database_url=database_url).from_cache


def test_cache_can_be_turned_off(
    core: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """use_cache=False and ATTUNE_LOADER_NO_CACHE both force a full check."""
    load_packs([core], database_url=database_url)
    assert not load_packs([core], database_url=database_url, use_cache=False).from_cache
    monkeypatch.setenv("ATTUNE_LOADER_NO_CACHE", "1")
    assert not load_packs([core], database_url=database_url).from_cache


def test_freshly_written_files_are_not_remembered(tmp_path: Path, database_url: str) -> None:
    """Files changed within the clock's resolution could change again unseen."""
    fresh = Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "fresh"))
    load_packs([fresh], database_url=database_url)
    assert not load_packs([fresh], database_url=database_url).from_cache


def test_damaged_cache_entry_is_a_miss(core: Path, database_url: str) -> None:
    """An entry that is not what the loader wrote is ignored, then rewritten."""
    load_packs([core], database_url=database_url)
    directory = reload_cache.cache_dir()
    assert directory is not None
    for entry in directory.glob("*.json"):
        entry.write_text('{"files": 1}')
    assert not load_packs([core], database_url=database_url).from_cache
    assert load_packs([core], database_url=database_url).from_cache
