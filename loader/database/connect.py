"""Turn the configured target into a connection string, starting the embedded
cluster (and migrating it) when nothing else is configured."""

from __future__ import annotations

from collections.abc import Callable

from loader.database.embedded import Cluster
from loader.database.migrate import runner
from loader.database.target import resolve_database


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
