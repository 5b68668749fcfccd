"""Which database a command talks to: flag, DATABASE_URL, libpq PG* variables, else the
embedded cluster, started (and migrated) on demand."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

import psycopg
from psycopg.conninfo import conninfo_to_dict

from loader.database.embedded import Cluster
from loader.database.migrate import runner
from loader.errors import SettingsError, passwords_in, redact

# libpq reads these itself when the connection string leaves them out.
_LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")


class DatabaseTarget(NamedTuple):
    """A connection string and where it came from (for messages)."""

    conninfo: str
    source: str  # "--database-url", "DATABASE_URL", "PG* variables" or "embedded"

    @property
    def embedded(self) -> bool:
        return self.source == "embedded"


def resolve_database(flag: str | None, env: Mapping[str, str] | None = None) -> DatabaseTarget:
    """Pick the database a command talks to; the embedded cluster is the last resort.

    The embedded target carries an empty conninfo; :mod:`loader.database.embedded` fills it in
    when the cluster has been started.
    """
    env = os.environ if env is None else env
    if flag:
        return DatabaseTarget(checked_conninfo(flag, "--database-url"), "--database-url")
    if env.get("DATABASE_URL"):
        url = checked_conninfo(env["DATABASE_URL"], "DATABASE_URL")
        return DatabaseTarget(url, "DATABASE_URL")
    if any(env.get(name) for name in _LIBPQ_VARIABLES):
        return DatabaseTarget("", "PG* variables")
    return DatabaseTarget("", "embedded")


_SCHEMES = ("postgresql", "postgres")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SECRET_HINT = (
    "keep the password out of the URL (and the process list): libpq reads it from "
    "PGPASSWORD, from ~/.pgpass (or PGPASSFILE), or from a service file (PGSERVICE)"
)


def checked_conninfo(conninfo: str, source: str) -> str:
    """``conninfo`` when libpq can use it: a ``postgresql://`` or ``postgres://`` URL
    or a ``key=value`` string. Anything else is a settings error (exit 2) whose
    message shows the value with its password masked, before psycopg, which repeats
    the whole string in its errors, sees it."""
    scheme = _SCHEME.match(conninfo)
    if scheme and scheme[1].lower() not in _SCHEMES:
        raise SettingsError(
            f"{source}: '{redact(conninfo)}' is not a PostgreSQL URL (scheme '{scheme[1]}')",
            hint="write postgresql://user@host:port/dbname; " + _SECRET_HINT,
        )
    try:
        conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        reason = _without_fragments(str(exc).strip().splitlines()[0], conninfo)
        raise SettingsError(
            f"{source}: '{redact(conninfo)}' cannot be read as a connection string: {reason}",
            hint="write postgresql://user@host:port/dbname (percent-encode special "
            "characters, put an IPv6 host in [brackets]); " + _SECRET_HINT,
        ) from None
    return conninfo


def _without_fragments(reason: str, conninfo: str) -> str:
    """libpq's reason, without the quoted pieces of the connection string that hold
    (part of) the password, or the whole string."""
    secrets = passwords_in(conninfo)

    def masked(m: re.Match[str]) -> str:
        piece = m[1]
        secret = piece == conninfo or any(piece in s or s in piece for s in secrets if s)
        return '"..."' if piece and secret else m[0]

    return re.sub(r'"([^"]*)"', masked, reason)


def conninfo_for(
    flag: str | None,
    *,
    migrate_embedded: bool = True,
    notify: Callable[[str], None] = lambda _: None,
) -> str:
    """The connection string for ``flag`` / environment / embedded default.

    The embedded database is started on demand and brought to the latest schema, so
    ``load-pack`` works on a fresh machine with nothing configured.
    """
    target = resolve_database(flag)
    if not target.embedded:
        return target.conninfo
    url = Cluster().ensure_started(notify)
    if migrate_embedded:
        runner.migrate(url, notify=notify)
    return url
