"""``attune-loader migrate`` and ``attune-loader status``."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from loader import MIGRATIONS_DIR
from loader.cli.common import OutputFormat, exit_with, guarded, say
from loader.cli.options import DatabaseUrl, Output
from loader.cli.root import app
from loader.errors import ExitCode

MigrationsDir = Annotated[
    Path,
    typer.Option("--migrations-dir", help="Directory of <version>_<name>.sql files."),
]


@app.command()
def migrate(
    database_url: DatabaseUrl = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be applied; apply nothing.")
    ] = False,
    target_version: Annotated[
        int | None, typer.Option("--target-version", help="Apply up to this version only.")
    ] = None,
    ignore_missing: Annotated[
        bool,
        typer.Option("--ignore-missing", help="Go on when an applied migration's file is gone."),
    ] = False,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for the migration lock.")
    ] = 60.0,
    migrations_dir: MigrationsDir = MIGRATIONS_DIR,
    output: Output = OutputFormat.TEXT,
) -> None:
    """Apply pending schema migrations, each in one transaction with its ledger row.

    The ledger is sqlx's _sqlx_migrations table, so Attune's Rust services see the
    same history.

    Examples:

      attune-loader migrate

      attune-loader migrate --dry-run --database-url postgresql://localhost/attune
    """
    from loader import api  # here, not at start-up: see loader/__init__.py
    from loader.report.database import write_migration_run

    with guarded("migrate", output):
        result = api.migrate(
            database_url=database_url,
            migrations_dir=migrations_dir,
            dry_run=dry_run,
            target_version=target_version,
            ignore_missing=ignore_missing,
            lock_timeout_s=lock_timeout,
            progress=say if output is OutputFormat.TEXT else lambda _: None,
        )
        write_migration_run(result, output is OutputFormat.JSON, sys.stdout)


@app.command()
def status(
    database_url: DatabaseUrl = None,
    migrations_dir: MigrationsDir = MIGRATIONS_DIR,
    output: Output = OutputFormat.TEXT,
) -> None:
    """Show each migration as applied, pending, modified, missing or failed.

    It reads the ledger and the files only; nothing is applied.

    Exit status: 0 when the ledger agrees with the files (pending migrations
    included), 4 when any migration is modified, missing or failed.

    Example:

      attune-loader status --output json
    """
    from loader import api  # here, not at start-up: see loader/__init__.py
    from loader.report.database import states_ok, write_migration_states

    with guarded("status", output):
        states = api.migration_status(
            database_url=database_url, migrations_dir=migrations_dir, progress=say
        )
        write_migration_states(states, output is OutputFormat.JSON, sys.stdout)
        if not states_ok(states):
            exit_with(ExitCode.DATABASE)
