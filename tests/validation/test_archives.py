"""Hostile pack archives: nothing is written outside the scratch directory, whatever
the archive holds, and each is refused as one located error, for validate and load."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import psycopg
import pytest

from bench.hostile_archives import (
    HOSTILE,
    Build,
    chained_symlinks_long_path,
    manifest,
    member,
    outside_dir,
    tar_archive,
    untouched,
)
from loader import CORE_PACK_DIR, PROJECT_ROOT
from loader.api import load_packs, validate_packs
from loader.database.conn import Conn
from loader.packs.archives import SCRATCH_PREFIX, sweep_stale_scratch
from loader.report import Report
from tests.helpers.db import count_rows
from tests.helpers.packs import demo_pack


def _untouched(outside: Path) -> None:
    assert untouched(outside), sorted(p.name for p in outside.iterdir())


def _scratch_dirs() -> set[str]:
    """This process's scratch directories (other test workers make their own)."""
    pattern = f"{_stem()}-{os.getpid()}-*"
    return {p.name for p in Path(tempfile.gettempdir()).glob(pattern)}


def _refused(report: Report) -> None:
    assert [d.code for d in report.errors] == ["pack.archive"], report.errors
    assert report.errors[0].hint


@pytest.mark.parametrize("build", HOSTILE, ids=lambda b: b.__name__)
def test_validate_refuses_hostile_archive(tmp_path: Path, build: Build) -> None:
    """validate: the archive is one pack.archive error and nothing lands outside."""
    outside = outside_dir(tmp_path)
    before = _scratch_dirs()
    _refused(validate_packs([build(tmp_path, outside)]))
    _untouched(outside)
    assert _scratch_dirs() <= before


@pytest.mark.parametrize("build", HOSTILE, ids=lambda b: b.__name__)
def test_load_refuses_hostile_archive(
    tmp_path: Path, build: Build, database_url: str, conn: Conn
) -> None:
    """load: refused before anything reaches the database, and nothing lands outside."""
    outside = outside_dir(tmp_path)
    _refused(load_packs([CORE_PACK_DIR, build(tmp_path, outside)], database_url=database_url))
    _untouched(outside)
    assert count_rows(conn) == 0


