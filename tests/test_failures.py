"""Every failure is one clear error with the documented exit code, never a traceback,
and no output of any command in any mode holds the database password."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from typer.testing import CliRunner

from loader import CORE_PACK_DIR
from loader.cli.commands import app
from loader.cli.load_cmds import load_pack_app
from loader.database.migrate.runner import lock_key
from tests.fix_pgbouncer import PoolerUrl
from tests.helpers.cli import cli_command, run_cli
from tests.helpers.report_schema import report_problems
from tests.helpers.service import wait_for_lock_waiters

SENTINEL = "S3ntinel-Pa55w0rd"
COMMANDS = ["load", "plan", "seed", "migrate", "status", "load-pack"]
OUTPUTS = ["text", "json", "github"]


@dataclass(frozen=True)
class Case:
    url: str
    exit_code: int
    error_code: str


def _argv(command: str, url: str, output: str) -> list[str]:
    packs = [str(CORE_PACK_DIR)] if command in ("load", "plan", "load-pack") else []
    return [*packs, "--database-url", url, "--output", output]


def _invoke(command: str, args: list[str]) -> tuple[int, str, str]:
    """Run a command through its real Typer app, in this process (the matrix is large)."""
    runner = CliRunner()
    if command == "load-pack":
        result = runner.invoke(load_pack_app, args)
    else:
        result = runner.invoke(app, [command, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _check(command: str, output: str, case: Case, code: int, out: str, err: str) -> None:
    everything = out + err
    assert SENTINEL not in everything, everything
    assert "Traceback" not in everything
    assert code == case.exit_code, (command, output, everything)
    assert "error:" in err
    if output == "json":
        report = json.loads(out)
        assert report_problems(report) == []
        assert report["ok"] is False and report["command"] == command.replace("load-pack", "load")
        assert report["error"]["code"] == case.error_code, report["error"]
    if output == "github":
        assert out.startswith(f"::error title={case.error_code}::"), out


@pytest.fixture(scope="module")
def cases(pg_server: str, password_pooler: PoolerUrl) -> dict[str, Case]:
    missing_db = make_conninfo(pg_server, dbname="no_such_database", password=SENTINEL)
    wrong_password = make_conninfo(password_pooler(pg_server), password=SENTINEL)
    return {
        "malformed": Case(f"postgresql://u:{SENTINEL}@[::1/attune", 2, "settings.invalid"),
        "mysql": Case(f"mysql://u:{SENTINEL}@localhost/attune", 2, "settings.invalid"),
        "driver": Case(f"postgresql+psycopg2://u:{SENTINEL}@h/attune", 2, "settings.invalid"),
        "unreachable": Case(f"postgresql://u:{SENTINEL}@127.0.0.1:1/a", 4, "database.unreachable"),
        "wrong password": Case(wrong_password, 4, "database.unreachable"),
        "missing database": Case(missing_db, 4, "database.unreachable"),
    }


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "name", ["malformed", "mysql", "driver", "unreachable", "wrong password", "missing database"]
)
def test_failing_urls_never_show_the_password(
    cases: dict[str, Case], name: str, command: str, output: str
) -> None:
    """6 failing URLs x 6 commands x 3 output modes: the exit code says what failed,
    json prints a report with the error, github an annotation, and the password never
    appears."""
    case = cases[name]
    code, out, err = _invoke(command, _argv(command, case.url, output))
    _check(command, output, case, code, out, err)


@pytest.fixture
def password_url(database_url: str) -> str:
    """The test database's URL carrying the sentinel as its password (the server's
    peer authentication ignores it, so it connects)."""
    return make_conninfo(database_url, password=SENTINEL)


@contextmanager
def _held(url: str, key_sql: str, *params: object) -> Iterator[None]:
    """Hold an advisory lock in another session for the block."""
    with psycopg.connect(url) as holder:
        holder.execute(f"SELECT pg_advisory_xact_lock({key_sql})", params)
        yield


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("command", ["load", "load-pack"])
def test_pack_lock_timeout_is_exit_6(password_url: str, command: str, output: str) -> None:
    """Another loader holds the core pack's lock: exit 6, lock.timeout, no password."""
    case = Case(password_url, 6, "lock.timeout")
    with _held(password_url, "hashtextextended(%s, 0)", "attune.pack:core"):
        args = [*_argv(command, password_url, output), "--lock-timeout", "0.3"]
        code, out, err = _invoke(command, args)
    _check(command, output, case, code, out, err)


@pytest.mark.parametrize("output", OUTPUTS)
def test_migration_lock_timeout_is_exit_6(empty_database_url: str, output: str) -> None:
    """Another migrator holds the migration lock: exit 6, lock.timeout, no password."""
    url = make_conninfo(empty_database_url, password=SENTINEL)
    key = lock_key(str(conninfo_to_dict(url)["dbname"]))
    with _held(url, "%s", key):
        code, out, err = _invoke(
            "migrate", [*_argv("migrate", url, output), "--lock-timeout", "0.3"]
        )
    _check("migrate", output, Case(url, 6, "lock.timeout"), code, out, err)


