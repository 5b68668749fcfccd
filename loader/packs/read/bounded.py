"""Bytes to text: a bounded read of one file, and its decoding as UTF-8.

A file larger than the limit is refused before it is read, and a file that grows while
it is read is read no further than one byte past the limit. FIFOs and other special
files are refused without blocking.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loader.packs.model import Where
from loader.packs.read.limits import Limits
from loader.packs.read.messages import problem
from loader.report import codes
from loader.report.diagnostics import Diagnostic

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def read_bytes(path: Path, display: str, limits: Limits) -> bytes | Diagnostic:
    try:
        # Non-blocking, so that a FIFO is refused below instead of waiting for a writer;
        # fstat() then describes the very file that is read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return problem(
                    display,
                    codes.FILE_UNREADABLE,
                    "not a regular file",
                    "pack YAML files must be plain files",
                )
            if info.st_size > limits.max_bytes:
                return _too_large(display, info.st_size, limits)
            raw = read_open(fd, info.st_size, limits.max_bytes)
        finally:
            os.close(fd)
    except OSError as exc:
        return problem(
            display,
            codes.FILE_UNREADABLE,
            f"cannot read the file: {exc.strerror}",
            "check that the file exists and is readable",
        )
    return _too_large(display, len(raw), limits) if len(raw) > limits.max_bytes else raw


_GROWN_CHUNK = 64 * 1024


def read_open(fd: int, size: int, limit: int) -> bytes:
    """The bytes of an open file of ``size`` bytes, read on past ``size`` if it has
    grown, but not past one byte over ``limit``. Each read asks for what is expected:
    asking for the limit at once would allocate that much for every file."""
    raw = b""
    while len(raw) <= limit:
        if len(raw) <= size:
            wanted = size + 1 - len(raw)
        else:  # it has grown since fstat()
            wanted = min(_GROWN_CHUNK, limit + 1 - len(raw))
        chunk = os.read(fd, wanted)
        if not chunk:
            break
        raw += chunk
    return raw


def _too_large(display: str, size: int, limits: Limits) -> Diagnostic:
    message = (
        f"the file is {_size(size)}, more than the {_size(limits.max_bytes)} "
        "allowed for a pack YAML file"
    )
    return problem(
        display,
        codes.FILE_TOO_LARGE,
        message,
        "pack files describe components and are small; is this the right file?",
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} bytes"


def decode(raw: bytes, display: str) -> str | Diagnostic:
    if raw.startswith(_WIDE_BOMS):
        return problem(
            display,
            codes.YAML_ENCODING,
            "the file is UTF-16 or UTF-32 text",
            "save it as UTF-8",
            (1, 1),
        )
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return problem(
            display,
            codes.YAML_BINARY,
            f"the file holds binary data (a NUL byte at offset {nul})",
            "pack YAML files are text; is this the right file?",
            _byte_position(raw, nul),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return problem(
            display,
            codes.YAML_ENCODING,
            message,
            "save the file as UTF-8",
            _byte_position(raw, exc.start),
        )


def _byte_position(raw: bytes, offset: int) -> Where:
    """1-based line and column (in characters) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column
