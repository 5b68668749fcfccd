"""Structured logs: one JSON object a line on stderr, each with the id of the request
it belongs to (worker threads inherit it: anyio copies the context into them)."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from loader.service.redact import redact

log = logging.getLogger("attune_loader.service")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a caller's X-Request-Id we repeat
# A record's own attributes, and uvicorn's terminal colours: not fields of the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "color_message", "taskName",
}  # fmt: skip


def new_request_id(offered: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token, so its logs and ours line
    up; else a new one."""
    if offered and _CLIENT_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class JsonLines(logging.Formatter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (rid := request_id.get()) is not None:
            entry["request_id"] = rid
        entry |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Each string before encoding: JSON escaping could hide a secret from the match.
        clean = {k: redact(v, self.secrets) if isinstance(v, str) else v for k, v in entry.items()}
        return json.dumps(clean, default=str)


def configure(level: str, secrets: Iterable[str]) -> None:
    """Every logger of the process, uvicorn's included, writes JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
