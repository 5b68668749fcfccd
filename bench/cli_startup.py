"""What the CLI framework costs at start-up, apart from the loader's own imports.

Run with the interpreter of an environment that has the typer release to measure:

    python -m bench.cli_startup

It imports the library first (its cost is the loader's, not typer's), then times,
best of several fresh processes: building the CLI (importing typer and click,
registering the commands), running a small command (``schemas show defs``) and
rendering ``--help``; and it lists which of rich, pydantic and shellingham each
step imported. docs/performance.md ("CLI start-up") has the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = r"""
import contextlib, io, json, sys, time
import loader.api  # the loader's own imports, not measured
heavy = ("rich", "pydantic", "shellingham")
def loaded():
    return sorted(m for m in heavy if m in sys.modules)
t0 = time.perf_counter()
from loader.cli import app
t1 = time.perf_counter()
build = loaded()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        app(sys.argv[1:], standalone_mode=False)
    except SystemExit:
        pass
t2 = time.perf_counter()
print(json.dumps({"build_ms": (t1 - t0) * 1e3, "run_ms": (t2 - t1) * 1e3,
                  "build_loads": build, "run_loads": loaded()}))
"""

RUNS = 7


def measure(argv: list[str]) -> dict[str, object]:
    """The best of ``RUNS`` fresh processes for one command line."""
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
        ).stdout
        samples.append(json.loads(out.splitlines()[-1]))
    best = min(samples, key=lambda s: float(s["build_ms"]) + float(s["run_ms"]))
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in best.items()}


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # typer 0.29 carries its own copy of click
        return "none"


def main() -> None:
    versions = {name: _version(name) for name in ("typer", "click")}
    for argv in (["schemas", "show", "defs"], ["--help"]):
        print(json.dumps({**versions, "argv": " ".join(argv), **measure(argv)}))


if __name__ == "__main__":
    main()
