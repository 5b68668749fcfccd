"""Where the database comes from: flag, DATABASE_URL, libpq PG* variables, embedded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# libpq reads these itself when the connection string leaves them out.
_LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")


@dataclass(frozen=True)
class DatabaseTarget:
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
        return DatabaseTarget(flag, "--database-url")
    if env.get("DATABASE_URL"):
        return DatabaseTarget(env["DATABASE_URL"], "DATABASE_URL")
    if any(env.get(name) for name in _LIBPQ_VARIABLES):
        return DatabaseTarget("", "PG* variables")
    return DatabaseTarget("", "embedded")
