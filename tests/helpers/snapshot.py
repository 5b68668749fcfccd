"""Regenerate expected_catalog.json from a freshly migrated database.

Usage: ``python -m tests.helpers.snapshot DATABASE_URL``
"""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg

from tests.helpers.catalog import dump_catalog, read_catalog

SNAPSHOT = Path(__file__).parent.parent / "schema" / "expected_catalog.json"


def main(argv: list[str] | None = None) -> int:
    """Write the catalog of the database whose URL is the only argument to the snapshot."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with psycopg.connect(args[0], autocommit=True) as conn:
        SNAPSHOT.write_text(dump_catalog(read_catalog(conn)), encoding="utf-8")
    print(f"wrote {SNAPSHOT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
