"""Start the service: bind, check the token rule against the address actually bound,
serve until SIGTERM or SIGINT, and shut down within a bounded time."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from loader import api
from loader.service.app import Service, create_app
from loader.service.logs import configure, log
from loader.service.redact import secrets_of
from loader.service.settings import (
    MiB,
    Settings,
    SettingsError,
    read_tokens,
    require_token_unless_local,
)

# After the grace period, cancelled runs roll back; this long is left for it.
_ROLLBACK_S = 5.0


@dataclass(frozen=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 8470
    uds: Path | None = None  # a Unix socket instead of host and port


class _Server(uvicorn.Server):
    """uvicorn's server, whose shutdown also stops runs that outlast the grace period
    (uvicorn would only cancel their tasks, while the threads went on waiting)."""

    def __init__(self, config: uvicorn.Config, service: Service) -> None:
        super().__init__(config)
        self.service = service

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        running = len(self.service.runs)
        log.info("shutting down", extra={"runs_in_progress": running})
        loop = asyncio.get_running_loop()
        grace = self.service.settings.grace_s
        timer = loop.call_later(grace, self._stop_runs)
        try:
            await super().shutdown(sockets)
        finally:
            timer.cancel()

    def _stop_runs(self) -> None:
        log.warning("grace period over: cancelling the runs still in progress")
        # In a thread: cancelling sends a request to the server and waits for it.
        asyncio.get_running_loop().run_in_executor(
            None, self.service.runs.cancel_all, "the service is shutting down"
        )


def serve(settings: Settings, listen: Listen, log_level: str = "info") -> None:
    configure(log_level, (*settings.secrets, *settings.tokens))
    service = Service(settings)  # its pool opens when the application starts
    config = uvicorn.Config(
        create_app(service),
        host=listen.host,
        port=listen.port,
        uds=str(listen.uds) if listen.uds else None,
        log_config=None,
        access_log=False,  # the service logs each request itself, with its id
        timeout_graceful_shutdown=math.ceil(settings.grace_s + _ROLLBACK_S),
        server_header=False,
    )
    sock = config.bind_socket()
    # Listen now, not when uvicorn's startup has opened the pool: a client that
    # connects as soon as "listening" is logged waits in the backlog instead of being
    # refused.
    sock.listen(config.backlog)
    try:
        require_token_unless_local(settings.tokens, _address(sock))
        if sock.family != socket.AF_UNIX:
            # asyncio sets TCP_NODELAY only on sockets it made itself; without it every
            # answer waits ~40 ms for the client's delayed ACK. Accepted sockets inherit it.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if listen.uds:
            os.chmod(listen.uds, 0o660)  # uvicorn leaves it 0666: the owner's group at most
        where = str(listen.uds) if listen.uds else "{}:{}".format(*sock.getsockname()[:2])
        log.info("listening", extra={"address": where, "tokens": len(settings.tokens)})
        # uvicorn handles SIGTERM, then raises it again once its shutdown is done: that
        # ends the process with status 0, as a finished shutdown (not the CLI's 130).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        _Server(config, service).run(sockets=[sock])
    finally:
        sock.close()


def _address(sock: socket.socket) -> str | None:
    """The bound IP address; None for a Unix socket."""
    if sock.family == socket.AF_UNIX:
        return None
    return str(sock.getsockname()[0])


def start(
    listen: Listen,
    *,
    database_url: str | None,
    token_file: Path | None,
    pack_roots: tuple[Path, ...],
    max_body_mb: float,
    pool_size: int,
    grace_s: float,
    lock_timeout_s: float,
    log_level: str,
    progress: Callable[[str], None],
) -> None:
    """``attune-loader serve``: the settings from the options and the environment,
    then :func:`serve`. The database is chosen as for the CLI's loads."""
    tokens = read_tokens(token_file)
    require_token_unless_local(tokens, None if listen.uds else _host_address(listen.host))
    missing = [str(r) for r in pack_roots if not r.is_dir()]
    if missing:
        raise SettingsError(f"pack root(s) not found: {', '.join(missing)}")
    conninfo = api.database_conninfo(database_url, progress=progress)
    settings = Settings(
        conninfo,
        tokens,
        tuple(r.resolve() for r in pack_roots),
        max_body_bytes=int(max_body_mb * MiB),
        pool_size=pool_size,
        grace_s=grace_s,
        lock_timeout_s=lock_timeout_s,
        secrets=secrets_of(conninfo),
    )
    serve(settings, listen, log_level)


def _host_address(host: str) -> str:
    """The address ``host`` names, checked before the database is even looked at
    (the bound socket is checked again)."""
    try:
        return str(socket.getaddrinfo(host, None)[0][4][0])
    except OSError as exc:
        raise SettingsError(f"cannot resolve --host {host}: {exc}") from exc
