"""Small-pack benchmark: the users' most common moments, each beside its floor.

    python -m bench.bench_small [--runs 5] [--database-url URL] [--json out.json]

Every figure is a whole process, as users and CI meet it: ``python -m loader ...``
for ``attune-loader``, and for ``load-pack`` the one line its console script runs,
with this tree first on ``PYTHONPATH``, timed from spawn to exit. Each round runs every command
once, side by side with its floor, so a machine that gets busier slows both:

- ``--help`` and ``--version`` beside ``python -c pass``;
- a warm no-op ``load-pack packs/core`` (its reload cache in place) beside the connect
  floor: python, ``import psycopg``, connect, one round trip;
- a cold first ``load-pack packs/core`` into a fresh migrated database beside the same,
  then one ``COPY`` round trip per kind of the very rows the loader writes (their
  ids given, so nothing is read back) and a commit.

Every process runs with compiled bytecode, as an installed loader does (pip compiles
a wheel's modules when it installs them): ``PYTHONDONTWRITEBYTECODE`` is dropped and
``PYTHONPYCACHEPREFIX`` points into a scratch directory, which a first round, not
counted, fills for the loader and its floors alike without writing into the tree.

Each round also runs a warm and a cold load in one process that times its own stages
(``SPLIT``): the loader's imports, the command, and the floor's connect for
comparison.

Goals are medians over the rounds of each round's ratio, printed as PASS/FAIL;
missing one does not fail the process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.baseline import SCHEMA, columns, in_load_order
from bench.bench_load import (
    Server,
    add_server_argument,
    database_server,
    goals_text,
    table_contents,
)
from loader import CORE_PACK_DIR
from loader.kinds import KINDS
from loader.packs.model import Component
from loader.packs.pipeline import check_packs

GOAL_NOOP_VS_CONNECT = 1.3
GOAL_COLD_VS_FLOOR = 1.5
GOAL_HELP_VS_PASS = 4.0

# The connect floor: what any loader run must do before it can know anything.
CONNECT_FLOOR = """
import os, psycopg
with psycopg.connect(os.environ["BENCH_URL"]) as conn:
    conn.execute("SELECT 1").fetchone()
"""

# The cold floor: the connect floor, then the rows, one COPY round trip per kind.
COPY_FLOOR = """
import json, os, sys, psycopg
with open(sys.argv[1]) as f:
    tables = json.load(f)
with psycopg.connect(os.environ["BENCH_URL"]) as conn:
    with conn.cursor() as cur:
        for table in tables:
            with cur.copy(table["copy"]) as copy:
                for row in table["rows"]:
                    copy.write_row(row)
"""


# Where a load's time goes, in one process: each stage timed as it happens; a cold
# load imports the checks first (they are imported on demand, so this moves their
# cost out of the command); the connect floor's own work (a new connection, one round
# trip) comes last, for comparison.
SPLIT = """
import json, os, sys, time
import gc, psycopg
gc.disable()  # as the load-pack script imports
t = [time.perf_counter()]
import loader.api, loader.cli.loading, loader.cli.plain, loader.database.load
import loader.report.reporters
t.append(time.perf_counter())
names = ["import the loader"]
if sys.argv[2] == "cold":
    import loader.database.apply, loader.database.lock, loader.database.plan
    import loader.packs.pipeline
    t.append(time.perf_counter())
    names.append("import the checks and the writers")
sys.argv = ["load-pack", sys.argv[1]]
try:
    loader.cli.load_pack_main()
except SystemExit as done:
    assert not done.code, done.code
t.append(time.perf_counter())
assert "typer" not in sys.modules  # a plain command line (loader/cli/plain.py)
with psycopg.connect(os.environ["BENCH_URL"]) as conn:
    conn.execute("SELECT 1").fetchone()
