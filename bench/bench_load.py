"""Load benchmark: the loader side by side with the old row-by-row method and a floor.

    python -m bench.bench_load [--packs 100] [--components 1000]
                               [--database-url URL] [--json out.json]

Generates synthetic packs (cached between runs, keyed by the parameters and the
generator's source), creates a migrated template database on ``--database-url``'s
server or on a throw-away cluster, and runs each writer on a fresh copy of it:

1. the loader's first load of ``packs/core`` plus the packs (``loader.api.load_packs``),
2. a no-op reload of the same, on the same database,
3. the row-by-row baseline (:mod:`bench.baseline`), first load and a rewrite,
4. the floor: libyaml parsing plus ``COPY`` (:mod:`bench.floor`).

The loader runs in a spawned child process of its own, so its peak RSS is its own
and not the generator's or the parent's. Rows written are counted exactly from row
versions (each row's ``xmin`` and ``ctid`` before and after), not from the
statistics collector, whose counters arrive late. Goals are printed as PASS/FAIL;
missing one does not fail the process.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench import baseline, floor, packgen
from bench.baseline import StepResult
from loader import CORE_PACK_DIR
from loader.database.embedded import Cluster
from loader.database.migrate import runner
from loader.kinds import KINDS

# Goals: (first load components/s, times the baseline, no-op reload seconds, peak RSS MB).
GOAL_RATE = 10_000
GOAL_VS_BASELINE = 30.0
GOAL_RELOAD_S = 3.0
GOAL_RSS_MB = 300.0

# A row version: "xmin:ctid". Keyed by table, then by the row's id (its ctid when the
# table has no id column, so an update there shows as a delete plus an insert).
Versions = dict[str, dict[str, str]]


# (name, label, use_cache): the reload is measured as users get it (recognised from
# the cache) and as a full compare (every file parsed, every row read back).
LOADER_RUNS = (
    ("first load", "first_load", True),
    ("no-op reload", "reload", True),
    ("no-op reload, --no-cache", "reload_full", False),
)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- packs


def _generator_digest() -> str:
    """Changes whenever the generator does, so a stale cache is never reused."""
    return hashlib.sha256(Path(packgen.__file__).read_bytes()).hexdigest()[:12]


def pack_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "pack.yaml").exists())


def cached_packs(cache_dir: Path, packs: int, components: int, seed: int = 0) -> list[Path]:
    """Generate the packs once per parameter set; later runs reuse the directory.

    The generation is written beside its final name and renamed at the end, so an
    interrupted run never leaves a half-written set that looks complete.
    """
    key = f"p{packs}-c{components}-s{seed}-{_generator_digest()}"
    target = cache_dir / key
    if target.is_dir():
        return pack_dirs(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_dir))
    try:
        packgen.generate(partial, packs, components, seed)
        partial.rename(target)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not target.is_dir():  # not a concurrent run that finished first
            raise
    return pack_dirs(target)


# ---------------------------------------------------------------- databases


@contextmanager
def database_server(url: str | None) -> Iterator[str]:
    """A superuser conninfo: ``url`` itself, or a fast throw-away cluster in the temp directory."""
    if url:
        yield url
        return
    # A directory of its own: as root, the server's OS user must be able to enter it.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="attune-bench-pg-")), fast=True)
    try:
        _say(f"starting a throw-away PostgreSQL cluster in {cluster.root}")
        cluster.ensure_started()
        yield cluster.url("postgres")
    finally:
        cluster.destroy()


class Server:
    """Creates uniquely named databases on one server and drops them all at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.created: list[str] = []

    def _admin(self, query: sql.Composed) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(query)

    def create(self, purpose: str, template: str | None = None) -> str:
        """A new database; returns its name (see :meth:`conninfo`)."""
        name = f"attune_bench_{purpose}_{uuid.uuid4().hex[:10]}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._admin(query)
        self.created.append(name)
        return name

    def conninfo(self, name: str) -> str:
        return make_conninfo(self.url, dbname=name)

    def migrated_template(self) -> str:
        """A database with every migration applied, to copy for each run."""
        name = self.create("template")
        runner.migrate(self.conninfo(name))
        return name

    def fresh(self, purpose: str, template: str) -> str:
        """A fresh migrated database; returns its conninfo."""
        return self.conninfo(self.create(purpose, template))

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._admin(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        self.created.clear()

    def version(self) -> str:
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


# ---------------------------------------------------------------- what was written


def row_versions(conninfo: str) -> Versions:
    """Every row version of every table in schema attune."""
    out: Versions = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
            "AND a.attname = 'id' AND NOT a.attisdropped) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'attune' AND c.relkind = 'r' ORDER BY 1"
        ).fetchall()
        for table, has_id in tables:
            key = sql.SQL("id::text" if has_id else "ctid::text")
            query = sql.SQL("SELECT {}, xmin::text || ':' || ctid::text FROM attune.{}").format(
                key, sql.Identifier(str(table))
            )
            out[str(table)] = {str(k): str(v) for k, v in conn.execute(query)}
    return out


