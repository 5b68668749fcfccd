"""``attune-loader migrate`` and ``attune-loader status``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from loader.cli import app
from loader.cli.common import guarded, say
from loader.cli.options import DatabaseUrl, Output, OutputFormat
from loader.database.migrate import runner
from loader.database.target import conninfo_for
from loader.resources import MIGRATIONS_DIR

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
    with guarded():
        url = conninfo_for(database_url, migrate_embedded=False, notify=say)
        result = runner.migrate(
            url,
            migrations_dir,
            dry_run=dry_run,
            target_version=target_version,
            ignore_missing=ignore_missing,
            lock_timeout_s=lock_timeout,
            notify=say if output is OutputFormat.TEXT else lambda _: None,
        )
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_result_json(result), indent=2))
        return
    if dry_run:
        for m in result.pending:
            typer.echo(f"would apply {m.path.name}")
        typer.echo(f"{len(result.pending)} migration(s) pending")
    else:
        typer.echo(f"applied {len(result.applied)} migration(s) in {result.elapsed_s:.2f} s")


@app.command()
def status(
    database_url: DatabaseUrl = None,
    migrations_dir: MigrationsDir = MIGRATIONS_DIR,
    output: Output = OutputFormat.TEXT,
) -> None:
    """Show each migration as applied, pending, modified, missing or failed.

    Example:

      attune-loader status --output json
    """
    with guarded():
        url = conninfo_for(database_url, migrate_embedded=False, notify=say)
        states = runner.status(url, migrations_dir)
    if output is OutputFormat.JSON:
        rows = [
            {"version": s.version, "description": s.description, "state": s.state.value}
            for s in states
        ]
        typer.echo(json.dumps({"migrations": rows}, indent=2))
        return
    for s in states:
        typer.echo(f"{s.version}  {s.state.value:<8}  {s.description}")


def _result_json(result: runner.MigrateResult) -> dict[str, object]:
    return {
        "dry_run": result.dry_run,
        "applied": [m.path.name for m in result.applied],
        "pending": [m.path.name for m in result.pending],
        "elapsed_s": round(result.elapsed_s, 3),
    }
