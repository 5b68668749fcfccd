"""The loader as a process: exit codes, JSON output, crashes and concurrency."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import psycopg

from loader import CORE_PACK_DIR, PROJECT_ROOT
from loader.api import load_packs
from loader.database.conn import Conn
from tests.helpers.cli import cli_command, run_cli, run_python
from tests.helpers.db import count_rows, refs, row_versions
from tests.helpers.packs import DEMO_FILES, demo_pack


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``attune-loader ARGS``."""
    return run_cli(*args, env=env)


def _load_pack(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``load-pack ARGS``, through the console script's own entry function."""
    return run_python(
        "-c", "from loader.cli import load_pack_main; load_pack_main()", *args, env=env
    )


def test_load_pack_json_report_and_reload(database_url: str) -> None:
    """load-pack --output json prints the versioned report; a reload reports 0 changes."""
    first = _load_pack(str(CORE_PACK_DIR), "--database-url", database_url, "--output", "json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["format_version"] == 1 and report["applied"] is True
    assert report["counts"]["runtime"]["create"] == 5
    second = _load_pack(str(CORE_PACK_DIR), "--database-url", database_url, "--output", "json")
    again = json.loads(second.stdout)
    assert again["summary"]["changes"] == 0 and again["applied"] is False


def test_exit_codes_for_invalid_conflict_and_pending(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Invalid input exits 1, a conflict 5, plan --detailed-exitcode 3 then 0."""
    bad = demo_pack(tmp_path, {"rules/greet.yaml": "ref: demo.greet\n"}, name="bad")
    bad_pack = bad.parent / "bad"
    (bad_pack / "pack.yaml").write_text(DEMO_FILES["pack.yaml"].replace("ref: demo", "ref: bad"))
    assert (
        _cli("load", str(CORE_PACK_DIR), str(bad), "--database-url", database_url).returncode == 1
    )
    demo = demo_pack(tmp_path)
    pending = _cli(
        "plan", str(CORE_PACK_DIR), str(demo), "--database-url", database_url, "--detailed-exitcode"
    )
    assert pending.returncode == 3, pending.stderr
    assert (
        _cli("load", str(CORE_PACK_DIR), str(demo), "--database-url", database_url).returncode == 0
    )
    clean = _cli(
        "plan", str(CORE_PACK_DIR), str(demo), "--database-url", database_url, "--detailed-exitcode"
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    conn.execute("UPDATE attune.action SET pack_ref = 'core' WHERE ref = 'demo.hello'")
    conflict = _cli("load", str(CORE_PACK_DIR), str(demo), "--database-url", database_url)
    assert conflict.returncode == 5
    assert "conflict.other-pack" in conflict.stdout + conflict.stderr


def test_sigkill_mid_apply_leaves_database_unchanged(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """A loader killed while writing commits nothing."""
    demo = demo_pack(tmp_path)
    blocker = psycopg.connect(database_url)
    # The loader writes packs, runtimes and triggers, then waits here for actions.
    blocker.execute("LOCK TABLE attune.action IN SHARE ROW EXCLUSIVE MODE")
    proc = subprocess.Popen(
        cli_command(
            "load",
            str(CORE_PACK_DIR),
            str(demo),
            "--database-url",
            database_url,
            "--lock-timeout",
            "120",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT_ROOT,
    )
    try:
        backend = _wait_for_lock_waiter(conn)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    _wait_until_gone(conn, backend)
    assert count_rows(conn) == 0


def _wait_for_lock_waiter(conn: Conn) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO%%action%%'"
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.05)
    raise AssertionError("the loader never reached the action insert")


def _wait_until_gone(conn: Conn, pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} did not end")


def test_eight_concurrent_loaders_of_overlapping_packs(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Eight processes loading overlapping pack sets all succeed, with no duplicates."""
    demo = demo_pack(tmp_path)
    other_files = {
        "pack.yaml": "ref: other\nlabel: Other\nversion: 2.0.0\n",
        "rules/greet.yaml": DEMO_FILES["rules/greet.yaml"].replace("demo.greet", "other.greet"),
    }
    other = tmp_path / "other"
    for rel, text in other_files.items():
        (other / rel).parent.mkdir(parents=True, exist_ok=True)
        (other / rel).write_text(text.replace("\n        ", "\n").strip() + "\n")
    sets = [[CORE_PACK_DIR], [CORE_PACK_DIR, demo], [CORE_PACK_DIR, demo, other]]
    rng = random.Random(7)
    chosen = [sets[i % 3] for i in range(8)]
    rng.shuffle(chosen)
    procs = [
        subprocess.Popen(
            cli_command(
                "load",
                *map(str, paths),
                "--database-url",
                database_url,
                "--output",
                "json",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        for paths in chosen
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, results
    assert refs(conn, "pack") == ["core", "demo", "other"]
    assert refs(conn, "rule") == ["demo.greet", "other.greet"]
    assert len(refs(conn, "runtime")) == 5
    created = sum(json.loads(out)["summary"]["changes"] for out, _ in results)
    assert created == count_rows(conn)  # each row was written by exactly one loader
    before = row_versions(conn)
    assert load_packs([CORE_PACK_DIR, demo, other], database_url=database_url).pending == []
    assert row_versions(conn) == before


def test_hook_api_refuses_hostile_archives(tmp_path: Path, database_url: str, conn: Conn) -> None:
    """Archives with escaping paths or links are refused; a clean one loads."""
    demo = demo_pack(tmp_path)
    escaping = tmp_path / "escape.tar.gz"
    with tarfile.open(escaping, "w:gz") as tar:
        tar.add(demo, arcname="demo")
        info = tarfile.TarInfo("demo/../../evil.sh")
        info.size = 0
        tar.addfile(info)
    linking = tmp_path / "link.zip"
    with zipfile.ZipFile(linking, "w") as zf:
        for path in demo.rglob("*"):
            if path.is_file():
                zf.write(path, Path("demo") / path.relative_to(demo))
        link = zipfile.ZipInfo("demo/actions/passwd")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    for archive in (escaping, linking):
        report = load_packs([CORE_PACK_DIR, archive], database_url=database_url)
        assert [d.code for d in report.errors] == ["pack.archive"], report.errors
        assert count_rows(conn) == 0
    assert not (tmp_path.parent / "evil.sh").exists()
    clean = tmp_path / "demo.tar.gz"
    with tarfile.open(clean, "w:gz") as tar:
        tar.add(demo, arcname="demo")
    assert load_packs([CORE_PACK_DIR, clean], database_url=database_url).applied


def test_seed_migrates_then_loads_core_idempotently(empty_database_url: str) -> None:
    """attune-loader seed brings an empty database to the schema plus the core pack."""
    first = _cli("seed", "--database-url", empty_database_url, "--output", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["applied"] is True
    second = _cli("seed", "--database-url", empty_database_url, "--output", "json")
    assert json.loads(second.stdout)["summary"]["changes"] == 0


def test_main_job_on_the_embedded_default(tmp_path: Path) -> None:
    """With nothing configured, load-pack starts, migrates and fills the embedded cluster."""
    state = Path(f"/tmp/attune-embedded-test-{os.getpid()}")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    env["ATTUNE_LOADER_STATE_DIR"] = str(state)
    try:
        first = _load_pack("packs/core", env=env)
        assert first.returncode == 0, first.stderr
        assert "loaded core" in first.stdout
        second = _load_pack("packs/core", env=env)
        assert "up to date, 0 changes" in second.stdout
    finally:
        _cli("db", "stop", env=env)
        subprocess.run(["rm", "-rf", str(state)], check=False)
