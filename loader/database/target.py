"""Which database a command talks to: flag, DATABASE_URL, libpq PG* variables, else the
embedded cluster, started (and migrated) on demand."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from loader.database.embedded import Cluster
from loader.database.migrate import runner

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
