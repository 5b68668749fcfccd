"""Reliability soak: the loader, run as its command line, disturbed in the ways a
deployment meets, checked against what the database may look like afterwards.

    python -m bench.soak [--kills 20] [--restarts 5] [--terminations 5] [--rounds 10]
                         [--loaders 8] [--components 300] [--database-url URL]
                         [--json out.json] [--seed 0] [--minutes 20]

It starts a throw-away PostgreSQL cluster (or uses ``--database-url``, a superuser
URL, creating and dropping its own databases there), migrates a template database,
generates four packs of ``--components`` components, given beside packs/core as a
``.tar.gz`` (so that every load extracts an archive into a scratch directory), and
then runs, each a bounded number of times within a time budget:

- ``sigkill, first load`` / ``sigkill, modifying reload``: the loader is killed at a
  uniformly random moment of a load's measured duration. The database must then hold
  exactly the content from before or from after the load, no advisory lock may be
  left, and the next load must succeed, reach the "after" content and sweep the
  killed process's scratch directory.
- ``server restart``: ``pg_ctl restart -m fast`` at a random moment (only on the
  soak's own cluster); ``backend termination``: ``pg_terminate_backend`` of the
  loader's backend. The load must fail cleanly (exit 4, no traceback) or succeed,
  with the same checks on the content afterwards.
- ``concurrent loaders``: before each round some pack files are edited (descriptions,
  an action added or removed now and then), then ``--loaders`` loaders start at once
  on overlapping pack sets. All must succeed, the content must equal a single load of
  the same files into a fresh database, and the reports' changes must add up to the
  rows that differ from the previous round (each change written by one loader).
- ``hostile archives``: every archive of :mod:`bench.hostile_archives`, through
  ``validate`` and ``load``: exit 1, one ``pack.archive`` error, nothing written
  outside, no row written.
- ``secret matrix``: failing URLs that carry a sentinel password (malformed, foreign
  schemes, an unreachable host, a missing database) x ``load``, ``plan``, ``seed``,
  ``migrate``, ``status`` x the three output modes: the documented exit status, a JSON
  report with the error or an ``::error`` annotation, no traceback, and the password
  nowhere in the output. (A wrong password, which needs a server that asks for one,
  is in the test suite, through a PgBouncer.)

Progress goes to stderr, a table of runs, failures and notes to stdout (``--json``
writes every figure). The exit status is 1 when any invariant failed. The same
functions run with small counts in ``tests/test_soak.py``; docs/reliability.md has
the figures of a full run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench import packgen
from bench.bench_load import Server, pack_dirs, table_contents
from bench.hostile_archives import HOSTILE, outside_dir, untouched
from loader import CORE_PACK_DIR, PROJECT_ROOT
from loader.database.embedded import Cluster

PACKS = 4  # generated packs; the concurrent rounds load overlapping subsets of them
LOAD_TIMEOUT_S = 300.0  # any single loader run
SETTLE_TIMEOUT_S = 30.0  # for a disturbed loader's backend to go away
LOCK_TIMEOUT_S = 120.0  # concurrent loaders queue on pack locks; never the failure sought
SCRATCH_PREFIX = "attune-packs-"  # the loader's scratch: <prefix><pid namespace>-<pid>-<random>
ADDED = "soak_added_"  # actions the soak adds to packs (and may remove again)

# (table, ref) -> the row as JSON without ids and timestamps, references by ref.
Snapshot = dict[tuple[str, str], str]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_until(done: Callable[[], bool], timeout_s: float, interval_s: float = 0.05) -> bool:
    """Poll ``done`` until it holds or ``timeout_s`` passes; whether it held."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)
    return True


# ---------------------------------------------------------------- results


@dataclass
class Scenario:
    """Runs of one scenario: each failure is one short reason, notes count outcomes."""

    name: str
    runs: int = 0
    failures: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    timings_s: list[float] = field(default_factory=list)
    skipped: str = ""

    def record(self, started: float, reasons: Sequence[str], notes: Sequence[str]) -> None:
        self.runs += 1
        self.timings_s.append(time.monotonic() - started)
        self.failures += [f"run {self.runs}: {r}" for r in reasons]
        self.notes.update(notes)
        verdict = "FAIL " + "; ".join(reasons) if reasons else "ok"
        say(f"  {self.name} {self.runs}: {', '.join(notes) or '-'}: {verdict}")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "runs": self.runs,
            "failures": self.failures,
            "notes": dict(self.notes),
            "timings_s": [round(t, 3) for t in self.timings_s],
            "skipped": self.skipped,
        }


