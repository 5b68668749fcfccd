"""A request's packs and options: archives in the body (raw, or several as
multipart) written into the request's scratch directory, or a JSON list of
server-side pack directories that must lie under an allow-listed root."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from starlette.datastructures import UploadFile
from starlette.requests import Request

from loader.packs.archives import ARCHIVE_SUFFIXES
from loader.report import AbsentPolicy, Report

MAX_ARCHIVES = 100  # archives in one multipart request
_RAW_TYPES = frozenset(
    {"", "application/gzip", "application/x-gzip", "application/x-compressed-tar",
     "application/zip", "application/octet-stream"}
)  # fmt: skip
_ZIP_MAGIC = b"PK\x03\x04"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
MAX_LOCK_TIMEOUT_S = 3600.0


class Refused(Exception):
    """A request the service answers with an error object, before any run."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.hint = status, code, hint


@dataclass(frozen=True)
class Options:
    absent: AbsentPolicy = AbsentPolicy.REMOVE
    dry_run: bool = False
    strict: bool = False
    lock_timeout_s: float | None = None  # None: the service's default


# The options each command takes; any other is refused, so a typo never goes unnoticed.
OPTIONS_OF = {
    "validate": frozenset({"strict"}),
    "plan": frozenset({"absent", "strict", "lock_timeout"}),
    "load": frozenset({"absent", "dry_run", "strict", "lock_timeout"}),
}


@dataclass(frozen=True)
class Packs:
    paths: list[Path]
    options: Options


async def read_packs(
    request: Request, command: str, scratch: Path, roots: tuple[Path, ...]
) -> Packs:
    """The packs and options of a request to ``command``; uploads go under ``scratch``."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    given: dict[str, Any] = dict(request.query_params)
    if media == "application/json":
        paths, fields = await _directories(request, roots)
    elif media == "multipart/form-data":
        paths, fields = await _parts(request, scratch)
    elif media in _RAW_TYPES:
        paths, fields = [await _save(_chunks(request), scratch / "0", "pack")], {}
    else:
        raise Refused(
            415, "unsupported_media_type", f"cannot take a body of type {media}",
            "send a .tar.gz or .zip archive, multipart/form-data, or a JSON list of directories",
        )  # fmt: skip
    twice = sorted(given.keys() & fields.keys())
    if twice:
        raise Refused(400, "bad_request", f"option(s) given twice: {', '.join(twice)}")
    if not paths:
        raise Refused(400, "bad_request", "no packs given")
    return Packs(paths, parse_options(command, given | fields))


def parse_options(command: str, raw: Mapping[str, Any]) -> Options:
    unknown = sorted(raw.keys() - OPTIONS_OF[command])
    if unknown:
        allowed = ", ".join(sorted(OPTIONS_OF[command]))
        raise Refused(
            400, "bad_request", f"unknown option(s) for {command}: {', '.join(unknown)}",
            f"{command} takes: {allowed}",
        )  # fmt: skip
    options = Options()
    if "absent" in raw:
        try:
            options = dataclasses.replace(options, absent=AbsentPolicy(raw["absent"]))
        except ValueError:
            choices = ", ".join(p.value for p in AbsentPolicy)
            raise Refused(400, "bad_request", f"absent must be one of {choices}") from None
    if "dry_run" in raw:
        options = dataclasses.replace(options, dry_run=_flag("dry_run", raw["dry_run"]))
    if "strict" in raw:
        options = dataclasses.replace(options, strict=_flag("strict", raw["strict"]))
    if "lock_timeout" in raw:
        options = dataclasses.replace(options, lock_timeout_s=_seconds(raw["lock_timeout"]))
    return options


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise Refused(400, "bad_request", f"{name} must be true or false")


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not 0 < seconds <= MAX_LOCK_TIMEOUT_S:
        limit = f"{MAX_LOCK_TIMEOUT_S:g}"
        raise Refused(400, "bad_request", f"lock_timeout must be seconds above 0, at most {limit}")
    return seconds


async def _directories(
    request: Request, roots: tuple[Path, ...]
) -> tuple[list[Path], dict[str, Any]]:
    """``["core", ...]`` or ``{"paths": [...], option: value, ...}``."""
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "bad_request", f"the body is not JSON: {exc}") from None
    fields = body if isinstance(body, dict) else {"paths": body}
    paths = fields.pop("paths", None)
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise Refused(400, "bad_request", "paths must be a list of strings")
    return [server_directory(p, roots) for p in paths], fields


def server_directory(given: str, roots: tuple[Path, ...]) -> Path:
    """``given`` (absolute, or relative to the first root holding it), resolved, links
    included, and inside one of ``roots``."""
    if not roots:
        raise Refused(
            403, "forbidden_path", "this service takes no server-side pack directories",
            "send the packs as archives, or start the service with --pack-root",
        )  # fmt: skip
    candidates = [Path(given)] if Path(given).is_absolute() else [r / given for r in roots]
    found = next((c for c in candidates if c.exists()), candidates[0]).resolve()
    if not any(found.is_relative_to(root.resolve()) for root in roots):
        raise Refused(
            403, "forbidden_path", f"{given} is not under an allowed pack root",
            "name a pack directory under one of the service's --pack-root folders",
        )  # fmt: skip
    return found


async def _parts(request: Request, scratch: Path) -> tuple[list[Path], dict[str, Any]]:
    """Every file part is an archive; the other fields are options."""
    paths: list[Path] = []
    fields: dict[str, Any] = {}
    async with request.form(max_files=MAX_ARCHIVES, max_fields=len(OPTIONS_OF["load"])) as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                stem = Path(value.filename or "").name or f"pack-{len(paths)}"
                folder = scratch / str(len(paths))
                paths.append(await _save(_file_chunks(value.file), folder, stem))
            else:
                fields[name] = value
    return paths, fields


async def _chunks(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


async def _file_chunks(file: BinaryIO) -> AsyncIterator[bytes]:
    while chunk := file.read(1 << 16):
        yield chunk


async def _save(chunks: AsyncIterator[bytes], folder: Path, name: str) -> Path:
    """Write one archive into ``folder`` under a safe version of ``name``; without an
    archive suffix, the one its first bytes say (the loader refuses a file that is
    neither, as the CLI does)."""
    folder.mkdir(mode=0o700)
    partial = folder / ".upload"
    first = b""
    with open(partial, "xb") as out:
        async for chunk in chunks:
            first = (first + chunk)[:4] if len(first) < 4 else first
            out.write(chunk)
    name = _SAFE_NAME.sub("_", name).lstrip(".") or "pack"
    if not name.lower().endswith(ARCHIVE_SUFFIXES):
        name += ".zip" if first.startswith(_ZIP_MAGIC) else ".tar.gz"
    return partial.rename(folder / name)


def shown_as_sent(report: Report, scratch: Path) -> Report:
    """Name uploaded archives' files as the client named them (``my-pack.tar.gz/
    actions/x.yaml``), not by where the service wrote them."""
    prefix = f"{scratch}/"
    report.diagnostics = [
        d._replace(file=d.file[len(prefix) :].partition("/")[2]) if d.file.startswith(prefix) else d
        for d in report.diagnostics
    ]
    return report
