"""``attune-loader serve``: the loader as an HTTP service (docs/service.md)."""

from pathlib import Path
from typing import Annotated

import typer

from loader.cli.common import exit_with, guarded, say
from loader.cli.options import DatabaseUrl
from loader.cli.root import app
from loader.errors import ExitCode


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 8470,
    uds: Annotated[
        Path | None, typer.Option(help="Listen on this Unix socket instead.", show_default=False)
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            help="Bearer tokens, one a line (also: $ATTUNE_LOADER_TOKENS). Required unless "
            "listening on loopback or a Unix socket.",
            show_default=False,
        ),
    ] = None,
    pack_root: Annotated[
        list[Path] | None,
        typer.Option(
            help="A folder whose pack directories requests may name (repeatable); without "
            "one, packs come only as archives.",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseUrl = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, in MiB.")] = 64.0,
    pool_size: Annotated[int, typer.Option(help="Database connections at most.")] = 10,
    grace: Annotated[
        float, typer.Option(help="On SIGTERM, seconds that loads in progress may take to finish.")
    ] = 20.0,
    lock_timeout: Annotated[
        float, typer.Option(help="Seconds a load waits for other loaders, unless it says.")
    ] = 30.0,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve validate, plan and load over HTTP, with one connection pool.

    The installation hook posts pack archives (or names directories under a
    --pack-root) and gets the JSON report the CLI prints; see docs/service.md.

    Examples:

      attune-loader serve --port 8470

      ATTUNE_LOADER_TOKENS=... attune-loader serve --host 0.0.0.0 --pack-root /opt/attune/packs
    """
    try:
        # Only this command needs the service's packages (the 'service' extra).
        from loader.service.server import Listen, start
    except ImportError as exc:
        say(f"error: the service needs its packages ({exc.name} is missing)")
        say("hint: pip install 'attune-loader[service]'")
        exit_with(ExitCode.USAGE)
    with guarded("serve"):
        start(
            Listen(host, port, uds),
            database_url=database_url, token_file=token_file,
            pack_roots=tuple(pack_root or ()), max_body_mb=max_body_mb, pool_size=pool_size,
            grace_s=grace, lock_timeout_s=lock_timeout, log_level=log_level, progress=say,
        )  # fmt: skip
