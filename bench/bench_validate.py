"""Validation benchmark: the validator side by side with check-jsonschema.

    python -m bench.bench_validate [--packs 20] [--components 100] [--seed 0]
                                   [--repeat 3] [--no-peer] [--json out.json]

Generates ``--packs`` synthetic packs of ``--components`` components each
(:mod:`bench.packgen`) and measures, on the same files:

1. ``loader.packs.pipeline.check_packs`` on packs/core plus the packs, as the CLI runs it: every
   stage (YAML, schema, semantics, paths), best of ``--repeat`` runs in one warm
   process, once with jsonschema-rs as the fast path (when installed) and once with
   python-jsonschema alone;
2. check-jsonschema (``pip install check-jsonschema``; it is not a project dependency),
   run once per kind with that kind's schema (``--schemafile``, and ``--base-uri``
   pointing at the local ``schemas/`` so that ``$ref`` to ``defs.schema.json`` resolves
   from disk), timed over all its runs: the files per second a CI step would get.

Prints files/s for each, the ratio, and PASS/FAIL against the goals; missing a goal
does not fail the process.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import packgen
from loader import CORE_PACK_DIR, SCHEMAS_DIR
from loader.kinds import KINDS_BY_NAME, PACK
from loader.packs.discover import PackFiles, discover_pack
from loader.packs.pipeline import check_packs
from loader.packs.schema.registry import ACCELERATOR, load_schemas

GOAL_FILES_PER_S = 2_000
GOAL_VS_PEER = 5.0


@dataclass
class Measure:
    name: str
    files: int
    seconds: float

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def files_by_kind(roots: Sequence[Path]) -> dict[str, list[Path]]:
    """Every YAML file of the packs, by kind name, as discovery finds them."""
    found: dict[str, list[Path]] = {}
    for root in roots:
        pack = discover_pack(root)
        assert isinstance(pack, PackFiles), pack
        found.setdefault(PACK.name, []).append(pack.manifest)
        for kind, path in pack.files:
            found.setdefault(kind.name, []).append(path)
    return found


def measure_loader(roots: Sequence[Path], repeat: int, fast: bool) -> Measure:
    """Best wall time of ``check_packs`` over ``repeat`` runs after one warm-up."""
    schemas = load_schemas(fast=fast)
    check_packs([CORE_PACK_DIR], schemas=schemas)  # compile the validators once
    best, files = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = check_packs([CORE_PACK_DIR, *roots], schemas=schemas)
        best = min(best, time.perf_counter() - started)
        files = result.files_checked
        assert result.ok, result.diagnostics[:3]
    label = "check_packs (jsonschema-rs fast path)" if fast else "check_packs (python-jsonschema)"
    return Measure(label, files, best)


def measure_peer(roots: Sequence[Path]) -> Measure | None:
    """check-jsonschema once per kind over the same files (and packs/core's)."""
    exe = shutil.which("check-jsonschema")
    if exe is None:
        return None
    total, elapsed = 0, 0.0
    for name, paths in files_by_kind([CORE_PACK_DIR, *roots]).items():
        schema = SCHEMAS_DIR / KINDS_BY_NAME[name].schema
        command = [
            exe,
            "--schemafile",
            str(schema),
            "--base-uri",
            schema.resolve().as_uri(),
            *map(str, paths),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed += time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"check-jsonschema failed on {name}:\n{done.stdout[-2000:]}")
        total += len(paths)
    return Measure("check-jsonschema (one run per kind)", total, elapsed)


def _report(measures: list[Measure], peer: Measure | None) -> dict[str, object]:
    best = max(measures, key=lambda m: m.files_per_s)
    lines = [
        f"{m.name:<42} {m.files:>6} files {m.seconds:8.3f} s {m.files_per_s:>9,.0f} files/s"
        for m in [*measures, *([peer] if peer else [])]
    ]
    print("\n".join(lines))
    verdicts = {"files_per_s": best.files_per_s >= GOAL_FILES_PER_S}
    print(f"goal >= {GOAL_FILES_PER_S:,} files/s: {'PASS' if verdicts['files_per_s'] else 'FAIL'}")
    ratio = None
    if peer is not None:
        ratio = best.files_per_s / peer.files_per_s
        for m in measures:
            print(f"{m.name}: {m.files_per_s / peer.files_per_s:.1f}x check-jsonschema")
        verdicts["vs_peer"] = ratio >= GOAL_VS_PEER
        print(
            f"goal >= {GOAL_VS_PEER:.0f}x check-jsonschema: "
            f"{'PASS' if verdicts['vs_peer'] else 'FAIL'}"
        )
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measures": [{**asdict(m), "files_per_s": m.files_per_s} for m in measures],
        "peer": None if peer is None else {**asdict(peer), "files_per_s": peer.files_per_s},
        "ratio": ratio,
        "goals_met": verdicts,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=20)
    parser.add_argument("--components", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true", help="skip check-jsonschema")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as scratch:
        roots = packgen.generate(Path(scratch), args.packs, args.components, args.seed)
        measures = [measure_loader(roots, args.repeat, fast=False)]
        if ACCELERATOR is not None:
            measures.insert(0, measure_loader(roots, args.repeat, fast=True))
        peer = None if args.no_peer else measure_peer(roots)
        if peer is None and not args.no_peer:
            print("check-jsonschema is not installed: pip install check-jsonschema")
    results = _report(measures, peer)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
