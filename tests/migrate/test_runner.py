"""The migration runner against a real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from loader import MIGRATIONS_DIR
from loader.database.migrate import files, runner
from loader.database.migrate.runner import State
from loader.errors import LockTimeout, MigrationError
from tests.helpers.cli import cli_command, run_cli


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def _ledger(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT version, description, success, checksum, execution_time "
            "FROM _sqlx_migrations ORDER BY version"
        ).fetchall()


def _table_exists(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
        return bool(row and row[0])


@pytest.fixture
def mig_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    _write(directory, "20250101000001_first_table.sql", "CREATE TABLE first_t (id int);\n")
    _write(directory, "20250101000002_second_table.sql", "CREATE TABLE second_t (id int);\n")
    return directory


def test_second_run_applies_nothing(empty_database_url: str) -> None:
    """Migrating twice applies every file once, then nothing."""
    first = runner.migrate(empty_database_url)
    second = runner.migrate(empty_database_url)
    assert len(first.applied) == len(files.discover(MIGRATIONS_DIR)) > 0
    assert second.applied == []


def test_ledger_matches_sqlx_layout_and_checksums(empty_database_url: str) -> None:
    """Ledger rows carry sqlx's description and a SHA-384 of the file's bytes."""
    runner.migrate(empty_database_url)
    rows = _ledger(empty_database_url)
    on_disk = sorted(MIGRATIONS_DIR.glob("*.sql"))
    assert [r[0] for r in rows] == [int(p.name.split("_", 1)[0]) for p in on_disk]
    for row, path in zip(rows, on_disk, strict=True):
        _version, description, success, checksum, execution_time = row
        assert description == path.stem.split("_", 1)[1].replace("_", " ")
        assert success is True
        assert isinstance(checksum, bytes)
        assert checksum == hashlib.sha384(path.read_bytes()).digest()
        assert isinstance(execution_time, int) and execution_time > 0
    with psycopg.connect(empty_database_url) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = '_sqlx_migrations' ORDER BY ordinal_position"
        ).fetchall()
    assert columns == [
        ("version", "bigint", "NO"),
        ("description", "text", "NO"),
        ("installed_on", "timestamp with time zone", "NO"),
        ("success", "boolean", "NO"),
        ("checksum", "bytea", "NO"),
        ("execution_time", "bigint", "NO"),
    ]


def test_concurrent_migrators_apply_each_file_once(empty_database_url: str) -> None:
    """Four migrate processes at once: all succeed, each file is applied exactly once."""
    command = cli_command(
        "migrate",
        "--output",
        "json",
        "--database-url",
        empty_database_url,
    )
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    applied = [name for out, _ in outputs for name in json.loads(out)["applied"]]
    expected = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    assert sorted(applied) == expected
    assert len(_ledger(empty_database_url)) == len(expected)


def test_failed_migration_leaves_no_row_and_no_object(
    empty_database_url: str, mig_dir: Path
) -> None:
    """A file failing midway is rolled back whole: no ledger row, no partial table."""
    _write(
        mig_dir,
        "20250101000003_broken.sql",
        "CREATE TABLE partial_t (id int);\nSELECT 1;\nCREATE TABLE oops (id nosuchtype);\n",
    )
    with pytest.raises(MigrationError) as err:
        runner.migrate(empty_database_url, mig_dir)
    assert "20250101000003_broken.sql:3" in str(err.value)
    assert [r[0] for r in _ledger(empty_database_url)] == [20250101000001, 20250101000002]
    assert not _table_exists(empty_database_url, "partial_t")
    assert _table_exists(empty_database_url, "second_t")


def test_modified_file_is_refused_with_both_checksums(
    empty_database_url: str, mig_dir: Path
) -> None:
    """An applied file whose bytes changed is refused, naming it and both checksums."""
    runner.migrate(empty_database_url, mig_dir)
    path = mig_dir / "20250101000001_first_table.sql"
    old = hashlib.sha384(path.read_bytes()).hexdigest()
    path.write_text("CREATE TABLE first_t (id bigint);\n")
    with pytest.raises(MigrationError) as err:
        runner.migrate(empty_database_url, mig_dir)
    message = str(err.value)
    assert path.name in message and old in message
    assert hashlib.sha384(path.read_bytes()).hexdigest() in message
    assert "line endings" not in message
    assert runner.status(empty_database_url, mig_dir)[0].state is State.MODIFIED


def test_line_ending_change_is_named(empty_database_url: str, mig_dir: Path) -> None:
    """When only CRLF/LF differ, the refusal says so."""
    runner.migrate(empty_database_url, mig_dir)
    path = mig_dir / "20250101000002_second_table.sql"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(MigrationError, match="only line endings differ"):
        runner.migrate(empty_database_url, mig_dir)


def test_missing_file_is_refused_unless_ignored(empty_database_url: str, mig_dir: Path) -> None:
    """A ledger row without its file stops the run; --ignore-missing goes on."""
    runner.migrate(empty_database_url, mig_dir)
    (mig_dir / "20250101000001_first_table.sql").unlink()
    _write(mig_dir, "20250101000003_third.sql", "CREATE TABLE third_t (id int);\n")
    with pytest.raises(MigrationError, match="file is missing"):
        runner.migrate(empty_database_url, mig_dir)
    assert not _table_exists(empty_database_url, "third_t")
    result = runner.migrate(empty_database_url, mig_dir, ignore_missing=True)
    assert [m.version for m in result.applied] == [20250101000003]
    states = {s.version: s.state for s in runner.status(empty_database_url, mig_dir)}
    assert states[20250101000001] is State.MISSING


def test_duplicate_versions_are_refused(tmp_path: Path, mig_dir: Path) -> None:
    """Two files with one version cannot both be recorded, so neither is run."""
    _write(mig_dir, "20250101000002_other.sql", "SELECT 1;\n")
    with pytest.raises(MigrationError, match="duplicate migration version 20250101000002"):
        files.discover(mig_dir)


def test_failed_ledger_row_is_refused(empty_database_url: str, mig_dir: Path) -> None:
    """A row recorded as failed (by sqlx, say) blocks further migrations."""
    runner.migrate(empty_database_url, mig_dir)
    with psycopg.connect(empty_database_url) as conn:
        conn.execute("UPDATE _sqlx_migrations SET success = false WHERE version = 20250101000002")
    with pytest.raises(MigrationError, match="recorded as failed"):
        runner.migrate(empty_database_url, mig_dir)


def test_no_transaction_file_runs_outside_a_transaction(
    empty_database_url: str, mig_dir: Path
) -> None:
    """CREATE INDEX CONCURRENTLY only works outside a transaction block."""
    _write(
        mig_dir,
        "20250101000003_concurrent_index.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY first_t_id ON first_t (id);\n",
    )
    runner.migrate(empty_database_url, mig_dir)
    assert _table_exists(empty_database_url, "first_t_id")


def test_lock_wait_is_bounded_and_lock_released(empty_database_url: str, mig_dir: Path) -> None:
    """While another session holds sqlx's lock the runner times out; it leaves no lock."""
    with psycopg.connect(empty_database_url, autocommit=True) as holder:
        dbname = holder.info.dbname
        holder.execute("SELECT pg_advisory_lock(%s)", (runner.lock_key(dbname),))
        with pytest.raises(LockTimeout):
            runner.migrate(empty_database_url, mig_dir, lock_timeout_s=0.3)
        holder.execute("SELECT pg_advisory_unlock(%s)", (runner.lock_key(dbname),))
    with pytest.raises(MigrationError):
        runner.migrate(empty_database_url, mig_dir / "absent")
    with psycopg.connect(empty_database_url) as conn:
        held = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert held.fetchone() == (0,)


