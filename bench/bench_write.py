"""Write benchmark: where sending rows in line stops beating the staging table.

    python -m bench.bench_write [--sizes 100,1000,2000,5000] [--runs 3] [--database-url URL]

A kind's created or updated rows reach the server either staged (``COPY`` into a
temporary table, then one write over it: four statements) or in line (one write with
every row in one JSON array parameter). For each pack size, each round plans the pack
(with packs/core) against a fresh migrated database, then times ``apply_plan`` and the
commit both ways, side by side. ``statements.SENT_IN_LINE`` should sit between the
largest size where in line wins and the smallest where staging does; the largest kind
of a generated pack is its actions, 60% of its components. Each pack is checked
once; every round plans it anew.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

from bench.bench_load import Server, add_server_argument, database_server
from bench.packgen import generate, mix
from loader import CORE_PACK_DIR
from loader.database import statements
from loader.database.apply import apply_plan
from loader.database.plan import build_plan
from loader.packs.model import Pack
from loader.packs.pipeline import check_packs
from loader.report import AbsentPolicy

# SENT_IN_LINE for each way: nothing in line, everything in line.
WAYS = {"staged": -1, "in line": sys.maxsize}


def time_write(url: str, packs: Sequence[Pack], way: int) -> float:
    """Seconds to apply and commit the plan of ``packs`` into the database ``url``."""
    kept = statements.SENT_IN_LINE
    statements.SENT_IN_LINE = way
    try:
        with psycopg.connect(url) as conn:
            plan = build_plan(conn, packs, AbsentPolicy.REMOVE)
            started = time.perf_counter()
            apply_plan(conn, plan)
            conn.commit()
            return time.perf_counter() - started
    finally:
        statements.SENT_IN_LINE = kept


def run(server_url: str, sizes: Sequence[int], runs: int) -> list[str]:
    server = Server(server_url)
    lines = [
        f"SENT_IN_LINE is {statements.SENT_IN_LINE} rows",
        "",
        "| components | actions | staged, ms | in line, ms | in line / staged |",
        "|---:|---:|---:|---:|---:|",
    ]
    try:
        template = server.migrated_template()
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="attune-bench-write-") as scratch:
                checked = check_packs([CORE_PACK_DIR, *generate(Path(scratch), 1, size)])
            assert checked.ok, checked.diagnostics[:3]
            packs = checked.packs
            times: dict[str, list[float]] = {way: [] for way in WAYS}
            for _ in range(runs):
                for way, limit in WAYS.items():
                    times[way].append(time_write(server.fresh("write", template), packs, limit))
            staged, in_line = (statistics.median(times[w]) * 1000 for w in WAYS)
            actions = mix(size)["action"]
            lines.append(
                f"| {size} | {actions} | {staged:.1f} | {in_line:.1f} | {in_line / staged:.2f}x |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    finally:
        server.drop_all()
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_write",
        description="Time writing a pack's rows staged and in line, side by side.",
    )
    parser.add_argument("--sizes", default="100,1000,2000,5000", help="components per pack")
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (median)")
    add_server_argument(parser)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with database_server(args.database_url) as url:
        print("\n".join(run(url, sizes, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