def test_validate_cli_refuses_the_long_path_chain(tmp_path: Path) -> None:
    """Through the real command: exit 1, the error names the archive's first link."""
    outside = outside_dir(tmp_path)
    archive = chained_symlinks_long_path(tmp_path, outside)
    done = subprocess.run(
        [sys.executable, "-m", "loader", "validate", str(archive), "--output", "json"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    (error,) = json.loads(done.stdout)["diagnostics"]
    assert error["code"] == "pack.archive" and "symbolic link" in error["message"]
    assert "Traceback" not in done.stderr
    _untouched(outside)


def _gzip_bomb(path: Path, header: bytes, expanded: int) -> Path:
    """A gzip stream of ``header`` then ``expanded`` zero bytes, as repeated gzip
    members (a valid multi-member stream), so building it costs almost nothing."""
    block = gzip.compress(bytes(16 << 20), compresslevel=9)
    with open(path, "wb") as out:
        out.write(gzip.compress(header))
        for _ in range(expanded // (16 << 20)):
            out.write(block)
    return path


def test_tar_bomb_stops_while_streaming(tmp_path: Path) -> None:
    """A 2 MB .tar.gz that expands to 2 GiB is refused at the 200 MiB budget, long
    before it could all be decompressed (about 10 s on this machine kind)."""
    big = tarfile.TarInfo("demo/big.bin")
    big.size = 2 << 30
    archive = _gzip_bomb(tmp_path / "bomb.tar.gz", big.tobuf(tarfile.PAX_FORMAT), 2 << 30)
    assert archive.stat().st_size < 4 << 20
    started = time.monotonic()
    report = validate_packs([archive])
    assert time.monotonic() - started < 5
    _refused(report)
    assert "more than 200 MiB" in report.errors[0].message


def test_tar_header_bomb_stops_while_streaming(tmp_path: Path) -> None:
    """A pax header that claims gigabytes of long name is refused by the stream budget."""
    header = tarfile.TarInfo("demo/x")
    header.type = tarfile.XHDTYPE
    header.size = 2 << 30
    archive = _gzip_bomb(tmp_path / "pax.tar.gz", header.tobuf(tarfile.USTAR_FORMAT), 1 << 30)
    started = time.monotonic()
    report = validate_packs([archive])
    assert time.monotonic() - started < 5
    _refused(report)


def test_zip_bomb_stops_at_the_budget(tmp_path: Path) -> None:
    """A member whose header claims 1 KiB but which inflates to 300 MiB stops at 200."""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("demo/pack.yaml", "ref: demo\nlabel: Demo\nversion: 1.0.0\n")
        with zf.open("demo/big.bin", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(300):
                member.write(chunk)
    started = time.monotonic()
    report = validate_packs([archive])
    assert time.monotonic() - started < 5
    _refused(report)


def test_corrupt_gzip_is_a_diagnostic(tmp_path: Path) -> None:
    """A truncated .tar.gz is reported as unreadable, not raised."""
    good = tar_archive(tmp_path / "good.tar.gz", [manifest()])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[:-12])
    report = validate_packs([cut])
    _refused(report)
    assert "cannot read archive" in report.errors[0].message


def test_member_twice_and_file_as_folder_are_refused(tmp_path: Path) -> None:
    """A member that appears twice, or a file used as a folder, is refused by name."""
    twice = tar_archive(tmp_path / "twice.tar.gz", [manifest(), manifest()])
    report = validate_packs([twice])
    _refused(report)
    assert "more than once" in report.errors[0].message
    folder = tar_archive(
        tmp_path / "folder.tar.gz",
        [manifest(), (member("demo/pack.yaml/inner.yaml"), b"x: 1\n")],
    )
    report = validate_packs([folder])
    _refused(report)
    assert "holds as a file" in report.errors[0].message


def test_clean_archive_keeps_executable_bits(tmp_path: Path, database_url: str) -> None:
    """A normal archive still loads; a script's executable bit survives extraction."""
    demo = demo_pack(tmp_path)
    archive = tmp_path / "demo.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(demo, arcname="demo")
    report = load_packs([CORE_PACK_DIR, archive], database_url=database_url)
    assert report.applied and not report.errors, report.errors


def test_stale_scratch_of_a_dead_process_is_swept(tmp_path: Path) -> None:
    """A scratch directory whose process is gone is removed; a live one's is kept."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stem = _stem()
        left = tmp_path / f"{stem}-{dead.pid}-abc"
        kept = tmp_path / f"{stem}-{alive.pid}-abc"
        for directory in (left, kept):
            (directory / "0" / "demo").mkdir(parents=True)
        assert sweep_stale_scratch(tmp_path) == [left]
        assert kept.exists() and not left.exists()
    finally:
        alive.kill()
        alive.wait()


def _stem() -> str:
    return f"{SCRATCH_PREFIX}{os.stat('/proc/self/ns/pid').st_ino}"


def test_sigkill_leftovers_are_swept_and_sigterm_cleans_up(
    tmp_path: Path, database_url: str
) -> None:
    """A load killed with SIGKILL leaves its scratch behind, the next run removes it;
    SIGTERM ends a load (here waiting for a pack lock) cleanly, removing its own."""
    demo = demo_pack(tmp_path)
    archive = tmp_path / "demo.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(demo, arcname="demo")
    with psycopg.connect(database_url) as holder:
        holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ("attune.pack:demo",)
        )
        killed = _waiting_load(archive, database_url)
        scratch = _scratch_of(killed.pid)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert scratch.exists()
        validate_packs([archive])
        assert not scratch.exists()
        termed = _waiting_load(archive, database_url)
        scratch = _scratch_of(termed.pid)
        termed.send_signal(signal.SIGTERM)
        _, err = termed.communicate(timeout=30)
        assert termed.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        assert not scratch.exists()


def _waiting_load(archive: Path, database_url: str) -> subprocess.Popen[str]:
    command = ["-m", "loader", "load", str(CORE_PACK_DIR), str(archive), "--no-cache"]
    return subprocess.Popen(
        [sys.executable, *command, "--database-url", database_url, "--lock-timeout", "60"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _scratch_of(pid: int) -> Path:
    """The scratch directory of process ``pid``, once its archive is extracted and it
    is waiting for the pack lock (its backend shows up waiting on an advisory lock)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = list(Path(tempfile.gettempdir()).glob(f"{_stem()}-{pid}-*"))
        if found and any((found[0] / "1").glob("demo/pack.yaml")):
            time.sleep(0.5)  # the lock request follows the extraction
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"process {pid} made no scratch directory")
