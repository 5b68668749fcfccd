"""The whole ``attune-loader`` group: importing a command module registers its commands."""

from loader.cli import (  # noqa: F401
    db_cmds,
    load_cmds,
    migrate_cmds,
    pack_cmds,
    schemas_cmds,
    serve_cmds,
)
from loader.cli.root import app

__all__ = ["app"]