t.append(time.perf_counter())
names += ["the command", "connect floor's connect + SELECT 1"]
print(json.dumps(dict(zip(names, (b - a for a, b in zip(t, t[1:]))))), file=sys.stderr)
"""


@dataclass
class Measured:
    """Wall times of one command over the rounds."""

    name: str
    walls: list[float] = field(default_factory=list)
    loadavg: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def timed(argv: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` to its exit; it must succeed."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return wall


def supports(argv: Sequence[str], env: dict[str, str]) -> bool:
    return subprocess.run(argv, env=env, capture_output=True, check=False).returncode == 0


def copy_tables(components: Sequence[Component]) -> list[dict[str, Any]]:
    """The rows of ``components`` as one COPY per kind, in apply order, with their ids
    given, so that references need no read-back: JSON values travel as JSON text."""
    ids: dict[str, dict[str, int]] = {k.name: {} for k in KINDS}
    tables: list[dict[str, Any]] = []
    for kind in KINDS:
        rows = []
        for component in (c for c in components if c.kind is kind):
            ids[kind.name][component.ref] = len(ids[kind.name]) + 1
            rows.append([ids[kind.name][component.ref], *_values(component, ids)])
        if rows:
            names = ", ".join(["id", *columns(kind)])
            copy = f"COPY {SCHEMA}.{kind.table} ({names}) FROM STDIN"
            tables.append({"copy": copy, "rows": rows})
    return tables


def _values(component: Component, ids: dict[str, dict[str, int]]) -> list[Any]:
    kind = component.kind
    values: list[Any] = [component.ref]
    if kind.has_pack_column:
        values += [ids["pack"][component.pack_ref], component.pack_ref]
    for f in kind.fields:
        value = component.values.get(f.column)
        values.append(json.dumps(value) if f.json and value is not None else value)
    for link in kind.links:
        target = component.links.get(link.column)
        values.append(ids[link.target][target] if target is not None else None)
        if link.ref_column:
            values.append(target)
    return values


@dataclass
class Results:
    measured: dict[str, Measured]
    rounds: int
    identical: bool | None = None
    goals: list[tuple[str, str, bool]] = field(default_factory=list)
    split: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # warm/cold

    def ratio(self, name: str, floor: str) -> float:
        """The median of the rounds' ratios of ``name`` to ``floor``."""
        pairs = zip(self.measured[name].walls, self.measured[floor].walls, strict=True)
        return statistics.median(a / b for a, b in pairs)


