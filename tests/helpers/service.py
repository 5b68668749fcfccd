"""The service under test: a real server process and an HTTP client for it, pack
archives as request bodies (clean and hostile), and the database waits the fault
tests need."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.service_process import ServiceProcess, wait_for
from loader import PROJECT_ROOT
from loader.database.conn import Conn

TOKEN = "service-test-token-0123456789"
PACKS_ROOT = PROJECT_ROOT / "packs"
MANIFEST = b"ref: demo\nlabel: Demo\nversion: 1.0.0\n"


@dataclass
class Served:
    process: ServiceProcess
    client: httpx.Client  # sends the token

    def anonymous(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.process.url, timeout=60, **options)  # type: ignore[arg-type]


Start = Callable[..., Served]  # the start_service fixture


def tar_gz(root: Path, name: str | None = None) -> bytes:
    """The pack directory ``root`` as a .tar.gz, under its own folder name."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        tar.add(root, arcname=name or root.name)
    return out.getvalue()


Member = tuple[str, bytes, str, bytes]  # name, tar type, link target, content


def hostile_tar(members: list[Member]) -> bytes:
    """A .tar.gz of demo/pack.yaml and ``members``, written as given, unchecked."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, link, data in [("demo/pack.yaml", tarfile.REGTYPE, "", MANIFEST), *members]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, link, len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def hostile_zip(name: str, mode: int, data: bytes) -> bytes:
    """A .zip of demo/pack.yaml and one member of st_mode ``mode``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("demo/pack.yaml", MANIFEST)
        info = zipfile.ZipInfo(name)
        info.create_system = 3  # unix: external_attr carries st_mode
        info.external_attr = (mode or stat.S_IFREG | 0o644) << 16
        zf.writestr(info, data)
    return out.getvalue()


def hostile_archives(outside: Path) -> dict[str, bytes]:
    """Archives that try to write into ``outside`` or past the budgets, by name."""
    climb = "../" * 12 + str(outside).lstrip("/") + "/evil.sh"
    return {
        "symlink-out.tar.gz": hostile_tar([
            ("demo/out", tarfile.SYMTYPE, str(outside), b""),
            ("demo/out/evil.sh", tarfile.REGTYPE, "", b"owned\n"),
        ]),
        "hardlink.tar.gz": hostile_tar([("demo/x", tarfile.LNKTYPE, str(outside / "x"), b"")]),
        "absolute.tar.gz": hostile_tar([(str(outside / "evil.sh"), tarfile.REGTYPE, "", b"x")]),
        "dotdot.zip": hostile_zip("demo/" + climb, 0, b"owned\n"),
        "symlink.zip": hostile_zip("demo/out", stat.S_IFLNK | 0o777, str(outside).encode()),
        "members-bomb.tar.gz": hostile_tar(
            [(f"demo/f{i}", tarfile.REGTYPE, "", b"") for i in range(10_001)]
        ),
    }  # fmt: skip


def lock_waiters(conn: Conn) -> list[int]:
    """Backends of this database waiting for an advisory lock (a pack lock)."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    ).fetchall()
    return [int(r[0]) for r in rows]


def wait_for_lock_waiters(conn: Conn, count: int = 1) -> list[int]:
    return list(
        wait_for(lambda: (w := lock_waiters(conn)) and len(w) >= count and w, 60, "a lock wait")
    )


def hold_pack_lock(conn: Conn, pack: str) -> None:
    """Take the pack's loader lock in ``conn``'s open transaction (as a loader would)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"attune.pack:{pack}",))
