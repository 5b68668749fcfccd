"""Service benchmark: a no-op load of packs/core through ``attune-loader serve``,
side by side with ``load-pack`` as a process, in the same run and database.

    python -m bench.bench_service [--requests 200] [--cli-runs 10]
                                  [--database-url URL] [--json out.json]

Starts the service as a real process on a free loopback port (no token: loopback
only), loads packs/core once, then times, each after a warm-up:

1. ``POST /v1/load`` naming the server-side directory ``core``, one request at a
   time and from 4 clients at once: the reload cache recognises the no-op;
2. ``POST /v1/load`` with ``core.tar.gz`` as the body: extracted afresh each time,
   so every file is parsed and compared (the installation hook's case);
3. ``load-pack packs/core`` and ``load-pack core.tar.gz`` as processes (``python -m
   loader load``, which is what the console script runs): start-up, a connection and
   the same work.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench.bench_load import Server, database_server
from bench.service_process import ServiceProcess
from loader import CORE_PACK_DIR, PROJECT_ROOT

WARM_UP = 5
CLIENTS = 4


@dataclass(frozen=True)
class Figure:
    name: str
    requests: int
    clients: int
    wall_s: float
    median_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_s


def _timed(name: str, call: Callable[[], None], n: int, clients: int) -> Figure:
    print(f"{name}: {n} requests, {clients} client(s)", file=sys.stderr, flush=True)
    for _ in range(WARM_UP):
        call()
    latencies: list[float] = []

    def one(_: int) -> None:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(n)))
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return Figure(name, n, clients, wall, statistics.median(ordered) * 1000, p95 * 1000)


def _core_archive() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        tar.add(CORE_PACK_DIR, arcname="core")
    return out.getvalue()


def _service_load(url: str, **request: object) -> Callable[[], None]:
    client = httpx.Client(base_url=url, timeout=120)

    def call() -> None:
        response = client.post("/v1/load", **request)  # type: ignore[arg-type]
        if response.status_code != 200 or response.json()["summary"]["changes"]:
            raise RuntimeError(f"not a no-op: {response.status_code} {response.text[:300]}")

    return call


def _cli_load(conninfo: str, pack: Path) -> Callable[[], None]:
    argv = [sys.executable, "-m", "loader", "load", str(pack), "--database-url", conninfo]

    def call() -> None:
        done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0 or "0 changes" not in done.stdout + done.stderr:
            raise RuntimeError(f"load-pack failed: {done.stdout}{done.stderr}")

    return call


def measure(conninfo: str, requests: int, cli_runs: int, scratch: Path) -> list[Figure]:
    archive = _core_archive()
    (scratch / "core.tar.gz").write_bytes(archive)
    process = ServiceProcess(["--database-url", conninfo, "--pack-root", str(CORE_PACK_DIR.parent)])
    try:
        url = process.wait_listening()
        httpx.post(f"{url}/v1/load", json=["core"], timeout=120).raise_for_status()
        by_name = _service_load(url, json=["core"])
        gzip = {"content-type": "application/gzip"}
        runs = [
            ("service, directory (cached no-op)", by_name, requests, 1),
            ("service, directory (cached no-op)", by_name, requests, CLIENTS),
            ("service, archive (full compare)", _service_load(url, content=archive, headers=gzip),
             requests // 4, 1),
        ]  # fmt: skip
        figures = [_timed(*run) for run in runs]
    finally:
        process.stop()
    runs = [
        ("load-pack, directory (cached no-op)", _cli_load(conninfo, CORE_PACK_DIR), cli_runs, 1),
        ("load-pack, archive (full compare)", _cli_load(conninfo, scratch / "core.tar.gz"),
         cli_runs, 1),
    ]  # fmt: skip
    return figures + [_timed(*run) for run in runs]


def render(figures: Sequence[Figure]) -> str:
    lines = [
        "| what | requests | clients | requests/s | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {f.name} | {f.requests} | {f.clients} | {f.per_second:.1f} | "
        f"{f.median_ms:.1f} | {f.p95_ms:.1f} |"
        for f in figures
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="service requests (200)")
    parser.add_argument("--cli-runs", type=int, default=10, help="load-pack runs (10)")
    parser.add_argument("--database-url", help="a superuser URL; default: a throw-away cluster")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with database_server(args.database_url) as admin:
        server = Server(admin)
        try:
            conninfo = server.fresh("service", server.migrated_template())
            scratch = Path(tempfile.mkdtemp(prefix="attune-bench-service-"))
            figures = measure(conninfo, args.requests, args.cli_runs, scratch)
        finally:
            server.drop_all()
    print(render(figures))
    if args.json:
        rows = [asdict(f) | {"per_second": f.per_second} for f in figures]
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