def run_benchmark(server_url: str, runs: int) -> Results:
    python = sys.executable
    loader = [python, "-m", "loader"]
    # What the load-pack console script runs.
    load_pack = [python, "-c", "from loader.cli import load_pack_main; load_pack_main()"]
    core = str(CORE_PACK_DIR)
    server = Server(server_url)
    cache = tempfile.mkdtemp(prefix="attune-bench-small-cache-")
    env = {
        **os.environ,
        "ATTUNE_LOADER_CACHE_DIR": cache,
        "PYTHONPYCACHEPREFIX": str(Path(cache) / "bytecode"),
    }
    env.pop("ATTUNE_LOADER_NO_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows_file = Path(cache) / "rows.json"
    checked = check_packs([CORE_PACK_DIR])
    rows_file.write_text(json.dumps(copy_tables(in_load_order(checked.packs))))
    commands: dict[str, list[str]] = {
        "python -c pass": [python, "-c", "pass"],
        "--help": [*loader, "--help"],
        "--version": [*loader, "--version"],
        "connect floor": [python, "-c", CONNECT_FLOOR],
        "warm no-op load-pack packs/core": [*load_pack, core],
        "cold floor": [python, "-c", COPY_FLOOR, str(rows_file)],
        "cold first load-pack packs/core": [*load_pack, core],
    }
    if not supports(commands["--version"], env):
        del commands["--version"]
    measured = {name: Measured(name) for name in commands}
    results = Results(measured, runs)
    floor_rows: dict[str, list[str]] | None = None
    try:
        template = server.migrated_template()
        warm = server.fresh("warm", template)
        for name, argv in commands.items():  # the uncounted round: bytecode, caches
            url = server.fresh("cold", template) if name.startswith("cold") else warm
            timed(argv, {**env, "DATABASE_URL": url, "BENCH_URL": url})
        for round_ in range(runs):
            print(f"round {round_ + 1} of {runs}", file=sys.stderr, flush=True)
            for name, argv in commands.items():
                # A cold run gets a fresh database, made before its clock starts.
                url = server.fresh("cold", template) if name.startswith("cold") else warm
                wall = timed(argv, {**env, "DATABASE_URL": url, "BENCH_URL": url})
                measured[name].walls.append(wall)
                measured[name].loadavg.append(Path("/proc/loadavg").read_text().split()[0])
                if round_ == 0 and name == "cold floor":
                    floor_rows = table_contents(url)
                if round_ == 0 and name == "cold first load-pack packs/core":
                    results.identical = table_contents(url) == floor_rows
            for mode in ("warm", "cold"):
                url = server.fresh("cold", template) if mode == "cold" else warm
                stages = results.split.setdefault(mode, {})
                for stage, seconds in load_split(core, mode, {**env, "BENCH_URL": url}):
                    stages.setdefault(stage, []).append(seconds)
    finally:
        server.drop_all()
        shutil.rmtree(cache, ignore_errors=True)
    results.goals = goals(results)
    return results


def load_split(core: str, mode: str, env: dict[str, str]) -> list[tuple[str, float]]:
    """The stages of one warm no-op or cold first load of ``core`` into the database
    ``BENCH_URL``, timed inside its process (see ``SPLIT``)."""
    argv = [sys.executable, "-c", SPLIT, core, mode]
    done = subprocess.run(
        argv, env={**env, "DATABASE_URL": env["BENCH_URL"]}, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"the {mode} load split failed: {done.stderr}")
    return list(json.loads(done.stderr.strip().splitlines()[-1]).items())


def goals(results: Results) -> list[tuple[str, str, bool]]:
    out = []
    noop = results.ratio("warm no-op load-pack packs/core", "connect floor")
    out.append(
        (
            f"warm no-op load-pack packs/core <= {GOAL_NOOP_VS_CONNECT:g}x the connect floor",
            f"{noop:.2f}x",
            noop <= GOAL_NOOP_VS_CONNECT,
        )
    )
    cold = results.ratio("cold first load-pack packs/core", "cold floor")
    out.append(
        (
            f"cold first load-pack packs/core <= {GOAL_COLD_VS_FLOOR:g}x the connect floor "
            "plus one COPY round trip per kind",
            f"{cold:.2f}x",
            cold <= GOAL_COLD_VS_FLOOR,
        )
    )
    for flag in ("--help", "--version"):
        if flag not in results.measured:
            out.append(
                (f"{flag} <= {GOAL_HELP_VS_PASS:g}x python -c pass", "no such option", False)
            )
            continue
        ratio = results.ratio(flag, "python -c pass")
        out.append(
            (
                f"{flag} <= {GOAL_HELP_VS_PASS:g}x python -c pass",
                f"{ratio:.2f}x",
                ratio <= GOAL_HELP_VS_PASS,
            )
        )
    return out


FLOORS = {
    "--help": "python -c pass",
    "--version": "python -c pass",
    "warm no-op load-pack packs/core": "connect floor",
    "cold first load-pack packs/core": "cold floor",
}


def markdown(results: Results) -> str:
    lines = [
        "| command | median s | vs its floor | each round s | load average (1 min) |",
        "|---|---:|---:|---|---|",
    ]
    for name, m in results.measured.items():
        floor = FLOORS.get(name)
        ratio = f"{results.ratio(name, floor):.2f}x" if floor else "floor"
        each = ", ".join(f"{w:.3f}" for w in m.walls)
        lines.append(f"| {name} | {m.median:.3f} | {ratio} | {each} | {', '.join(m.loadavg)} |")
    for mode, stages in results.split.items():
        lines += [
            "",
            f"| {mode} load-pack packs/core, inside its process | median ms |",
            "|---|---:|",
        ]
        lines += [f"| {stage} | {1000 * statistics.median(s):.1f} |" for stage, s in stages.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_small",
        description="Time the loader's small, common commands beside their floors.",
    )
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    add_server_argument(parser)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with database_server(args.database_url) as server_url:
        results = run_benchmark(server_url, args.runs)
    print(markdown(results))
    print()
    same = "yes" if results.identical else "NO"
    print(f"rows identical to the loader's (cold floor): {same}")
    print()
    print(goals_text(results.goals))
    if args.json:
        doc = {
            "measured": {
                n: {"walls": m.walls, "loadavg": m.loadavg} for n, m in results.measured.items()
            },
            "rows_identical": results.identical,
            "load_split": results.split,
            "goals": [{"goal": g, "value": v, "pass": p} for g, v, p in results.goals],
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
    return 0 if results.identical else 1


if __name__ == "__main__":
    sys.exit(main())
