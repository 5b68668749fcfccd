"""Check cost benchmark: the instructions one pack's check takes, beside the floor's
read, parse and schema check of the same files, counted by valgrind's callgrind.

    python -m bench.bench_check_cost [--components 1000] [--base DIR]

The times of ``bench_load`` move with the machine (on a shared one, by half from one
run to the next); instruction counts do not, so this is how a change to the per-file
work is measured. Each side runs in fresh processes with the cycle collector off, as
a load runs it: once over one pack and once over three, and the difference, halved,
is one pack's cost without start-up and imports:

- the loader: its check of each pack as a first load makes it
  (``loader.packs.pipeline``), with and without the snapshot a later reload reads;
- the floor: ``bench/floor.py``'s read, yaml-rs parse and jsonschema-rs check of the
  pack's YAML files (the list of files is made beforehand, off the count).

With ``--base DIR`` (another checkout, say of an earlier commit, with its bytecode
compiled), its loader is counted too, beside this tree's. Needs valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.baseline import yaml_files
from bench.bench_load import add_cache_argument, cached_packs
from loader import PROJECT_ROOT
from loader.packs.pipeline import check_packs

# Checks packs one after the other in one process, as a load's workers do.
LOADER = """
import gc, os, sys
from pathlib import Path
gc.disable()
from loader.packs import pipeline
from loader.packs.schema.registry import load_schemas
snapshot, *packs = sys.argv[1:]
schemas = load_schemas()
for pack in map(Path, packs):
    making = frozenset([os.path.realpath(pack)]) if snapshot == "1" else frozenset()
    run = pipeline._Run(schemas, pipeline.DEFAULT_LIMITS, making).checked(pack)
    assert run.result.ok and run.result.packs, pack
"""

# Reads, parses and checks the files listed (kind, path per line) as the floor does.
FLOOR = """
import gc, sys
from pathlib import Path
gc.disable()
from bench.floor import prepared_parse
from loader.kinds import KINDS_BY_NAME
files = []
for line in Path(sys.argv[1]).read_text().splitlines():
    kind, path = line.split("\\t")
    files.append((Path(path), KINDS_BY_NAME[kind]))
parse = prepared_parse()
assert parse(files) == len(files)
"""

_COLLECTED = re.compile(r"Collected : (\d+)")


def counted(argv: Sequence[str], tree: Path) -> int:
    """The instructions ``argv`` (a ``python -c`` command line) executes under
    callgrind, run in ``tree`` (``-c`` puts the working directory first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_pack(one: int, three: int) -> int:
    """One pack's instructions, from runs over one pack and over three."""
    return (three - one) // 2


def file_lists(packs: Sequence[Path], directory: Path) -> list[Path]:
    """For the first pack and for all three, the floor's list of files."""
    lists = []
    for count in (1, 3):
        checked = check_packs(packs[:count])
        lines = [f"{kind.name}\t{path}" for path, kind in yaml_files(checked.packs)]
        target = directory / f"files-{count}.txt"
        target.write_text("\n".join(lines) + "\n")
        lists.append(target)
    return lists


def measure(packs: Sequence[Path], base: Path | None, scratch: Path) -> dict[str, int]:
    """Per-pack instructions of each side (two runs at a time: one per core)."""
    python = sys.executable
    lists = file_lists(packs, scratch)
    runs: dict[str, list[tuple[list[str], Path]]] = {
        "floor": [([python, "-c", FLOOR, str(f)], PROJECT_ROOT) for f in lists],
    }
    for label, tree in (("loader", PROJECT_ROOT), ("base", base)):
        if tree is None:
            continue
        for snapshot in ("1", "0"):
            name = label if snapshot == "1" else f"{label} without snapshot"
            runs[name] = [
                ([python, "-c", LOADER, snapshot, *map(str, packs[:n])], tree) for n in (1, 3)
            ]
    with ThreadPoolExecutor(2) as pool:
        futures = {
            name: [pool.submit(counted, argv, tree) for argv, tree in pair]
            for name, pair in runs.items()
        }
        return {name: per_pack(*(f.result() for f in pair)) for name, pair in futures.items()}


def report(figures: dict[str, int], components: int) -> list[str]:
    floor = figures["floor"]
    lines = [
        f"instructions per pack of {components:,} components "
        "(callgrind, one process, cycle collector off):",
        "| run | instructions | / floor |",
        "|---|---:|---:|",
    ]
    for name, count in figures.items():
        lines.append(f"| {name} | {count / 1e6:,.0f} M | {count / floor:.2f}x |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_check_cost", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--components", type=int, default=1000, help="per pack (default 1000)")
    parser.add_argument("--base", type=Path, help="another tree to count beside this one")
    add_cache_argument(parser)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.base is not None and not (args.base / "loader" / "__init__.py").is_file():
        parser.error(f"--base {args.base}: not a checkout of the loader")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    packs = cached_packs(args.cache_dir, 3, args.components)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            figures = measure(packs, args.base, Path(scratch))
        except subprocess.CalledProcessError as failed:
            print(f"a counted run failed:\n{failed.stderr[-2000:]}", file=sys.stderr)
            return 1
    print("\n".join(report(figures, args.components)))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
