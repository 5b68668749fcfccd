"""Migration files: ``<version>_<description>.sql``, named and checksummed as sqlx does."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from loader.errors import MigrationError

_NAME = re.compile(r"^(?P<version>\d+)_(?P<rest>.+)\.sql$")
NO_TRANSACTION_MARKER = b"-- no-transaction"


class MigrationFile(NamedTuple):
    version: int
    description: str
    path: Path
    content: bytes

    @property
    def checksum(self) -> bytes:
        """SHA-384 of the file's bytes: the value sqlx stores in the ledger."""
        return hashlib.sha384(self.content).digest()

    @property
    def no_transaction(self) -> bool:
        return self.content.lstrip().startswith(NO_TRANSACTION_MARKER)

    @property
    def sql(self) -> str:
        return self.content.decode("utf-8")

    def only_line_endings_differ(self, checksum: bytes) -> bool:
        """Whether ``checksum`` matches this file with LF or CRLF line endings swapped."""
        lf = self.content.replace(b"\r\n", b"\n")
        crlf = lf.replace(b"\n", b"\r\n")
        return checksum in (hashlib.sha384(lf).digest(), hashlib.sha384(crlf).digest())


def describe(stem: str) -> str:
    """sqlx's description: the name after the version, underscores as spaces."""
    return stem.replace("_", " ")


def discover(directory: Path) -> list[MigrationFile]:
    """All migrations in ``directory``, ordered by version.

    A ``.sql`` file that does not follow the naming rule, and two files with one
    version, are errors: sqlx would reject the first and collide on the second.
    """
    if not directory.is_dir():
        raise MigrationError(f"migrations directory {directory} does not exist")
    found: dict[int, MigrationFile] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: not a migration file name",
                hint="name it <version>_<description>.sql, e.g. 20250101000001_initial_setup.sql",
            )
        version = int(match["version"])
        if version in found:
            raise MigrationError(
                f"duplicate migration version {version}: {found[version].path.name} "
                f"and {path.name}",
                hint="give one of them a new, higher version number",
            )
        found[version] = MigrationFile(version, describe(match["rest"]), path, path.read_bytes())
    return [found[v] for v in sorted(found)]
