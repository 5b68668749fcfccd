"""Hostile pack archives: nothing is written outside the scratch directory, whatever
the archive holds, and each is refused as one located error, for validate and load."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from loader import CORE_PACK_DIR, PROJECT_ROOT
from loader.api import load_packs, validate_packs
from loader.database.conn import Conn
from loader.packs.archives import SCRATCH_PREFIX, sweep_stale_scratch
from loader.report import Report
from tests.helpers.db import count_rows
from tests.helpers.packs import demo_pack

Build = Callable[[Path, Path], Path]  # (tmp_path, outside) -> archive


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o755 if kind in (tarfile.DIRTYPE, tarfile.SYMTYPE) else 0o644
    return info


def _manifest() -> tuple[tarfile.TarInfo, bytes]:
    return _member("demo/pack.yaml"), b"ref: demo\nlabel: Demo\nversion: 1.0.0\n"


def _zip(path: Path, members: list[tuple[str, int, bytes]]) -> Path:
    """Members as (name, st_mode for external_attr, data)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demo/pack.yaml", "ref: demo\nlabel: Demo\nversion: 1.0.0\n")
        for name, mode, data in members:
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # unix, so external_attr carries st_mode
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def chained_symlinks_long_path(tmp: Path, outside: Path) -> Path:
    """The CVE-2025-4517 shape: symlinks to ever deeper folders of long names, so the
    joined path passes PATH_MAX and a path check resolves it wrongly; a last link
    climbs back out and a file is written through it."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = [_manifest()]
    long_name, path, steps = "d" * 247, "", "abcdefghijklmnop"
    for step in steps:
        members.append((_member(f"{path}{long_name}", tarfile.DIRTYPE), None))
        members.append((_member(f"{path}{step}", tarfile.SYMTYPE, long_name), None))
        path += f"{long_name}/"
    climb = "/".join(steps) + "/" + "l" * 254
    members.append((_member(climb, tarfile.SYMTYPE, "../" * len(steps)), None))
    escape_to = f"{climb}/" + "../" * len(outside.parts) + str(outside).lstrip("/")
    members.append((_member("escape", tarfile.SYMTYPE, escape_to), None))
    members.append((_member("escape/evil.sh"), b"#!/bin/sh\necho owned\n"))
    return _tar(tmp / "cve-2025-4517.tar.gz", members)


def chained_symlinks(tmp: Path, outside: Path) -> Path:
    """Links that each look harmless (one level up at most) but chain out of the pack."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = [_manifest()]
    members.append((_member("demo/a", tarfile.DIRTYPE), None))
    members.append((_member("demo/a/up", tarfile.SYMTYPE, ".."), None))
    members.append((_member("demo/up", tarfile.SYMTYPE, "a/up/.."), None))
    climb = "up/" * 40 + str(outside).lstrip("/")
    members.append((_member("demo/out", tarfile.SYMTYPE, climb), None))
    members.append((_member("demo/out/evil.sh"), b"owned\n"))
    return _tar(tmp / "chained.tar.gz", members)


def hard_link(tmp: Path, outside: Path) -> Path:
    target = outside / "victim.txt"
    target.write_text("keep me\n")
    members = [_manifest(), (_member("demo/victim", tarfile.LNKTYPE, str(target)), None)]
    members.append((_member("demo/victim"), b"overwritten\n"))
    return _tar(tmp / "hardlink.tar.gz", members)


def character_device(tmp: Path, outside: Path) -> Path:
    device = _member("demo/null", tarfile.CHRTYPE)
    device.devmajor, device.devminor = 1, 3
    return _tar(tmp / "device.tar.gz", [_manifest(), (device, None)])


def fifo(tmp: Path, outside: Path) -> Path:
    return _tar(tmp / "fifo.tar.gz", [_manifest(), (_member("demo/pipe", tarfile.FIFOTYPE), None)])


def dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo/" + "../" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return _tar(tmp / "dotdot.tar.gz", [_manifest(), (_member(climb), b"owned\n")])


def absolute(tmp: Path, outside: Path) -> Path:
    return _tar(tmp / "absolute.tar.gz", [_manifest(), (_member(str(outside / "evil.sh")), b"x")])


def zip_symlink(tmp: Path, outside: Path) -> Path:
    return _zip(tmp / "link.zip", [("demo/out", stat.S_IFLNK | 0o777, str(outside).encode())])


def zip_device(tmp: Path, outside: Path) -> Path:
    return _zip(tmp / "device.zip", [("demo/null", stat.S_IFCHR | 0o644, b"")])


def zip_fifo(tmp: Path, outside: Path) -> Path:
    return _zip(tmp / "fifo.zip", [("demo/pipe", stat.S_IFIFO | 0o644, b"")])


def zip_dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo/" + "../" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return _zip(tmp / "dotdot.zip", [(climb, stat.S_IFREG | 0o644, b"owned\n")])


def zip_backslash_dot_dot(tmp: Path, outside: Path) -> Path:
    climb = "demo\\" + "..\\" * (len(tmp.parts) + 2) + str(outside / "evil.sh").lstrip("/")
    return _zip(tmp / "backslash.zip", [(climb, stat.S_IFREG | 0o644, b"owned\n")])


def zip_absolute(tmp: Path, outside: Path) -> Path:
    return _zip(tmp / "absolute.zip", [(str(outside / "evil.sh"), stat.S_IFREG | 0o644, b"x")])


HOSTILE: list[Build] = [
    chained_symlinks_long_path,
    chained_symlinks,
    hard_link,
    character_device,
    fifo,
    dot_dot,
    absolute,
    zip_symlink,
    zip_device,
    zip_fifo,
    zip_dot_dot,
    zip_backslash_dot_dot,
    zip_absolute,
]


def _outside(tmp: Path) -> Path:
    outside = tmp / "outside"
    outside.mkdir()
    return outside


def _untouched(outside: Path) -> None:
    entries = {p.name: p.read_bytes() for p in outside.iterdir()}
    assert entries in ({}, {"victim.txt": b"keep me\n"}), entries


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
    outside = _outside(tmp_path)
    before = _scratch_dirs()
    _refused(validate_packs([build(tmp_path, outside)]))
    _untouched(outside)
    assert _scratch_dirs() <= before


@pytest.mark.parametrize("build", HOSTILE, ids=lambda b: b.__name__)
def test_load_refuses_hostile_archive(
    tmp_path: Path, build: Build, database_url: str, conn: Conn
) -> None:
    """load: refused before anything reaches the database, and nothing lands outside."""
    outside = _outside(tmp_path)
    _refused(load_packs([CORE_PACK_DIR, build(tmp_path, outside)], database_url=database_url))
    _untouched(outside)
    assert count_rows(conn) == 0


def test_validate_cli_refuses_the_long_path_chain(tmp_path: Path) -> None:
    """Through the real command: exit 1, the error names the archive's first link."""
    outside = _outside(tmp_path)
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
    good = _tar(tmp_path / "good.tar.gz", [_manifest()])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[:-12])
    report = validate_packs([cut])
    _refused(report)
    assert "cannot read archive" in report.errors[0].message


def test_member_twice_and_file_as_folder_are_refused(tmp_path: Path) -> None:
    """A member that appears twice, or a file used as a folder, is refused by name."""
    twice = _tar(tmp_path / "twice.tar.gz", [_manifest(), _manifest()])
    report = validate_packs([twice])
    _refused(report)
    assert "more than once" in report.errors[0].message
    folder = _tar(
        tmp_path / "folder.tar.gz",
        [_manifest(), (_member("demo/pack.yaml/inner.yaml"), b"x: 1\n")],
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
