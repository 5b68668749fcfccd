"""The service under concurrent loads and faults: overlapping packs serialize through
the CLI's pack locks; a client that goes away, SIGTERM, SIGKILL and a database
restart leave each load whole or absent, and the service goes on without a restart."""

from __future__ import annotations

import signal
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from bench.service_process import wait_for
from loader.database.conn import Conn
from loader.database.embedded import Cluster
from loader.database.migrate import runner
from tests.helpers.cli import run_cli
from tests.helpers.db import count_rows, refs
from tests.helpers.packs import DEMO_FILES, demo_pack, write_pack
from tests.helpers.service import (
    Served,
    Start,
    hold_pack_lock,
    lock_waiters,
    wait_for_lock_waiters,
)


class Pending:
    """A request sent from a thread of its own; ``result()`` waits for its answer."""

    def __init__(self, client: httpx.Client, path: str, body: Any) -> None:
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._send, args=(client, path, body))
        self._thread.start()

    def _send(self, client: httpx.Client, path: str, body: Any) -> None:
        try:
            self.response = client.post(path, json=body)
        except httpx.HTTPError as exc:
            self.error = exc

    def result(self, timeout: float = 60) -> httpx.Response | None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the request never ended"
        return self.response


def _other(tmp_path: Path) -> Path:
    """A pack whose rule uses the demo pack's trigger and action."""
    rule = DEMO_FILES["rules/greet.yaml"].replace("demo.greet", "other.greet")
    return write_pack(
        tmp_path / "other",
        {"pack.yaml": "ref: other\nlabel: Other\nversion: 2.0.0\n", "rules/greet.yaml": rule},
    )


def test_eight_concurrent_loads_of_overlapping_packs(
    start_service: Start, tmp_path: Path, conn: Conn
) -> None:
    """Eight requests at once over three overlapping sets of packs: all succeed, each
    component exists once, and the runs waited for one another's locks."""
    demo_pack(tmp_path)
    _other(tmp_path)
    # No reload cache: every load plans and takes the locks.
    service = start_service("--pack-root", str(tmp_path), env={"ATTUNE_LOADER_NO_CACHE": "1"})
    core, demo, other = "core", str(tmp_path / "demo"), str(tmp_path / "other")
    sets = [[core], [core, demo], [core, demo, other]]
    chosen = [sets[i % 3] for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda s: service.client.post("/v1/load", json=s), chosen))
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    assert refs(conn, "pack") == ["core", "demo", "other"]
    assert refs(conn, "rule") == ["demo.greet", "other.greet"]
    metrics = service.client.get("/metrics").text.splitlines()
    assert 'attune_loader_runs_total{command="load",outcome="ok"} 8.0' in metrics
    assert "attune_loader_lock_wait_seconds_count 8.0" in metrics


def test_client_disconnect_cancels_the_load(service: Served, database_url: str, conn: Conn) -> None:
    """A client that gives up while its load waits for a lock: the load is cancelled
    at once (its backend stops waiting), nothing is written, and the next load works."""
    with psycopg.connect(database_url) as holder:
        hold_pack_lock(holder, "core")
        impatient = httpx.Client(base_url=service.process.url, headers=service.client.headers,
                                 timeout=httpx.Timeout(60, read=1.0))  # fmt: skip
        with pytest.raises(httpx.ReadTimeout):
            impatient.post("/v1/load?lock_timeout=120", json=["core"])
        impatient.close()
        wait_for(lambda: not lock_waiters(conn), 20, "the cancelled load to stop waiting")
    assert count_rows(conn) == 0
    again = service.client.post("/v1/load", json=["core"])
    assert again.status_code == 200 and again.json()["applied"]
    metrics = service.client.get("/metrics").text.splitlines()
    assert 'attune_loader_runs_total{command="load",outcome="cancelled"} 1.0' in metrics
    assert service.process.logs_of("client disconnected: cancelling its run")


def test_sigterm_past_the_grace_period_rolls_the_load_back(
    start_service: Start, database_url: str, conn: Conn
) -> None:
    """SIGTERM while a load waits for a lock that is not released: after the grace
    period the load is cancelled and answered 503, and the process exits, in bounded
    time; nothing is written."""
    service = start_service("--grace", "1")
    with psycopg.connect(database_url) as holder:
        hold_pack_lock(holder, "core")
        pending = Pending(service.client, "/v1/load?lock_timeout=120", ["core"])
        wait_for_lock_waiters(conn)
        service.process.proc.send_signal(signal.SIGTERM)
        status = service.process.ended(timeout=15)
        assert status == 0, service.process.raw
        answer = pending.result()
    assert answer is not None and answer.status_code == 503, pending.error
    assert answer.json()["error"]["code"] == "cancelled"
    assert count_rows(conn) == 0


