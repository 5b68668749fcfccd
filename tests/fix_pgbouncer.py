"""A real PgBouncer in front of the test server, in transaction and in session mode.

Each pooler listens only on a Unix socket in a directory of its own and forwards
every database name to the test server (``*``). PgBouncer refuses to run as root, so
as root it runs as the ``postgres`` OS user, like the embedded server. Tests that use
it are skipped, saying why, only where the ``pgbouncer`` binary is not installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from loader.database.embedded import SERVER_USER

PoolerUrl = Callable[[str], str]  # a direct database URL -> the same database via the pooler
_PORT = 6432
_START_TIMEOUT_S = 15


POOLER_PASSWORD = "right-password"  # the password_pooler's only accepted password


def _config(directory: Path, server: dict[str, Any], mode: str, auth: str) -> str:
    target = " ".join(
        f"{key}={server[key]}" for key in ("host", "port", "user", "password") if server.get(key)
    )
    return "\n".join(
        [
            "[databases]",
            f"* = {target}",
            "[pgbouncer]",
            "listen_addr =",
            f"listen_port = {_PORT}",
            f"unix_socket_dir = {directory}",
            f"auth_type = {auth}",
            f"auth_file = {directory / 'users.txt'}",
            f"pool_mode = {mode}",
            "max_client_conn = 200",
            "default_pool_size = 20",
            "server_reset_query = DISCARD ALL",
            "ignore_startup_parameters = extra_float_digits,options",
            f"logfile = {directory / 'pgbouncer.log'}",
            "",
        ]
    )


def _start(pg_server: str, mode: str, auth: str) -> tuple[subprocess.Popen[bytes], Path]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        pytest.skip("PgBouncer is not installed (Debian: apt-get install pgbouncer)")
    directory = Path(tempfile.mkdtemp(prefix=f"attune-test-pgbouncer-{mode}-"))
    server = conninfo_to_dict(pg_server)
    user = str(server.get("user") or SERVER_USER)
    (directory / "users.txt").write_text(f'"{user}" "{POOLER_PASSWORD}"\n')
    (directory / "pgbouncer.ini").write_text(_config(directory, server, mode, auth))
    command = [binary, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        for path in (directory, *directory.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    process = subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL)
    return process, directory


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                text = log.read_text() if log.exists() else "(no log)"
                raise RuntimeError(f"PgBouncer did not start:\n{text}") from None
            time.sleep(0.1)


def _pooler(pg_server: str, mode: str, auth: str = "trust") -> Iterator[PoolerUrl]:
    process, directory = _start(pg_server, mode, auth)

    def through(url: str) -> str:
        params = conninfo_to_dict(url)
        return make_conninfo(
            "", host=str(directory), port=_PORT, dbname=params["dbname"], user=params.get("user")
        )

    try:
        ready = make_conninfo(through(pg_server), password=POOLER_PASSWORD)
        _wait_ready(ready, process, directory / "pgbouncer.log")
        yield through
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def transaction_pooler(pg_server: str) -> Iterator[PoolerUrl]:
    """PgBouncer with ``pool_mode = transaction``, the most common pooler setup."""
    yield from _pooler(pg_server, "transaction")


@pytest.fixture(scope="session")
def password_pooler(pg_server: str) -> Iterator[PoolerUrl]:
    """PgBouncer that asks for a password (``POOLER_PASSWORD``), to see a wrong one refused."""
    yield from _pooler(pg_server, "session", auth="md5")


@pytest.fixture(scope="session")
def session_pooler(pg_server: str) -> Iterator[PoolerUrl]:
    """PgBouncer with ``pool_mode = session``."""
    yield from _pooler(pg_server, "session")