@dataclass(frozen=True)
class Writes:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.deleted


def writes_between(before: Versions, after: Versions) -> Writes:
    """Rows inserted, updated (a new version of the same id) and deleted."""
    inserted = updated = deleted = 0
    for table in before.keys() | after.keys():
        old, new = before.get(table, {}), after.get(table, {})
        inserted += len(new.keys() - old.keys())
        deleted += len(old.keys() - new.keys())
        updated += sum(1 for k in new.keys() & old.keys() if new[k] != old[k])
    return Writes(inserted, updated, deleted)


def table_contents(conninfo: str) -> dict[str, list[str]]:
    """Every loader-managed table's rows as sorted JSON, without id, created and
    updated, and with reference ids replaced by the referenced row's ref: two
    databases loaded with the same packs by different writers compare equal."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        refs_by_id: dict[str, dict[int, str]] = {}
        for kind in KINDS:
            query = sql.SQL("SELECT id, ref FROM attune.{}").format(sql.Identifier(kind.sql_table))
            refs_by_id[kind.name] = {int(i): str(r) for i, r in conn.execute(query)}
        for kind in KINDS:
            targets = {link.column: link.target for link in kind.links}
            if kind.has_pack_column:
                targets["pack"] = "pack"
            query = sql.SQL(
                "SELECT to_jsonb(t) - 'id' - 'created' - 'updated' FROM attune.{} t"
            ).format(sql.Identifier(kind.sql_table))
            rows = []
            for (doc,) in conn.execute(query):
                for column, target in targets.items():
                    if doc.get(column) is not None:
                        doc[column] = refs_by_id[target].get(doc[column], "?")
                rows.append(json.dumps(doc, sort_keys=True))
            out[kind.sql_table] = sorted(rows)
    return out


# ---------------------------------------------------------------- the loader runs


@dataclass
class LoaderRun:
    name: str
    ok: bool
    applied: bool
    components: int  # components the load covered (its changes)
    pending: int  # of which were written (created, updated, removed, ...)
    wall_s: float
    peak_rss_mb: float
    errors: list[str] = field(default_factory=list)
    rows_written: int | None = None
    cpu_s: float = 0.0  # CPU time of the loader's process and its workers
    server_cpu_s: float | None = None  # of the server's processes (None: not measurable)
    # (seconds since the call began, progress message): where the time went, unprofiled.
    stages: list[tuple[float, str]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.components / self.wall_s if self.wall_s > 0 else 0.0

    def stage_durations(self) -> list[tuple[str, float]]:
        """Each progress stage with the time until the next one (or the end); the
        steps of a progress bar ("validating [##..] 3/101 packs") count as one stage."""
        ends = [at for at, _ in self.stages[1:]] + [self.wall_s]
        merged: list[tuple[str, float]] = []
        for (at, message), end in zip(self.stages, ends, strict=True):
            stage = message.split(" [", 1)[0]
            if merged and merged[-1][0] == stage:
                merged[-1] = (stage, merged[-1][1] + end - at)
            else:
                merged.append((stage, end - at))
        return merged


def _peak_rss_mb() -> float:
    """This process's own peak resident size. VmHWM belongs to the address space, which
    exec replaces; ru_maxrss would carry over the spawning parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _own_cpu_s() -> float:
    """CPU time of this process and of its children that have ended (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def server_cpu_s(url: str) -> float | None:
    """CPU time of a server on this machine so far: its postmaster, the processes it
    runs now, and those that have ended (a loader's backend ends with its connection).
    None when the server's processes cannot be seen from here."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SELECT current_setting('data_directory')").fetchone()
        postmaster = int(
            (Path(str(row[0] if row else "")) / "postmaster.pid").read_text().split()[0]
        )
        ticks = _proc_ticks(postmaster)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and _parent(entry) == postmaster:
                ticks += _proc_ticks(int(entry.name))
    except (OSError, ValueError, IndexError, psycopg.Error):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (which may hold spaces)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _parent(entry: Path) -> int | None:
    try:
        return int(_stat_fields(int(entry.name))[1])
    except (OSError, ValueError, IndexError):  # gone meanwhile
        return None


def _proc_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime (children it has reaped), in clock ticks."""
    fields = _stat_fields(pid)  # field 14 of stat(5), utime, is fields[11] here
    return sum(int(f) for f in fields[11:15])


def _load(
    paths: list[str], conninfo: str, name: str, profile: str | None, use_cache: bool
) -> LoaderRun:
    """One ``load_packs`` call, timed; runs in the child process."""
    from loader.api import load_packs  # imported here: the parent never needs it

    stages: list[tuple[float, str]] = [(0.0, "connecting")]
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()

    def progress(message: str) -> None:
        stages.append((time.perf_counter() - started, message))

    if profiler:
        profiler.enable()
    cpu_before = _own_cpu_s()
    report = load_packs(  # the collector paused, as the CLI runs it
        [Path(p) for p in paths],
        database_url=conninfo,
        use_cache=use_cache,
        progress=progress,
        pause_gc=True,
    )
    wall = time.perf_counter() - started
    cpu = _own_cpu_s() - cpu_before
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    rss_mb = _peak_rss_mb()
    return LoaderRun(
        name=name,
        ok=report.ok,
        applied=report.applied,
        components=len(report.changes),
        pending=len(report.pending),
        wall_s=wall,
        peak_rss_mb=rss_mb,
        cpu_s=cpu,
        errors=[str(d.to_json()) for d in report.errors[:5]],
        stages=stages,
    )


def run_loader(
    paths: Sequence[Path],
    conninfo: str,
    name: str,
    *,
    in_child: bool = True,
    profile: Path | None = None,
    use_cache: bool = True,
) -> LoaderRun:
    """Load ``paths`` into ``conninfo``; by default in a freshly spawned process, so
    the peak RSS measured is that of one load and nothing else."""
    args = ([str(p) for p in paths], conninfo, name, str(profile) if profile else None, use_cache)
    if not in_child:
        return _load(*args)
    # spawn, not fork: a forked child would start with the parent's memory counted.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_load, *args).result()


def _timed_check(paths: Sequence[Path]) -> tuple[Any, float]:
    from loader.packs.pipeline import check_packs

    started = time.perf_counter()
    checked = check_packs(list(paths))
    return checked, time.perf_counter() - started


# ---------------------------------------------------------------- the whole comparison


@dataclass
class Results:
    params: dict[str, Any]
    loads: dict[str, LoaderRun] = field(default_factory=dict)
    steps: dict[str, StepResult] = field(default_factory=dict)
    step_writes: dict[str, int] = field(default_factory=dict)
    validation_s: float = 0.0
    identical: dict[str, bool] = field(default_factory=dict)
    goals: list[tuple[str, str, bool]] = field(default_factory=list)


def _timed_step(
    server: Server,
    template: str,
    purpose: str,
    results: Results,
    step: Callable[[str], StepResult],
    rerun: bool = False,
) -> str:
    """Run a baseline or floor step on a fresh database; returns its conninfo."""
    conninfo = server.fresh(purpose, template)
    before = row_versions(conninfo)
    result = step(conninfo)
    after = row_versions(conninfo)
    results.steps[result.name] = result
    results.step_writes[result.name] = writes_between(before, after).total
    _say(f"  {result.wall_s:.2f} s, {result.per_second:,.0f} components/s")
    if rerun:
        again = step(conninfo)
        name = result.name + ": rewrite"
        results.steps[name] = StepResult(
            name, again.components, again.files, again.parse_s, again.write_s
        )
        results.step_writes[name] = writes_between(after, row_versions(conninfo)).total
        _say(f"  rewrite: {again.wall_s:.2f} s, {again.per_second:,.0f} components/s")
    return conninfo


def run_benchmark(
    server_url: str,
    packs: Sequence[Path],
    *,
    compare: bool = True,
    profile_dir: Path | None = None,
) -> Results:
    paths = [CORE_PACK_DIR, *packs]
    server = Server(server_url)
    results = Results(params={"server_version": server.version()})
    try:
        # The validation-only pass also builds the rows the baseline and the floor write;
        # it runs first so that packs that do not validate stop the run early.
        _say("validation only (check_packs, in this process)")
        checked, results.validation_s = _timed_check(paths)
        if not checked.packs or any(d.is_error for d in checked.diagnostics):
            raise SystemExit("check_packs reported errors on the generated packs")
        _say(f"  {results.validation_s:.2f} s")

        _say("migrating a template database")
        template = server.migrated_template()

        db = server.fresh("loader", template)
        for name, label, use_cache in LOADER_RUNS:
            _say(f"loader: {name}")
            profile = profile_dir / f"{label}.prof" if profile_dir else None
            before = row_versions(db)
            server_before = server_cpu_s(db)
            run = run_loader(paths, db, f"loader: {name}", profile=profile, use_cache=use_cache)
            server_after = server_cpu_s(db)
            if server_before is not None and server_after is not None:
                run.server_cpu_s = server_after - server_before
            run.rows_written = writes_between(before, row_versions(db)).total
            results.loads[label] = run
            if not run.ok:
                raise SystemExit(f"the loader refused the packs: {run.errors}")
            _say(
                f"  {run.wall_s:.2f} s, {run.per_second:,.0f} components/s, "
                f"{run.rows_written:,} rows written, peak RSS {run.peak_rss_mb:.0f} MB"
            )

        _say("row-by-row baseline: first load, then the same again")
        base_db = _timed_step(
            server,
            template,
            "baseline",
            results,
            lambda url: baseline.run(url, checked.packs),
            rerun=True,
        )
        _say("floor: libyaml + COPY")
        floor_db = _timed_step(
            server, template, "floor", results, lambda url: floor.run(url, checked.packs)
        )
        if compare:
            _say("comparing table contents")
            loaded = table_contents(db)
            results.identical["baseline"] = table_contents(base_db) == loaded
            results.identical["floor"] = table_contents(floor_db) == loaded
    finally:
        server.drop_all()
    results.goals = goals(results)
    return results


# ---------------------------------------------------------------- reporting


def _baseline(results: Results) -> StepResult:
    return results.steps["row-by-row baseline"]


def _floor(results: Results) -> StepResult:
    return results.steps["floor (libyaml + COPY)"]


def goals(results: Results) -> list[tuple[str, str, bool]]:
    first, reload = results.loads["first_load"], results.loads["reload"]
    vs_baseline = first.per_second / _baseline(results).per_second
    rss = max(first.peak_rss_mb, reload.peak_rss_mb)
    return [
        (
            f"first load >= {GOAL_RATE:,} components/s",
            f"{first.per_second:,.0f}",
            first.per_second >= GOAL_RATE,
        ),
        (
            f"first load >= {GOAL_VS_BASELINE:g}x the row-by-row baseline",
            f"{vs_baseline:.1f}x",
            vs_baseline >= GOAL_VS_BASELINE,
        ),
        (
            f"no-op reload < {GOAL_RELOAD_S:g} s",
            f"{reload.wall_s:.2f} s",
            reload.wall_s < GOAL_RELOAD_S,
        ),
        (
            "no-op reload writes 0 rows",
            f"{reload.rows_written} rows",
            reload.rows_written == 0 and reload.pending == 0,
        ),
        (f"peak RSS < {GOAL_RSS_MB:g} MB", f"{rss:.0f} MB", rss < GOAL_RSS_MB),
    ]


def _row(
    name: str,
    wall: float,
    rate: float,
    results: Results,
    rows: int | None,
    rss: float | None,
) -> str:
    vs_base = rate / _baseline(results).per_second
    vs_floor = rate / _floor(results).per_second
    rows_text = "-" if rows is None else f"{rows:,}"
    rss_text = "-" if rss is None else f"{rss:.0f}"
    return (
        f"| {name} | {wall:.2f} | {rate:,.0f} | {vs_base:.1f}x | {vs_floor:.2f}x "
        f"| {rows_text} | {rss_text} |"
    )


def markdown(results: Results) -> str:
    lines = [
        "| run | wall s | components/s | vs baseline | vs floor | rows written | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results.loads.values():
        lines.append(
            _row(run.name, run.wall_s, run.per_second, results, run.rows_written, run.peak_rss_mb)
        )
    first = results.loads["first_load"]
    if results.validation_s:
        rate = first.components / results.validation_s
        lines.append(
            _row("validation only (check_packs)", results.validation_s, rate, results, None, None)
        )
    for name, step in results.steps.items():
        written = results.step_writes.get(name)
        lines.append(_row(name, step.wall_s, step.per_second, results, written, None))
    return "\n".join(lines)


def details(results: Results) -> str:
    base, flo = _baseline(results), _floor(results)
    parser, _ = floor.libyaml_parser()
    first = results.loads["first_load"]
    c_parsed = flo.parse_s + base.write_s  # the same files, the same round trips
    out = [
        f"components per run: {first.components:,} ({base.files:,} YAML files)",
        f"baseline: {baseline.old_loader_parser()[0]} {base.parse_s:.2f} s "
        f"+ row-by-row writes {base.write_s:.2f} s",
        f"floor: {parser} {flo.parse_s:.2f} s + COPY {flo.write_s:.2f} s",
        f"baseline with the floor's parser instead: {c_parsed:.2f} s, so the first load "
        f"is {c_parsed / first.wall_s:.1f}x that",
    ]
    for run in results.loads.values():
        stages = ", ".join(f"{m} {d:.2f} s" for m, d in run.stage_durations())
        out.append(f"{run.name} stages: {stages}")
    out += cpu_budget(results)
    for writer, same in results.identical.items():
        out.append(f"rows identical to the loader's ({writer}): {'yes' if same else 'NO'}")
    return "\n".join(out)


def cpu_budget(results: Results) -> list[str]:
    """The first load's CPU time per component, and what the rate goals leave for it on
    this machine's cores: below that, no overlap of the stages could reach them."""
    first = results.loads["first_load"]
    if first.server_cpu_s is None or not first.components:
        return [f"first load CPU: loader {first.cpu_s:.2f} s (the server's not measurable)"]
    cores = len(os.sched_getaffinity(0))
    total = first.cpu_s + first.server_cpu_s
    needed = {
        f"{GOAL_RATE:,}/s": first.components / GOAL_RATE,
        f"{GOAL_VS_BASELINE:g}x the baseline": _baseline(results).wall_s / GOAL_VS_BASELINE,
    }
    budgets = "; ".join(
        f"{goal} leaves {cores * wall / first.components * 1e6:.0f} µs"
        for goal, wall in needed.items()
    )
    return [
        f"first load CPU: loader {first.cpu_s:.2f} s (its process and workers) + server "
        f"{first.server_cpu_s:.2f} s = {total:.2f} s in {first.wall_s:.2f} s "
        f"({total / first.wall_s:.2f} of {cores} cores busy)",
        f"first load CPU per component: {total / first.components * 1e6:.0f} µs; "
        f"on {cores} cores, {budgets}",
    ]


def goals_text(results: Results) -> str:
    return "\n".join(
        f"{'PASS' if passed else 'FAIL'}  {goal}: {value}" for goal, value, passed in results.goals
    )


def to_json(results: Results) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for label, run in results.loads.items():
        runs[label] = {**asdict(run), "components_per_s": run.per_second}
    for name, step in results.steps.items():
        runs[name] = {
            **asdict(step),
            "wall_s": step.wall_s,
            "components_per_s": step.per_second,
            "rows_written": results.step_writes.get(name),
        }
    return {
        "params": results.params,
        "environment": {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "yaml_floor_parser": floor.libyaml_parser()[0],
            "yaml_baseline_parser": baseline.old_loader_parser()[0],
        },
        "runs": runs,
        "validation_only_s": results.validation_s,
        "rows_identical": results.identical,
        "goals": [{"goal": g, "value": v, "pass": p} for g, v, p in results.goals],
    }


def top_costs(profile: Path, limit: int = 20) -> str:
    """The functions with the most time of their own, then with the most in total."""
    out = io.StringIO()
    stats = pstats.Stats(str(profile), stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_load",
        description="Benchmark the pack loader against a row-by-row baseline and a floor.",
    )
    parser.add_argument("--packs", type=int, default=100, help="packs (default 100)")
    parser.add_argument(
        "--components", type=int, default=1000, help="components per pack (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument(
        "--database-url",
        help="a superuser URL of a server to create the databases on "
        "(default: a throw-away cluster under the temp directory)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "attune-bench-packs",
        help="where generated packs are kept between runs",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="generate into a temporary directory"
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="skip comparing the writers' rows"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="profile the loader runs with cProfile into DIR (slows them down)",
    )
    args = parser.parse_args(argv)
    if args.packs < 1 or args.components < 1:
        parser.error("--packs and --components must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="attune-bench-")) if args.no_cache else None
    try:
        _say(f"packs: {args.packs} x {args.components} components")
        packs = cached_packs(scratch or args.cache_dir, args.packs, args.components, args.seed)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        with database_server(args.database_url) as server_url:
            results = run_benchmark(
                server_url, packs, compare=not args.no_compare, profile_dir=args.profile
            )
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    results.params.update(packs=args.packs, components=args.components, seed=args.seed)

    print(markdown(results))
    print()
    print(details(results))
    print()
    print(goals_text(results))
    if args.profile:
        print("\nfigures above were taken under the profiler")
        for _, label, _ in LOADER_RUNS:
            print(f"\n--- {label} ---\n{top_costs(args.profile / f'{label}.prof')}")
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n")
    same = all(results.identical.values())
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
