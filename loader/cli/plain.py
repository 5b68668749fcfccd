"""``load-pack``'s plain command lines, read without typer.

Importing typer and click takes 15-20 ms, more than half of what a no-op ``load-pack
packs/core`` may cost over the connect floor (docs/performance.md). So ``load-pack`` first
tries this reader: paths and the load options written out in full (``--dry-run``,
``--output json``, ``--lock-timeout=5``, ``-v``), nothing else. Anything it does not
know (``--help``, a short option with its value attached, ``--``, a bad value, a
completion request) makes it answer None, and typer reads the command line as always,
errors and help included. Typer stays the authority: a test compares both readings
over generated command lines (tests/test_cli_plain.py).
"""

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from loader.cli.common import OutputFormat
from loader.report import AbsentPolicy


def _absent(value: str) -> AbsentPolicy:
    return AbsentPolicy(value.lower())  # typer's choices ignore case


def _output(value: str) -> OutputFormat:
    return OutputFormat(value.lower())


# Option -> (parameter of loading.load, how its value is read; ValueError: unreadable).
_VALUED: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--database-url": ("database_url", str),
    "--absent": ("absent", _absent),
    "--lock-timeout": ("lock_timeout", float),
    "--output": ("output", _output),
    "-o": ("output", _output),
}
_FLAGS = {
    "--dry-run": "dry_run",
    "--detailed-exitcode": "detailed_exitcode",
    "--no-cache": "no_cache",
    "--strict": "strict",
}
_COUNTED = {"--verbose": "verbose", "-v": "verbose"}
# The variable click looks at to answer shell completion instead of running.
_COMPLETION_VARIABLE = "_LOAD_PACK_COMPLETE"


def plain_load_args(argv: Sequence[str], env: Mapping[str, str]) -> dict[str, Any] | None:
    """The keyword arguments of :func:`loader.cli.loading.load` that ``argv`` gives, or
    None when typer must read it."""
    if _COMPLETION_VARIABLE in env:
        return None
    args: dict[str, Any] = {}
    paths: list[Path] = []
    words = iter(argv)
    for word in words:
        if not word.startswith("-"):
            paths.append(Path(word))
            continue
        # --name=value; a short option's value is never attached here.
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in _VALUED:
            if not equals:
                value = next(words, "-")
                if value.startswith("-"):  # none left, or typer's to judge
                    return None
            parameter, read = _VALUED[name]
            try:
                args[parameter] = read(value)
            except ValueError:
                return None
        elif word in _FLAGS:
            args[_FLAGS[word]] = True
        elif word in _COUNTED:
            args[_COUNTED[word]] = args.get(_COUNTED[word], 0) + 1
        else:
            return None
    return {"paths": paths, **args} if paths else None
