"""Passwords and tokens never reach a response or a log line: every message the
service sends or logs passes through :func:`redact` first."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress

import psycopg

# The password of any URL with credentials (postgresql://user:PASSWORD@host).
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@/\s]+@", re.IGNORECASE)
# A password=... pair of a key/value connection string.
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
HIDDEN = "***"


def secrets_of(conninfo: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The database password in ``conninfo`` and in $PGPASSWORD, where there is one."""
    env = os.environ if env is None else env
    found = [env.get("PGPASSWORD", "")]
    # Not parseable: the patterns of redact() still hide a URL's password.
    with suppress(psycopg.ProgrammingError):
        found.append(str(psycopg.conninfo.conninfo_to_dict(conninfo).get("password") or ""))
    return tuple(s for s in found if s)


def redact(text: str, secrets: Iterable[str]) -> str:
    text = _URL_PASSWORD.sub(rf"\1{HIDDEN}@", text)
    text = _KEYWORD_PASSWORD.sub(rf"\1{HIDDEN}", text)
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text