def test_sigterm_lets_a_load_finish_within_the_grace_period(
    start_service: Start, database_url: str, conn: Conn
) -> None:
    """SIGTERM while a load waits for a lock that is released soon after: the load
    finishes and commits, its client gets the report, then the process exits."""
    service = start_service("--grace", "30")
    holder = psycopg.connect(database_url)
    try:
        hold_pack_lock(holder, "core")
        pending = Pending(service.client, "/v1/load?lock_timeout=120", ["core"])
        wait_for_lock_waiters(conn)
        service.process.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: service.process.logs_of("shutting down"), 10, "the shutdown to begin")
    finally:
        holder.rollback()
        holder.close()
    answer = pending.result()
    assert answer is not None and answer.status_code == 200, pending.error
    assert answer.json()["applied"] is True
    assert service.process.ended(timeout=15) == 0
    assert refs(conn, "pack") == ["core"]


def test_sigkill_during_a_load_leaves_nothing(
    start_service: Start, database_url: str, conn: Conn
) -> None:
    """SIGKILL while a load waits: its transaction dies with its connection."""
    service = start_service()
    with psycopg.connect(database_url) as holder:
        hold_pack_lock(holder, "core")
        pending = Pending(service.client, "/v1/load?lock_timeout=120", ["core"])
        [backend] = wait_for_lock_waiters(conn)
        service.process.stop(signal.SIGKILL)
        assert pending.result() is None and pending.error is not None
    gone = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
    wait_for(lambda: not conn.execute(gone, (backend,)).fetchone(), 30, "the backend to end")
    assert count_rows(conn) == 0


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test's own, migrated, to restart at will."""
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="attune-test-restart-")), fast=True)
    runner.migrate(cluster.ensure_started())
    try:
        yield cluster
    finally:
        cluster.destroy()


def test_database_restart(start_service: Start, own_cluster: Cluster) -> None:
    """The database stops under a load: the load fails with 503 and writes nothing;
    while it is down the service is not ready; once it is back, the service is ready
    and loads again, without a restart of its own."""
    url = own_cluster.ensure_started()
    service = start_service("--pool-size", "3", database=url)
    watcher, holder = psycopg.connect(url, autocommit=True), psycopg.connect(url)
    hold_pack_lock(holder, "core")
    pending = Pending(service.client, "/v1/load?lock_timeout=120", ["core"])
    wait_for_lock_waiters(watcher)
    own_cluster.stop()
    answer = pending.result()
    watcher.close()  # both connections died with the server
    holder.close()
    assert answer is not None and answer.status_code == 503
    assert answer.json()["error"]["code"].startswith("database.")
    assert service.anonymous().get("/readyz").status_code == 503
    assert service.client.post("/v1/load", json=["core"]).status_code == 503
    own_cluster.ensure_started()
    ready = lambda: service.anonymous().get("/readyz").status_code == 200  # noqa: E731
    wait_for(ready, 60, "the service to be ready again", step=0.5)
    with psycopg.connect(url) as check:
        assert count_rows(check) == 0
    loaded = service.client.post("/v1/load", json=["core"])
    assert loaded.status_code == 200 and loaded.json()["applied"]


def test_readiness_before_and_after_migrate(start_service: Start, empty_database_url: str) -> None:
    """An unmigrated database: not ready (every migration pending) and loads fail;
    after ``attune-loader migrate``, ready, without restarting the service."""
    service = start_service(database=empty_database_url)
    before = service.anonymous().get("/readyz")
    assert before.status_code == 503
    assert before.json()["migrations"] == {"pending": 9}
    assert service.client.post("/v1/load", json=["core"]).status_code == 503
    migrated = run_cli("migrate", "--database-url", empty_database_url)
    assert migrated.returncode == 0, migrated.stderr
    after = service.anonymous().get("/readyz")
    assert after.status_code == 200 and after.json()["ready"] is True
    assert service.client.post("/v1/load", json=["core"]).status_code == 200
