"""Hostile input is refused quickly, with a clear message and no traceback."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from loader.packs.pipeline import check_packs
from loader.packs.read import Limits, parse_file
from loader.packs.read.bounded import read_open
from loader.report import codes
from loader.report.diagnostics import Diagnostic
from tests.helpers.packs import SCRIPT, under, write_pack

ACTION = "ref: demo.hello\nentry_point: {entry}\n"


@contextmanager
def fast() -> Iterator[None]:
    started = time.perf_counter()
    yield
    assert time.perf_counter() - started < 2.0


def _only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, diagnostics
    d = diagnostics[0]
    assert d.is_error and d.message and d.hint and "Traceback" not in d.message
    return d


def _check(pack: Path) -> list[Diagnostic]:
    with fast():
        result = check_packs([pack])
    return under(result, pack)


def test_alias_bomb(tmp_path: Path) -> None:
    """A billion-laughs file stops at the alias budget, at the alias that spends it."""
    lines = ["ref: demo.ping", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    pack = write_pack(tmp_path / "p", {"triggers/bomb.yaml": "\n".join(lines) + "\n"})
    d = _only(_check(pack))
    assert d.code == codes.YAML_ALIAS_BUDGET and d.line is not None and d.line > 2


def test_huge_file_is_not_read(tmp_path: Path) -> None:
    """A 20 MB file is refused from its size alone, in milliseconds."""
    pack = write_pack(tmp_path / "p", {})
    big = pack / "triggers" / "big.yaml"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024)  # sparse: the size is real, the bytes cost nothing
    started = time.perf_counter()
    d = parse_file(big, "big.yaml")
    assert time.perf_counter() - started < 0.05
    assert isinstance(d, Diagnostic) and d.code == codes.FILE_TOO_LARGE
    assert "20.0 MiB" in d.message
    assert _only(_check(pack)).code == codes.FILE_TOO_LARGE


def _read_with_stale_size(path: Path, limit: int) -> bytes:
    """Read ``path`` as if fstat() had said 10 bytes, before the file grew to what it holds."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return read_open(fd, 10, limit)
    finally:
        os.close(fd)


def test_file_growing_past_the_limit_is_cut_off(tmp_path: Path) -> None:
    """The size is checked on what is read too, not only on what fstat() said."""
    path = tmp_path / "f.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    d = parse_file(path, "f.yaml", Limits(max_bytes=1000))
    assert isinstance(d, Diagnostic) and d.code == codes.FILE_TOO_LARGE
    assert len(_read_with_stale_size(path, 1000)) == 1001  # one byte over: too large


def test_file_grown_since_stat_is_read_whole(tmp_path: Path) -> None:
    """A file that grew after fstat() but stays within the limit is read to its end."""
    path = tmp_path / "f.yaml"
    path.write_text("a: " + "x" * 500 + "\n")
    assert _read_with_stale_size(path, 1000) == path.read_bytes()


@pytest.mark.parametrize("depth", [65, 10_000, 400_000])
def test_deep_nesting(tmp_path: Path, depth: int) -> None:
    """Deep ``[[[[...`` is refused at the depth limit, never reaching a recursion."""
    text = "ref: demo.ping\nexamples: " + "[" * depth + "]" * depth + "\n"
    pack = write_pack(tmp_path / "p", {"triggers/deep.yaml": text})
    d = _only(_check(pack))
    assert d.code == codes.YAML_TOO_DEEP and (d.line, d.column) == (2, 74)


def test_deep_block_nesting(tmp_path: Path) -> None:
    """Nesting by indentation is bounded the same way."""
    text = "ref: demo.ping\nexamples:\n" + "".join(f"{'  ' * i}- k{i}:\n" for i in range(1, 80))
    pack = write_pack(tmp_path / "p", {"triggers/deep.yaml": text})
    assert _only(_check(pack)).code == codes.YAML_TOO_DEEP


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("ref: demo.ping\nparameters:\n\ttype: object\n", codes.YAML_TAB, (3, 1)),
        (b"ref: demo.ping\n\x00\x01\x02\xff\xfe", codes.YAML_BINARY, (2, 1)),
        (b"ref: demo.ping\nlabel: \xff\xfe\n", codes.YAML_ENCODING, (2, 8)),
        ("ref: demo.ping\nlabel: a\nlabel: b\n", codes.YAML_DUPLICATE_KEY, (3, 1)),
        ("ref: demo.ping\nx: !!python/object/apply:os.system [ls]\n", codes.YAML_TAG, (2, 4)),
        ("ref: demo.ping\nx: !!python/name:os.system\n", codes.YAML_TAG, (2, 4)),
    ],
    ids=["tab", "binary", "not-utf8", "duplicate-key", "python-apply", "python-name"],
)
def test_refused_content(
    tmp_path: Path, content: str | bytes, code: str, where: tuple[int, int]
) -> None:
    """Tabs, binary data, bad bytes, duplicate keys and Python tags: each one refusal
    at its place."""
    pack = write_pack(tmp_path / "p", {"triggers/bad.yaml": content})
    d = _only(_check(pack))
    assert (d.code, (d.line, d.column)) == (code, where)


@pytest.mark.parametrize(
    ("entry", "code"),
    [("../../etc/passwd", codes.SCHEMA_FORMAT), ("/etc/passwd", codes.SCHEMA_FORMAT)],
)
def test_entry_point_outside_by_name(tmp_path: Path, entry: str, code: str) -> None:
    """An entry_point climbing out or absolute is refused before the disk is looked at."""
    pack = write_pack(tmp_path / "p", {"actions/hello.yaml": ACTION.format(entry=entry)})
    d = _only(_check(pack))
    assert d.code == code and entry in d.message and (d.line, d.column) == (2, 14)


def test_entry_point_symlink_escaping(tmp_path: Path) -> None:
    """A symlink inside the pack that leads outside it is refused."""
    pack = write_pack(tmp_path / "p", {"actions/hello.yaml": ACTION.format(entry="hello.sh")})
    outside = write_pack(tmp_path / "elsewhere", {"secret.sh": SCRIPT}, manifest=False)
    os.symlink(outside / "secret.sh", pack / "actions" / "hello.sh")
    d = _only(_check(pack))
    assert d.code == codes.PATH_ESCAPES and "outside the pack" in d.message


def test_entry_point_symlink_inside_is_fine(tmp_path: Path) -> None:
    """A symlink that stays inside the pack is accepted."""
    files = {"actions/hello.yaml": ACTION.format(entry="hello.sh"), "lib/real.sh": SCRIPT}
    pack = write_pack(tmp_path / "p", files)
    os.symlink(pack / "lib" / "real.sh", pack / "actions" / "hello.sh")
    assert _check(pack) == []


def test_yaml_file_symlink_escaping(tmp_path: Path) -> None:
    """A component file that is a symlink to a file outside the pack is not read."""
    pack = write_pack(tmp_path / "p", {})
    outside = write_pack(tmp_path / "elsewhere", {"t.yaml": "ref: demo.ping\n"}, manifest=False)
    (pack / "triggers").mkdir()
    os.symlink(outside / "t.yaml", pack / "triggers" / "ping.yaml")
    assert _only(_check(pack)).code == codes.FILE_OUTSIDE_PACK


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    """A named pipe in a kind folder is refused without being opened (which would block)."""
    pack = write_pack(tmp_path / "p", {})
    (pack / "triggers").mkdir()
    os.mkfifo(pack / "triggers" / "pipe.yaml")
    assert _only(_check(pack)).code == codes.FILE_UNREADABLE