@pytest.mark.parametrize("output", OUTPUTS)
def test_failing_migration_is_located(empty_database_url: str, tmp_path: Path, output: str) -> None:
    """A migration that fails is rolled back and named with its line: exit 4."""
    (tmp_path / "20250101000001_broken.sql").write_text("SELECT 1;\nSELEC broken;\n")
    url = make_conninfo(empty_database_url, password=SENTINEL)
    args = [*_argv("migrate", url, output), "--migrations-dir", str(tmp_path)]
    code, out, err = _invoke("migrate", args)
    _check("migrate", output, Case(url, 4, "migration.failed"), code, out, err)
    assert "20250101000001_broken.sql:2" in err


def test_dml_only_role_gets_the_privilege_and_role_named(database_url: str) -> None:
    """migrate, status and seed as a role without rights on the ledger: exit 4, the
    role and the refused privilege named, no traceback; a load as that role works."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS loader_only")
        admin.execute("CREATE ROLE loader_only LOGIN IN ROLE svc_attune")
    url = make_conninfo(database_url, options="-c role=loader_only")
    for command in ("migrate", "status", "seed"):
        code, out, err = _invoke(command, ["--database-url", url])
        assert code == 4, (command, err)
        assert "permission denied" in err and "'loader_only'" in err, err
        assert "Traceback" not in out + err
    code, _, err = _invoke("load", [str(CORE_PACK_DIR), "--database-url", url])
    assert code == 0, err


def test_load_into_a_half_migrated_database_names_the_missing_migration(
    empty_database_url: str,
) -> None:
    """A database migrated only part of the way is refused before anything is read."""
    code, _, err = _invoke("migrate", ["--database-url", empty_database_url, "--target-version",
                                       "20250101000003"])  # fmt: skip
    assert code == 0, err
    code, out, err = _invoke(
        "load", [str(CORE_PACK_DIR), "--database-url", empty_database_url, "--output", "json"]
    )
    assert code == 4, err
    error = json.loads(out)["error"]
    assert error["code"] == "database.not-migrated"
    assert "is at migration 20250101000003" in error["message"]
    assert "attune-loader migrate" in error["hint"]


def test_connection_lost_mid_load_says_nothing_was_written(database_url: str) -> None:
    """The load's backend is terminated while it waits for a pack lock: one error that
    says nothing was written and that a retry is safe; a retry then succeeds."""
    args = ["load", str(CORE_PACK_DIR), "--database-url", database_url, "--no-cache"]
    with psycopg.connect(database_url, autocommit=True) as admin:
        with _held(database_url, "hashtextextended(%s, 0)", "attune.pack:core"):
            proc = subprocess.Popen(
                cli_command(*args, "--lock-timeout", "60"), stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            pid, *_ = wait_for_lock_waiters(admin)
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 4, err
        assert "connection to the database was lost" in err and "nothing was written" in err
        assert "Traceback" not in err
        assert run_cli(*args).returncode == 0


def test_migration_notices_are_shown_and_reported(empty_database_url: str, tmp_path: Path) -> None:
    """A NOTICE raised by a migration reaches the text output and the JSON report."""
    (tmp_path / "20250101000001_noisy.sql").write_text(
        "DO $$ BEGIN RAISE NOTICE 'skipped grant to attune_api'; END $$;\n"
    )
    args = ["--database-url", empty_database_url, "--migrations-dir", str(tmp_path)]
    code, out, _ = _invoke("migrate", [*args, "--output", "json"])
    assert code == 0
    assert json.loads(out)["notices"] == [
        {"file": "20250101000001_noisy.sql", "severity": "NOTICE",
         "message": "skipped grant to attune_api"}
    ]  # fmt: skip
    (tmp_path / "20250101000002_again.sql").write_text("DO $$ BEGIN RAISE WARNING 'w'; END $$;\n")
    code, out, _ = _invoke("migrate", args)
    assert code == 0 and "20250101000002_again.sql: WARNING: w" in out


def test_status_fails_when_the_ledger_disagrees(database_url: str, tmp_path: Path) -> None:
    """status exits 4 when a migration is modified or missing, 0 when all agree."""
    code, out, _ = _invoke("status", ["--database-url", database_url, "--output", "json"])
    assert code == 0 and json.loads(out)["ok"] is True
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = "
                     "(SELECT max(version) FROM _sqlx_migrations)")  # fmt: skip
    code, out, _ = _invoke("status", ["--database-url", database_url, "--output", "json"])
    assert code == 4
    report = json.loads(out)
    assert report["ok"] is False and "modified" in {m["state"] for m in report["migrations"]}


def test_a_malformed_url_through_the_real_process(tmp_path: Path) -> None:
    """The console entry itself: exit 2, the password masked, no traceback."""
    done = run_cli("load", str(CORE_PACK_DIR), "--database-url", f"mysql://u:{SENTINEL}@h/d")
    assert done.returncode == 2
    assert SENTINEL not in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert "mysql://u:****@h/d" in done.stderr
