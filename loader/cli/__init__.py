"""Console scripts: ``attune-loader`` (all commands) and ``load-pack`` (the main job).

Each command parses its options, calls one library function and turns the result
into output and an exit code; no SQL or YAML handling lives here.

The modules of this package evaluate their annotations (no ``from __future__ import
annotations``): typer reads every command's signature on every start, and resolving
them from strings took twice as long, 10 ms of a 0.25 s no-op load
(docs/performance.md).

The two console scripts import only what they run: ``load-pack`` builds its one
command, not the group's fifteen, and imports no other command module (5 ms of a
0.25 s no-op load, docs/performance.md); on a plain command line it imports no typer
at all. Both keep Python's cycle collector off while they import: start-up makes some
27,000 objects the collector tracks, none of them garbage, and it ran 90 times over
them (see ``api.cyclic_gc_paused``).
"""

import gc
import os
import sys


def main() -> None:
    """``attune-loader``: every command."""
    gc.disable()
    from loader.cli.commands import app
    from loader.cli.common import interrupt_on_sigterm

    gc.enable()  # back on for the commands: ``serve`` runs for days
    interrupt_on_sigterm()
    # The same name in usage lines whether run as attune-loader or python -m loader.
    app(prog_name="attune-loader")


def load_pack_main() -> None:
    """``load-pack``: the main job, ``attune-loader load`` under its own name. A plain
    command line runs without typer (loader/cli/plain.py)."""
    gc.disable()  # for good: the process is one load, which pauses it anyway
    from loader.cli.common import interrupt_on_sigterm
    from loader.cli.plain import plain_load_args

    interrupt_on_sigterm()
    args = plain_load_args(sys.argv[1:], os.environ)
    if args is not None:
        from loader.cli.loading import load

        load(**args)
        return
    from loader.cli.load_cmds import load_pack_app

    load_pack_app()