def table(scenarios: Sequence[Scenario]) -> str:
    lines = [
        "| scenario | runs | failures | s/run (median, max) | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for s in scenarios:
        timing = (
            f"{statistics.median(s.timings_s):.2f}, {max(s.timings_s):.2f}" if s.timings_s else "-"
        )
        notes = s.skipped or ", ".join(f"{n} {label}" for label, n in sorted(s.notes.items()))
        lines.append(f"| {s.name} | {s.runs} | {len(s.failures)} | {timing} | {notes} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the loader as a process


@dataclass(frozen=True)
class Finished:
    pid: int
    code: int
    stdout: str
    stderr: str
    wall_s: float

    def report(self) -> dict[str, Any] | None:
        try:
            parsed = json.loads(self.stdout)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def error_codes(self) -> list[str]:
        report = self.report() or {}
        return [d["code"] for d in report.get("diagnostics", []) if d["severity"] == "error"]

    def tail(self) -> str:
        """The error line of stderr (a hint may follow it), else its last line."""
        lines = self.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("error:")]
        return (errors or lines or ["(no message)"])[-1][:160]


class LoaderProcess:
    """``python -m loader ARGS``, its output in files: a pipe would fill up with a
    large JSON report and stall the loader while nobody reads."""

    def __init__(self, *args: str) -> None:
        # Closed by finish(), which every run reaches.
        self._out: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._err: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "loader", *args],
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            cwd=PROJECT_ROOT,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)

    def finish(self, timeout_s: float = LOAD_TIMEOUT_S) -> Finished:
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(timeout=30)
        wall = time.monotonic() - self.started
        texts = []
        for handle in (self._out, self._err):
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
        return Finished(self.pid, self.proc.returncode, texts[0], texts[1], wall)


def load_args(paths: Sequence[Path], conninfo: str) -> list[str]:
    return [
        "load",
        *map(str, paths),
        "--database-url",
        conninfo,
        "--output",
        "json",
        "--no-cache",  # every load does the whole work; the soak is not about the cache
        "--lock-timeout",
        str(LOCK_TIMEOUT_S),
    ]


def load(paths: Sequence[Path], conninfo: str) -> Finished:
    return LoaderProcess(*load_args(paths, conninfo)).finish()


def scratch_left(pid: int) -> list[Path]:
    """Scratch directories that process ``pid`` made and that are still there."""
    return list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-{pid}-*"))


# ---------------------------------------------------------------- databases


