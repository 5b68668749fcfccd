"""Load benchmark: the loader side by side with the floor, in the same run.

    python -m bench.bench_load [--packs 100] [--components 1000] [--repeat 3]
                               [--baseline] [--database-url URL] [--json out.json]

Generates synthetic packs (cached between runs, keyed by the parameters and the
generator's source) and one extra pack of 500 components, creates a migrated
template database on ``--database-url``'s server or on a throw-away cluster, and
runs ``--repeat`` rounds, each on fresh copies of it:

1. the floor (:mod:`bench.floor`): read, parse and schema-check every file with the
   fastest tools at hand, ``COPY`` the loader's rows and commit, on one core;
2. the loader's first load of ``packs/core`` plus the packs (``loader.api.load_packs``);
3. a no-op reload of the same, on the same database;
4. a reload after one file of one pack changed;
5. the extra pack installed into that database, and into one holding only packs/core.

Goals are ratios of medians over the rounds of runs measured side by side, so that a
busy machine moves them less than the times. The row-by-row baseline
(:mod:`bench.baseline`) runs once with ``--baseline``. The loader runs in a spawned
child process of its own, so its peak RSS is its own and not the generator's or the
parent's. Rows written are counted exactly from row versions (each row's ``xmin`` and
``ctid`` before and after), not from the statistics collector, whose counters arrive
late. Goals are printed as PASS/FAIL; missing one does not fail the process.
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
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

import bench
import loader
from bench import baseline, floor, packgen
from bench.baseline import StepResult
from loader import CORE_PACK_DIR
from loader.database import statements
from loader.database.embedded import Cluster
from loader.database.migrate import runner
from loader.kinds import KINDS

# Goals, as ratios against what is measured side by side in the same run.
GOAL_VS_FLOOR = 1.3  # first load / the single-core floor
GOAL_CHANGED_VS_NOOP = 1.5  # reload after one changed file / the no-op reload
GOAL_INSTALL_VS_EMPTY = 1.2  # one more pack into the loaded database / into an empty one
GOAL_NOOP_S = 1.0
GOAL_RSS_MB = 300.0
EXTRA_COMPONENTS = 500
EXTRA_INDEX = 9999  # the extra pack's generator index: a ref no generated set uses

# A row version: "xmin:ctid". Keyed by table, then by the row's id (its ctid when the
# table has no id column, so an update there shows as a delete plus an insert).
Versions = dict[str, dict[str, str]]


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- packs


def _generator_digest() -> str:
    """Changes whenever the generator does, so a stale cache is never reused."""
    return hashlib.sha256(Path(packgen.__file__).read_bytes()).hexdigest()[:12]


def pack_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "pack.yaml").exists())


def cached_packs(
    cache_dir: Path, packs: int, components: int, seed: int = 0, first: int = 0
) -> list[Path]:
    """Generate the packs once per parameter set; later runs reuse the directory.

    The generation is written beside its final name and renamed at the end, so an
    interrupted run never leaves a half-written set that looks complete.
    """
    key = f"p{packs}-c{components}-s{seed}-f{first}-{_generator_digest()}"
    target = cache_dir / key
    if target.is_dir():
        return pack_dirs(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_dir))
    try:
        packgen.generate(partial, packs, components, seed, first)
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


def _compiled_bytecode() -> None:
    """Loader runs import compiled bytecode, as an installed loader does (pip compiles a
    wheel's modules): ``PYTHONDONTWRITEBYTECODE`` is dropped for them and the loader's
    and the benchmark's modules are compiled before any run is timed. Otherwise a
    reload that checks files compiles the checks' modules from source, 40 ms of one."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sources = [str(Path(m.__file__).parent) for m in (loader, bench)]  # type: ignore[arg-type]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sources], check=True)


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


# ---------------------------------------------------------------- the whole comparison


@dataclass
class Round:
    """One round of every measured run, side by side: the floor, the loader's first
    load, its no-op reload and its reload after one changed file on that database, and
    one more pack installed into that database and into an empty one."""

    floor: StepResult
    first: LoaderRun
    noop: LoaderRun
    changed: LoaderRun
    install_full: LoaderRun
    install_empty: LoaderRun
    owned_scan_ms: tuple[float, float] = (0.0, 0.0)  # the extra pack's, loaded and empty

    def ratios(self) -> dict[str, float]:
        return {
            "first load / floor": self.first.wall_s / self.floor.wall_s,
            "changed reload / no-op reload": self.changed.wall_s / self.noop.wall_s,
            "install into loaded / into empty": (
                self.install_full.wall_s / self.install_empty.wall_s
            ),
        }


@dataclass
class Results:
    params: dict[str, Any]
    rounds: list[Round] = field(default_factory=list)
    baseline: StepResult | None = None
    identical: dict[str, bool] = field(default_factory=dict)
    goals: list[tuple[str, str, bool]] = field(default_factory=list)

    def median_ratio(self, name: str) -> float:
        return statistics.median(r.ratios()[name] for r in self.rounds)


def _loader_run(
    server: Server, conninfo: str, paths: Sequence[Path], name: str, profile: Path | None
) -> LoaderRun:
    """A loader run in a child process, with the rows it wrote and the server's CPU."""
    before = row_versions(conninfo)
    server_before = server_cpu_s(conninfo)
    run = run_loader(paths, conninfo, name, profile=profile)
    server_after = server_cpu_s(conninfo)
    if server_before is not None and server_after is not None:
        run.server_cpu_s = server_after - server_before
    run.rows_written = writes_between(before, row_versions(conninfo)).total
    if not run.ok:
        raise SystemExit(f"the loader refused the packs ({name}): {run.errors}")
    _say(
        f"  {name}: {run.wall_s:.2f} s, {run.per_second:,.0f} components/s, "
        f"{run.rows_written:,} rows written, peak RSS {run.peak_rss_mb:.0f} MB"
    )
    return run


@contextmanager
def one_file_changed(pack: Path) -> Iterator[Path]:
    """One action file of ``pack`` with another description for the block; put back
    byte for byte afterwards, so the cached packs stay as generated."""
    path = sorted((pack / "actions").glob("*.yaml"))[0]
    original = path.read_bytes()
    path.write_bytes(original.replace(b"\ndescription: ", b"\ndescription: changed ", 1))
    try:
        yield path
    finally:
        path.write_bytes(original)


def _floor_step(server: Server, template: str, packs: Sequence[Any]) -> tuple[str, StepResult]:
    conninfo = server.fresh("floor", template)
    result = floor.run(conninfo, packs)
    _say(
        f"  floor: {result.wall_s:.2f} s (read + parse + check {result.parse_s:.2f} s, "
        f"COPY + commit {result.write_s:.2f} s)"
    )
    return conninfo, result


def run_round(
    server: Server,
    template: str,
    packs: Sequence[Path],
    extra: Path,
    checked: Any,
    *,
    compare: bool = False,
    profile_dir: Path | None = None,
) -> tuple[Round, bool | None]:
    """One round, and with ``compare`` whether the loader's first load left the same
    rows as the floor."""
    paths = [CORE_PACK_DIR, *packs]
    floor_db, floor_result = _floor_step(server, template, checked.packs)
    db = server.fresh("loader", template)

    def profiled(label: str) -> Path | None:
        return profile_dir / f"{label}.prof" if profile_dir else None

    first = _loader_run(server, db, paths, "first load", profiled("first_load"))
    identical = None
    if compare:
        _say("comparing table contents")
        identical = table_contents(floor_db) == table_contents(db)
    noop = _loader_run(server, db, paths, "no-op reload", profiled("noop"))
    with one_file_changed(packs[-1]):
        changed = _loader_run(server, db, paths, "reload, one file changed", profiled("changed"))
    # Installing one more pack: into the database that holds every pack, and into one
    # that holds only packs/core, whose runtimes the pack uses.
    install_full = _loader_run(
        server, db, [extra], "install 1 pack into loaded", profiled("install_loaded")
    )
    empty = server.fresh("empty", template)
    _loader_run(server, empty, [CORE_PACK_DIR], "packs/core into empty", None)
    install_empty = _loader_run(
        server, empty, [extra], "install 1 pack into empty", profiled("install_empty")
    )
    scans = (
        owned_scan_ms(db, extra),
        owned_scan_ms(empty, extra),
    )
    return Round(floor_result, first, noop, changed, install_full, install_empty, scans), identical


def owned_scan_ms(conninfo: str, pack: Path) -> float:
    """The server's execution time (EXPLAIN ANALYZE) of the statements that find the
    rows ``pack`` owns: the row tokens and each kind's current rows, with no declared
    refs. The part of a load that could grow with the database rather than with the
    pack: while ownership was tested on ``pack_ref``, which the target schema does not
    index, these read every table whole. Each is planned as the loader plans it: the
    current rows for all their rows (the loader's cursors are, with
    cursor_tuple_fraction 1), the tokens serially (so they come last)."""
    ref = pack.name  # generated packs are named after their refs
    statements_ = [*map(statements.select_current, KINDS), statements.owned_rows_digests()]
    total = 0.0
    with psycopg.connect(conninfo) as conn:
        owners = statements.owner_params(conn, [ref])
        for statement in statements_:
            if statement is statements_[-1]:
                conn.execute(statements.SERIAL_PLANS)
            plan = conn.execute(
                sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + statement, {**owners, "refs": []}
            ).fetchone()
            assert plan is not None
            total += float(plan[0][0]["Execution Time"])
    return total


def run_benchmark(
    server_url: str,
    packs: Sequence[Path],
    extra: Path,
    *,
    repeat: int = 3,
    with_baseline: bool = False,
    compare: bool = True,
    profile_dir: Path | None = None,
) -> Results:
    server = Server(server_url)
    results = Results(params={"server_version": server.version(), "repeat": repeat})
    try:
        # The rows the floor (and the baseline) write come from the loader's own check,
        # made before any clock starts; packs that do not validate stop the run here.
        _say("checking the packs (their rows are what the floor writes)")
        checked = check_packs([CORE_PACK_DIR, *packs])
        if not checked.packs or any(d.is_error for d in checked.diagnostics):
            raise SystemExit("check_packs reported errors on the generated packs")
        _say("migrating a template database")
        template = server.migrated_template()
        for index in range(repeat):
            _say(f"round {index + 1} of {repeat}")
            measured, identical = run_round(
                server, template, packs, extra, checked, compare=compare and index == 0
            )
            results.rounds.append(measured)
            if identical is not None:
                results.identical["floor"] = identical
        if profile_dir:
            _say("a profiled round (not counted)")
            run_round(server, template, packs, extra, checked, profile_dir=profile_dir)
        if with_baseline:
            _say("row-by-row baseline")
            base_db = server.fresh("baseline", template)
            results.baseline = baseline.run(base_db, checked.packs)
    finally:
        server.drop_all()
    results.goals = goals(results)
    return results


def check_packs(paths: Sequence[Path]) -> Any:
    from loader.packs.pipeline import check_packs as check

    return check(list(paths))


# ---------------------------------------------------------------- reporting


def _median(values: Iterable[float]) -> float:
    return statistics.median(values)


def goals(results: Results) -> list[tuple[str, str, bool]]:
    rounds = results.rounds
    vs_floor = results.median_ratio("first load / floor")
    changed = results.median_ratio("changed reload / no-op reload")
    install = results.median_ratio("install into loaded / into empty")
    noop_s = _median(r.noop.wall_s for r in rounds)
    noop_rows = sum(r.noop.rows_written or 0 for r in rounds)
    rss = max(max(r.first.peak_rss_mb, r.noop.peak_rss_mb, r.changed.peak_rss_mb) for r in rounds)
    return [
        (
            f"first load <= {GOAL_VS_FLOOR:g}x the single-core floor",
            f"{vs_floor:.2f}x",
            vs_floor <= GOAL_VS_FLOOR,
        ),
        (
            f"reload after one changed file <= {GOAL_CHANGED_VS_NOOP:g}x the no-op reload",
            f"{changed:.2f}x",
            changed <= GOAL_CHANGED_VS_NOOP,
        ),
        (
            f"installing one more {EXTRA_COMPONENTS}-component pack <= "
            f"{GOAL_INSTALL_VS_EMPTY:g}x installing it into an empty database",
            f"{install:.2f}x",
            install <= GOAL_INSTALL_VS_EMPTY,
        ),
        (f"no-op reload <= {GOAL_NOOP_S:g} s", f"{noop_s:.2f} s", noop_s <= GOAL_NOOP_S),
        ("no-op reload writes 0 rows", f"{noop_rows} rows", noop_rows == 0),
        (f"peak RSS <= {GOAL_RSS_MB:g} MB", f"{rss:.0f} MB", rss <= GOAL_RSS_MB),
    ]


def markdown(results: Results) -> str:
    """Every run's median wall time, the runs of each round, and the ratios."""
    rounds = results.rounds
    runs: dict[str, list[float]] = {"floor": [r.floor.wall_s for r in rounds]}
    for attr in ("first", "noop", "changed", "install_full", "install_empty"):
        loader_runs = [getattr(r, attr) for r in rounds]
        runs[loader_runs[0].name] = [run.wall_s for run in loader_runs]
    lines = ["| run | median s | each round s |", "|---|---:|---|"]
    for name, walls in runs.items():
        each = ", ".join(f"{w:.2f}" for w in walls)
        lines.append(f"| {name} | {_median(walls):.2f} | {each} |")
    lines += ["", "| ratio | median | each round |", "|---|---:|---|"]
    for name in rounds[0].ratios():
        each = ", ".join(f"{r.ratios()[name]:.2f}x" for r in rounds)
        lines.append(f"| {name} | {results.median_ratio(name):.2f}x | {each} |")
    return "\n".join(lines)


def details(results: Results) -> str:
    rounds = results.rounds
    first = rounds[0].first
    out = [
        f"components per first load: {first.components:,} ({rounds[0].floor.files:,} YAML files)",
        f"floor: {floor.tools()}, median read + parse + check "
        f"{_median(r.floor.parse_s for r in rounds):.2f} s + COPY + commit "
        f"{_median(r.floor.write_s for r in rounds):.2f} s, on one core",
    ]
    for attr in ("first", "noop", "changed"):
        run = getattr(rounds[0], attr)
        stages = ", ".join(f"{m} {d:.2f} s" for m, d in run.stage_durations())
        out.append(f"{run.name} stages (round 1): {stages}")
    out += cpu_split(results)
    loaded, empty = (_median(r.owned_scan_ms[i] for r in rounds) for i in (0, 1))
    out.append(
        f"finding the extra pack's own rows (the row tokens and the current rows; "
        f"server execution time, median): {loaded:.1f} ms in the loaded database, "
        f"{empty:.1f} ms in the one holding packs/core"
    )
    if results.baseline:
        base = results.baseline
        out.append(
            f"row-by-row baseline: {base.wall_s:.2f} s ({baseline.old_loader_parser()[0]} "
            f"{base.parse_s:.2f} s + row-by-row writes {base.write_s:.2f} s); the first load "
            f"is {base.wall_s / _median(r.first.wall_s for r in rounds):.1f}x faster"
        )
    for writer, same in results.identical.items():
        out.append(f"rows identical to the loader's ({writer}): {'yes' if same else 'NO'}")
    return "\n".join(out)


def cpu_split(results: Results) -> list[str]:
    """The first load's CPU time against the floor's wall time: the floor runs on one
    core, so a loader with more CPU than the goal's multiple of it could only meet the
    goal by spreading that CPU over the cores."""
    rounds = results.rounds
    first_cpu = _median(r.first.cpu_s for r in rounds)
    floor_s = _median(r.floor.wall_s for r in rounds)
    servers = [r.first.server_cpu_s for r in rounds if r.first.server_cpu_s is not None]
    server = f"{_median(servers):.2f} s" if servers else "not measurable"
    cores = len(os.sched_getaffinity(0))
    return [
        f"first load CPU (median): loader {first_cpu:.2f} s (its process and workers), "
        f"server {server}; the floor's wall time {floor_s:.2f} s on one core; "
        f"{cores} cores here",
    ]


def goals_text(goals: Sequence[tuple[str, str, bool]]) -> str:
    """One PASS or FAIL line per goal."""
    return "\n".join(
        f"{'PASS' if passed else 'FAIL'}  {goal}: {value}" for goal, value, passed in goals
    )


def to_json(results: Results) -> dict[str, Any]:
    return {
        "params": results.params,
        "environment": {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "floor_tools": floor.tools(),
        },
        "rounds": [{**asdict(r), "ratios": r.ratios()} for r in results.rounds],
        "baseline": asdict(results.baseline) if results.baseline else None,
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


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="a superuser URL of a server to create the databases on "
        "(default: a throw-away cluster under the temp directory)",
    )


def add_cache_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "attune-bench-packs",
        help="where generated packs are kept between runs",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_load",
        description="Benchmark the pack loader against the floor measured in the same run.",
    )
    parser.add_argument("--packs", type=int, default=100, help="packs (default 100)")
    parser.add_argument(
        "--components", type=int, default=1000, help="components per pack (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, for medians (default 3)")
    parser.add_argument(
        "--baseline", action="store_true", help="also run the row-by-row baseline (slow)"
    )
    add_server_argument(parser)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    add_cache_argument(parser)
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
        help="profile the first round's loader runs with cProfile into DIR (slows them down)",
    )
    args = parser.parse_args(argv)
    if args.packs < 1 or args.components < 1 or args.repeat < 1:
        parser.error("--packs, --components and --repeat must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="attune-bench-")) if args.no_cache else None
    memory: Path | None = None
    try:
        _say(f"packs: {args.packs} x {args.components} components, {args.repeat} rounds")
        cache = scratch or args.cache_dir
        packs = cached_packs(cache, args.packs, args.components, args.seed)
        extra = cached_packs(cache, 1, EXTRA_COMPONENTS, args.seed, EXTRA_INDEX)[0]
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        # The loader runs remember their reloads here, not in the user's state
        # directory (an entry per round's database, megabytes each at 100k).
        memory = Path(tempfile.mkdtemp(prefix="attune-bench-reload-cache-"))
        os.environ["ATTUNE_LOADER_CACHE_DIR"] = str(memory)
        _compiled_bytecode()
        with database_server(args.database_url) as server_url:
            results = run_benchmark(
                server_url,
                packs,
                extra,
                repeat=args.repeat,
                with_baseline=args.baseline,
                compare=not args.no_compare,
                profile_dir=args.profile,
            )
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        if memory:
            shutil.rmtree(memory, ignore_errors=True)
    results.params.update(packs=args.packs, components=args.components, seed=args.seed)

    print(f"load average at the end: {Path('/proc/loadavg').read_text().strip()}")
    print(markdown(results))
    print()
    print(details(results))
    print()
    print(goals_text(results.goals))
    if args.profile:
        print("\nprofiles of an extra round, not counted above")
        for label in ("first_load", "noop", "changed"):
            print(f"\n--- {label} ---\n{top_costs(args.profile / f'{label}.prof')}")
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n")
    same = all(results.identical.values())
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