def test_dry_run_and_target_version(empty_database_url: str, mig_dir: Path) -> None:
    """--dry-run writes nothing at all; --target-version stops at that version."""
    dry = runner.migrate(empty_database_url, mig_dir, dry_run=True)
    assert [m.version for m in dry.pending] == [20250101000001, 20250101000002]
    assert not _table_exists(empty_database_url, "_sqlx_migrations")
    runner.migrate(empty_database_url, mig_dir, target_version=20250101000001)
    assert [r[0] for r in _ledger(empty_database_url)] == [20250101000001]
    states = [s.state for s in runner.status(empty_database_url, mig_dir)]
    assert states == [State.APPLIED, State.PENDING]


def test_cli_exit_code_and_message_for_modified_file(
    empty_database_url: str, mig_dir: Path
) -> None:
    """The CLI names the file and the remedy on stderr and exits with the database code."""
    runner.migrate(empty_database_url, mig_dir)
    (mig_dir / "20250101000001_first_table.sql").write_text("SELECT 2;\n")
    proc = run_cli(
        "migrate", "--database-url", empty_database_url, "--migrations-dir", str(mig_dir)
    )
    assert proc.returncode == 4
    assert "20250101000001_first_table.sql was changed after it was applied" in proc.stderr
    assert "hint: restore the applied version" in proc.stderr
    assert "Traceback" not in proc.stderr