class SoakServer(Server):
    """Bench databases, dropped one by one as runs end, so a long soak stays small."""

    def drop(self, name: str) -> None:
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.created.remove(name)

    @contextmanager
    def scratch(self, purpose: str, template: str) -> Iterator[str]:
        """A copy of ``template`` for one run; yields its name."""
        name = self.create(purpose, template)
        try:
            yield name
        finally:
            self.drop(name)

    def query(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``text`` run on the server's own database, never a loader's."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(text, params).fetchall()


def snapshot(conninfo: str) -> Snapshot:
    """Every loader-managed row, keyed by table and ref (see table_contents: ids,
    created and updated are dropped and id references become the referenced refs, as
    the sequence numbering differs between databases loaded alike)."""
    return {
        (name, json.loads(row)["ref"]): row
        for name, rows in table_contents(conninfo).items()
        for row in rows
    }


def rows_differing(old: Snapshot, new: Snapshot) -> int:
    """Rows created, changed or removed between two snapshots."""
    return sum(1 for key in old.keys() | new.keys() if old.get(key) != new.get(key))


_BACKENDS = (
    "SELECT pid, xact_start IS NOT NULL FROM pg_stat_activity WHERE datname = %s "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)
_ADVISORY_LOCKS = (
    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
    "WHERE l.locktype = 'advisory' AND d.datname = %s"
)


def backends(server: SoakServer, database: str) -> list[tuple[int, bool]]:
    """(pid, in a transaction) of every client connected to ``database`` but ours."""
    return [(int(pid), bool(busy)) for pid, busy in server.query(_BACKENDS, (database,))]


def phase(server: SoakServer, database: str) -> str:
    found = backends(server, database)
    if not found:
        return "with no backend"  # not connected yet, or done with the database
    return "in transaction" if any(busy for _, busy in found) else "connected"


# ---------------------------------------------------------------- packs and edits

_DESCRIPTION = re.compile(r"^description: .*$", re.MULTILINE)  # top level only
_EDITABLE = ("actions", "triggers", "sensors", "rules")


def set_description(path: Path, text: str) -> None:
    # A JSON string is a YAML double-quoted scalar.
    path.write_text(_DESCRIPTION.sub(f"description: {json.dumps(text)}", path.read_text(), 1))


def add_action(pack: Path, name: str) -> None:
    (pack / "actions" / f"{name}.yaml").write_text(
        f"ref: {pack.name}.{name}\nlabel: Added by the soak\n"
        f"description: {name}\nrunner_type: shell\nentry_point: {name}.sh\n"
    )
    (pack / "actions" / f"{name}.sh").write_text("#!/bin/sh\necho soak\n")


def removable(pack: Path) -> list[Path]:
    """Component files nothing else refers to: permission sets and added actions."""
    return sorted([*pack.glob("permission_sets/*.yaml"), *pack.glob(f"actions/{ADDED}*.yaml")])


def edit_packs(
    packs: Sequence[Path], step: int, rng: random.Random, *, add: bool, remove: bool
) -> Counter[str]:
    """Change three descriptions per pack (the manifest among the candidates), then
    add an action to one pack and remove an unreferenced component from one."""
    edits: Counter[str] = Counter()
    for pack in packs:
        files = [pack / "pack.yaml", *(f for d in _EDITABLE for f in pack.glob(f"{d}/*.yaml"))]
        for path in rng.sample(sorted(files), k=min(3, len(files))):
            set_description(path, f"Edited in soak step {step}: {path.stem}")
            edits["descriptions edited"] += 1
    if add:
        add_action(rng.choice(packs), f"{ADDED}{step:04d}")
        edits["actions added"] += 1
    candidates = [f for pack in packs for f in removable(pack)]
    if remove and candidates:
        victim = rng.choice(candidates)
        victim.unlink()
        victim.with_suffix(".sh").unlink(missing_ok=True)
        edits["components removed"] += 1
    return edits


# ---------------------------------------------------------------- the soak's world


@dataclass(frozen=True)
class Case:
    """A load to disturb: copy ``template``, load ``paths``; ``before`` and ``after``
    are the only contents allowed once it ends, however it ends."""

    name: str
    template: str
    paths: tuple[Path, ...]
    before: Snapshot
    after: Snapshot
    duration_s: float  # of an undisturbed load, command start to exit


@dataclass
class Soak:
    server: SoakServer
    template: str  # migrated, empty
    workdir: Path
    rng: random.Random
    cluster: Cluster | None  # the server's cluster when the soak owns it
    packs: list[Path] = field(default_factory=list)
    cases: dict[str, Case] = field(default_factory=dict)
    budget_s: float = 20 * 60.0  # per scenario


def _timed_load(soak: Soak, paths: Sequence[Path], name: str) -> float:
    done = load(paths, soak.server.conninfo(name))
    if done.code != 0:
        raise SystemExit(f"an undisturbed load failed (exit {done.code}): {done.stderr}")
    return done.wall_s


def archived_core(workdir: Path) -> Path:
    """packs/core as a ``.tar.gz``: every load of the soak then extracts it into a
    scratch directory, which a killed load leaves behind for the next one to sweep."""
    path = workdir / "core.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(CORE_PACK_DIR, arcname="core")
    return path


def prepare(soak: Soak, components: int, seed: int) -> None:
    """Generate the packs and a second, edited copy; measure the first load of the
    one and the reload of the other, keeping the "before" database of each."""
    generated = soak.workdir / "packs"
    soak.packs = packgen.generate(generated, PACKS, components, seed)
    edited = soak.workdir / "edited"
    shutil.copytree(generated, edited)
    edit_packs(pack_dirs(edited), 1, soak.rng, add=True, remove=True)
    core = archived_core(soak.workdir)
    first = (core, *soak.packs)
    reload = (core, *pack_dirs(edited))

    server = soak.server
    empty = snapshot(server.conninfo(soak.template))
    loaded = server.create("state_a", soak.template)  # kept: the reload case copies it
    first_s = _timed_load(soak, first, loaded)
    state_a = snapshot(server.conninfo(loaded))
    with server.scratch("state_b", loaded) as name:
        reload_s = _timed_load(soak, reload, name)
        state_b = snapshot(server.conninfo(name))
    soak.cases = {
        "first load": Case("first load", soak.template, first, empty, state_a, first_s),
        "modifying reload": Case("modifying reload", loaded, reload, state_a, state_b, reload_s),
    }
    say(
        f"packs: core + {PACKS} x {components} components ({len(state_a)} rows); "
        f"first load {first_s:.2f} s, modifying reload {reload_s:.2f} s "
        f"({rows_differing(state_a, state_b)} rows differ)"
    )


# ---------------------------------------------------------------- checks (each: reasons)


def check_state(conninfo: str, case: Case) -> tuple[str, list[str]]:
    """Which allowed content the database holds: 'before' or 'after', or a failure."""
    state = snapshot(conninfo)
    if state == case.before:
        return "before", []
    if state == case.after:
        return "after", []
    off = min(rows_differing(state, case.before), rows_differing(state, case.after))
    return "neither", [f"content is neither before nor after ({off} rows off the nearer)"]


def check_settled(soak: Soak, database: str) -> list[str]:
    """The disturbed loader's backend is gone and left no advisory lock."""
    if not wait_until(lambda: not backends(soak.server, database), SETTLE_TIMEOUT_S, 0.1):
        return [f"a backend still connected after {SETTLE_TIMEOUT_S:g} s"]
    return check_no_locks(soak.server, database)


def check_no_locks(server: SoakServer, database: str) -> list[str]:
    ((held,),) = server.query(_ADVISORY_LOCKS, (database,))
    return [f"{held} advisory lock(s) held"] if held else []


def check_exit(done: Finished, allowed: frozenset[int], state: str) -> list[str]:
    reasons = []
    if done.code not in allowed:
        reasons.append(f"exit {done.code}: {done.tail()}")
    if "Traceback" in done.stderr:
        reasons.append(f"traceback on stderr: {done.tail()}")
    if done.code == 0 and state != "after":
        reasons.append(f"exit 0 but the content is {state}")
    return reasons


def check_recovery(soak: Soak, database: str, case: Case, disturbed_pid: int) -> list[str]:
    """The next load succeeds, leaves the "after" content and sweeps the scratch."""
    conninfo = soak.server.conninfo(database)
    done = load(case.paths, conninfo)
    if done.code != 0:
        return [f"next load: exit {done.code}: {done.tail()}"]
    reasons = []
    if snapshot(conninfo) != case.after:
        reasons.append("next load did not reach the after content")
    if scratch_left(disturbed_pid):
        reasons.append(f"scratch directory of pid {disturbed_pid} left after the next load")
    return reasons + check_no_locks(soak.server, database)


# ---------------------------------------------------------------- disturbances


def _sigkill(soak: Soak, proc: LoaderProcess, database: str) -> str:
    where = phase(soak.server, database)
    proc.kill()
    return f"killed {where}"


def _restart(soak: Soak, proc: LoaderProcess, database: str) -> str:
    assert soak.cluster is not None
    where = phase(soak.server, database)
    # -l: the server must not inherit pg_ctl's captured stdout and keep it open.
    soak.cluster._pg_ctl("restart", "-m", "fast", "-w", "-t", "60", "-l", str(soak.cluster.log))
    return f"restarted {where}"


def _terminate(soak: Soak, proc: LoaderProcess, database: str) -> str:
    """Terminate the loader's backend; wait for it to connect if it has not yet."""
    found: list[tuple[int, bool]] = []

    def connected() -> bool:
        found[:] = backends(soak.server, database)
        return bool(found) or not proc.running()

    wait_until(connected, LOAD_TIMEOUT_S, 0.02)
    if not found:
        return "no backend to terminate"  # done with the database before the moment
    soak.server.query("SELECT pg_terminate_backend(%s)", (found[0][0],))
    return "terminated " + ("in transaction" if found[0][1] else "connected")


@dataclass(frozen=True)
class Disturbance:
    scenario: str
    act: Callable[[Soak, LoaderProcess, str], str]  # returns a note
    exits: frozenset[int]  # what the disturbed load may exit with


_KILLED = frozenset({-signal.SIGKILL, 0})  # 0: it finished before the kill
_CLEAN = frozenset({0, 4})  # success, or a database error reported as such
SIGKILL = Disturbance("sigkill", _sigkill, _KILLED)
RESTART = Disturbance("server restart", _restart, _CLEAN)
TERMINATE = Disturbance("backend termination", _terminate, _CLEAN)


def disturbed_run(soak: Soak, case: Case, how: Disturbance, scenario: Scenario) -> None:
    """One load of ``case`` on a fresh copy, disturbed at a random moment, then checked."""
    started = time.monotonic()
    at = soak.rng.uniform(0.0, case.duration_s)
    with soak.server.scratch("soak_run", case.template) as database:
        proc = LoaderProcess(*load_args(case.paths, soak.server.conninfo(database)))
        wait_until(lambda: not proc.running(), at - (time.monotonic() - proc.started))
        act = how.act(soak, proc, database) if proc.running() else "finished first"
        done = proc.finish()
        # A killed loader leaves its scratch directory; the next load must sweep it.
        notes = ["scratch left"] if scratch_left(done.pid) else []
        reasons = check_settled(soak, database)
        state, wrong = check_state(soak.server.conninfo(database), case)
        reasons += wrong + check_exit(done, how.exits, state)
        reasons += check_recovery(soak, database, case, done.pid)
    scenario.record(started, reasons, [act, f"exit {done.code}", f"state {state}", *notes])


def disturbed(soak: Soak, how: Disturbance, case_names: Sequence[str], runs: int) -> Scenario:
    """``runs`` disturbed loads, cycling through the named cases, within the budget."""
    label = how.scenario if len(case_names) > 1 else f"{how.scenario}, {case_names[0]}"
    scenario = Scenario(label)
    say(f"{label}: {runs} runs")
    deadline = time.monotonic() + soak.budget_s
    for i in range(runs):
        if time.monotonic() > deadline:
            scenario.skipped = f"time budget reached after {scenario.runs} runs"
            break
        disturbed_run(soak, soak.cases[case_names[i % len(case_names)]], how, scenario)
    return scenario


def sigkills(soak: Soak, runs: int) -> list[Scenario]:
    return [disturbed(soak, SIGKILL, [name], runs) for name in soak.cases]


def restarts(soak: Soak, runs: int) -> Scenario:
    if soak.cluster is None:
        return Scenario(RESTART.scenario, skipped="skipped: the server is not the soak's own")
    return disturbed(soak, RESTART, list(soak.cases), runs)


def terminations(soak: Soak, runs: int) -> Scenario:
    return disturbed(soak, TERMINATE, list(soak.cases), runs)


# ---------------------------------------------------------------- concurrent loaders


def overlapping(packs: Sequence[Path], loaders: int) -> list[list[Path]]:
    """Loader i gets 1 to 3 consecutive packs from pack i on: every pack is loaded,
    most by several loaders at once."""
    n = min(len(packs), loaders)
    return [
        [CORE_PACK_DIR, *(packs[(i + j) % n] for j in range(1 + i % 3))] for i in range(loaders)
    ]


def concurrent_round(soak: Soak, packs: Sequence[Path], loaders: int, database: str) -> list[str]:
    """Start the loaders at once; they must all succeed. Returns failure reasons."""
    conninfo = soak.server.conninfo(database)
    before = snapshot(conninfo)
    procs = [LoaderProcess(*load_args(s, conninfo)) for s in overlapping(packs, loaders)]
    results = [p.finish() for p in procs]
    reasons = [f"loader {i}: exit {r.code}: {r.tail()}" for i, r in enumerate(results) if r.code]
    after = snapshot(conninfo)
    with soak.server.scratch("soak_expected", soak.template) as name:
        single = load([CORE_PACK_DIR, *packs], soak.server.conninfo(name))
        expected = snapshot(soak.server.conninfo(name))
    if single.code != 0:
        reasons.append(f"the single load failed: exit {single.code}: {single.tail()}")
    elif after != expected:
        reasons.append(
            f"content differs from a single load in {rows_differing(after, expected)} rows"
        )
    changes = sum((r.report() or {}).get("summary", {}).get("changes", 0) for r in results)
    if changes != rows_differing(before, after):
        reasons.append(
            f"reports count {changes} changes, {rows_differing(before, after)} rows differ"
        )
    return reasons + check_no_locks(soak.server, database)


def concurrent(soak: Soak, rounds: int, loaders: int) -> Scenario:
    """``rounds`` rounds of edits then ``loaders`` loaders at once, on one database."""
    scenario = Scenario(f"{loaders} concurrent loaders")
    say(f"{scenario.name}: {rounds} rounds")
    # A copy of their own: the edits must not touch the packs the cases load.
    root = soak.workdir / "rounds"
    shutil.copytree(soak.packs[0].parent, root)
    packs = pack_dirs(root)[: max(2, min(len(soak.packs), loaders))]
    deadline = time.monotonic() + soak.budget_s
    with soak.server.scratch("soak_rounds", soak.template) as database:
        for step in range(1, rounds + 1):
            if time.monotonic() > deadline:
                scenario.skipped = f"time budget reached after {scenario.runs} rounds"
                break
            started = time.monotonic()
            odds = soak.rng.random()
            edits = edit_packs(packs, step, soak.rng, add=odds < 0.3, remove=odds > 0.7)
            reasons = concurrent_round(soak, packs, loaders, database)
            scenario.record(started, reasons, sorted(edits))
    return scenario


# ---------------------------------------------------------------- hostile archives


def hostile_checks(done: Finished, outside: Path) -> list[str]:
    reasons = []
    if done.code != 1 or done.error_codes() != ["pack.archive"]:
        reasons.append(f"exit {done.code}, errors {done.error_codes()}")
    if "Traceback" in done.stderr:
        reasons.append(f"traceback on stderr: {done.tail()}")
    if not untouched(outside):
        reasons.append(f"written outside: {sorted(p.name for p in outside.iterdir())}")
    if scratch_left(done.pid):
        reasons.append("scratch directory left behind")
    return reasons


def hostile(soak: Soak) -> Scenario:
    """Every hostile archive through validate and load (into an empty database)."""
    scenario = Scenario("hostile archives")
    say(f"{scenario.name}: {len(HOSTILE)} archives x validate, load")
    with soak.server.scratch("soak_hostile", soak.template) as database:
        conninfo = soak.server.conninfo(database)
        for build in HOSTILE:
            tmp = Path(tempfile.mkdtemp(prefix=f"{build.__name__}-", dir=soak.workdir))
            outside = outside_dir(tmp)
            archive = build(tmp, outside)
            started = time.monotonic()
            commands = (["validate", str(archive), "--output", "json"],
                        load_args([CORE_PACK_DIR, archive], conninfo))  # fmt: skip
            # Both at once: neither writes anything when the loader is right.
            procs = [LoaderProcess(*command) for command in commands]
            for command, proc in zip(commands, procs, strict=True):
                reasons = hostile_checks(proc.finish(), outside)
                if snapshot(conninfo):
                    reasons.append("rows were written")
                scenario.record(started, reasons, [command[0]])
    return scenario


# ---------------------------------------------------------------- the secret matrix

SENTINEL = "S3ntinel-Pa55w0rd"
SECRET_COMMANDS = ("load", "plan", "seed", "migrate", "status")
OUTPUTS = ("text", "json", "github")


def failing_urls(conninfo: str) -> dict[str, tuple[str, int, str]]:
    """name -> (URL holding the sentinel password, exit status, error code)."""
    missing = make_conninfo(conninfo, dbname="soak_no_such_database", password=SENTINEL)
    return {
        "malformed": (f"postgresql://u:{SENTINEL}@[::1/attune", 2, "settings.invalid"),
        "other scheme": (f"mysql://u:{SENTINEL}@localhost/attune", 2, "settings.invalid"),
        "driver scheme": (f"postgresql+psycopg2://u:{SENTINEL}@h/a", 2, "settings.invalid"),
        "unreachable": (f"postgresql://u:{SENTINEL}@127.0.0.1:1/a", 4, "database.unreachable"),
        "missing database": (missing, 4, "database.unreachable"),
    }


def secret_checks(done: Finished, output: str, exit_code: int, code: str) -> list[str]:
    reasons = []
    if SENTINEL in done.stdout + done.stderr:
        reasons.append("the password was printed")
    if "Traceback" in done.stderr:
        reasons.append(f"traceback on stderr: {done.tail()}")
    if done.code != exit_code:
        reasons.append(f"exit {done.code}, expected {exit_code}")
    report = done.report() if output == "json" else None
    if output == "json" and (report is None or (report.get("error") or {}).get("code") != code):
        reasons.append(f"no JSON report with error {code}")
    if output == "github" and f"::error title={code}::" not in done.stdout:
        reasons.append("no ::error annotation")
    return reasons


def secrets(soak: Soak) -> Scenario:
    """Failing URLs x commands x output modes: the exit status says what failed, and
    no output holds the password."""
    scenario = Scenario("secret matrix")
    urls = failing_urls(soak.server.conninfo("postgres"))
    say(f"{scenario.name}: {len(urls)} URLs x {len(SECRET_COMMANDS)} commands x 3 outputs")
    for name, (url, exit_code, code) in urls.items():
        for command in SECRET_COMMANDS:
            packs = [str(CORE_PACK_DIR)] if command in ("load", "plan") else []
            for output in OUTPUTS:
                started = time.monotonic()
                args = (command, *packs, "--database-url", url, "--output", output)
                done = LoaderProcess(*args).finish()
                reasons = secret_checks(done, output, exit_code, code)
                scenario.record(started, reasons, [name])
    return scenario


# ---------------------------------------------------------------- the whole soak


@contextmanager
def soak_world(
    database_url: str | None, components: int, seed: int, budget_s: float = 20 * 60.0
) -> Iterator[Soak]:
    """A prepared :class:`Soak` on ``database_url`` or on a cluster of its own;
    everything it made is dropped or deleted at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="attune-soak-"))
    # A directory of its own: as root, the server's OS user must be able to enter it.
    own = None if database_url else Path(tempfile.mkdtemp(prefix="attune-soak-pg-"))
    cluster = Cluster(own, fast=True) if own else None
    try:
        if cluster:
            say(f"starting a throw-away PostgreSQL cluster in {cluster.root}")
            cluster.ensure_started()
        server = SoakServer(database_url or (cluster.url("postgres") if cluster else ""))
        try:
            soak = Soak(server, server.migrated_template(), workdir, random.Random(seed), cluster)
            soak.budget_s = budget_s
            prepare(soak, components, seed)
            yield soak
        finally:
            server.drop_all()
    finally:
        if cluster:
            cluster.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(soak: Soak, args: argparse.Namespace) -> list[Scenario]:
    scenarios = sigkills(soak, args.kills)
    scenarios.append(restarts(soak, args.restarts))
    scenarios.append(terminations(soak, args.terminations))
    scenarios.append(concurrent(soak, args.rounds, args.loaders))
    scenarios.append(hostile(soak))
    scenarios.append(secrets(soak))
    return scenarios


def to_json(soak: Soak, scenarios: Sequence[Scenario], args: argparse.Namespace) -> dict[str, Any]:
    return {
        "params": {k: v for k, v in vars(args).items() if k not in ("json", "database_url")},
        "environment": {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": platform.python_version(),
            "cores": len(os.sched_getaffinity(0)),
            "server_version": soak.server.version(),
            "own_cluster": soak.cluster is not None,
        },
        "cases": {
            c.name: {"duration_s": round(c.duration_s, 3), "rows_after": len(c.after)}
            for c in soak.cases.values()
        },
        "scenarios": [s.to_json() for s in scenarios],
        "failures": sum(len(s.failures) for s in scenarios),
    }


COUNTS = (  # (flag, default, help) of the counts
    ("--kills", 20, "SIGKILLs per load case"),
    ("--restarts", 5, "server restarts"),
    ("--terminations", 5, "backend terminations"),
    ("--rounds", 10, "rounds of concurrent loaders"),
    ("--loaders", 8, "loaders per round"),
    ("--components", 300, "components per generated pack"),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description="Reliability soak of the pack loader."
    )
    for flag, default, what in COUNTS:
        parser.add_argument(
            flag, type=int, default=default, metavar="N", help=f"{what} ({default})"
        )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--minutes", type=float, default=20.0, help="time budget per scenario")
    parser.add_argument("--database-url", help="a superuser URL (default: a throw-away cluster)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.loaders < 2 or args.components < 20:
        parser.error("--loaders must be at least 2 and --components at least 20")
    started = time.monotonic()
    with soak_world(args.database_url, args.components, args.seed, args.minutes * 60) as soak:
        scenarios = run_all(soak, args)
        figures = to_json(soak, scenarios, args)
    figures["total_s"] = round(time.monotonic() - started, 1)
    print(table(scenarios))
    for s in scenarios:
        for reason in s.failures:
            print(f"FAIL {s.name}: {reason}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
