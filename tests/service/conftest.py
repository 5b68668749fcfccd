"""The service as a real process on a free loopback port, with its own migrated
database; every process a test starts is stopped at teardown."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import httpx
import pytest

from bench.service_process import ServiceProcess
from tests.helpers.service import PACKS_ROOT, TOKEN, Served, Start


@pytest.fixture
def start_service(database_url: str) -> Iterator[Start]:
    """``start(*options, database=..., token=..., env=...)``: a running service and a
    client that sends ``token``; the test's database unless told otherwise."""
    started: list[Served] = []

    def start(
        *options: str,
        database: str | None = database_url,
        token: str | None = TOKEN,
        env: dict[str, str] | None = None,
    ) -> Served:
        args = ["--pack-root", str(PACKS_ROOT), *options]
        if database is not None:
            args += ["--database-url", database]
        process = ServiceProcess(args, {"ATTUNE_LOADER_TOKENS": token or "", **(env or {})})
        served = Served(process, httpx.Client(timeout=60))
        started.append(served)
        url = process.wait_listening()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        served.client = httpx.Client(base_url=url, headers=headers, timeout=60)
        return served

    yield start
    for served in started:
        served.client.close()
        served.process.stop(signal.SIGTERM, timeout=15)


@pytest.fixture
def service(start_service: Start) -> Served:
    """A service with a token, whose pack root is the repository's packs/."""
    return start_service()
