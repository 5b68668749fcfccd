"""Bounded waits for the pack lock, and a constant number of statements per kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench.packgen import generate
from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.database.conn import Conn
from loader.errors import LockTimeout
from tests.helpers.db import count_rows


def test_lock_wait_is_bounded(tmp_path: Path, database_url: str, conn: Conn) -> None:
    """While another session holds the core pack's lock, a load times out cleanly."""
    holder = psycopg.connect(database_url)
    holder.execute("SELECT pg_advisory_xact_lock(hashtextextended('attune.pack:core', 0))")
    try:
        with pytest.raises(LockTimeout, match="core"):
            load_packs([CORE_PACK_DIR], database_url=database_url, lock_timeout_s=0.3)
    finally:
        holder.rollback()
        holder.close()
    assert count_rows(conn) == 0
    assert load_packs([CORE_PACK_DIR], database_url=database_url).applied


def _statements_for(
    monkeypatch: pytest.MonkeyPatch, paths: list[Path], database_url: str
) -> tuple[int, int]:
    """(statements sent, components written) for one load, counted at the cursor."""
    sent: list[object] = []
    original = psycopg.Cursor.execute

    def spy(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return original(self, query, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", spy)
        # Without the reload cache: whether a load is remembered (8 more statements)
        # depends on how recently its files were written, which made the count vary.
        report = load_packs([CORE_PACK_DIR, *paths], database_url=database_url, use_cache=False)
    assert report.applied, report.errors
    return len(sent), len(report.pending)


def test_statements_do_not_grow_with_components(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading 20 or 400 components of the same kinds sends the same number of statements."""
    small = generate(tmp_path / "small", packs=1, components=20, seed=1)
    large = generate(tmp_path / "large", packs=1, components=400, seed=1)
    small_statements, small_rows = _statements_for(monkeypatch, small, database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE attune.pack CASCADE")
        conn.execute("TRUNCATE attune.runtime CASCADE")
    large_statements, large_rows = _statements_for(monkeypatch, large, database_url)
    assert large_rows > 10 * small_rows / 2
    assert large_statements == small_statements
