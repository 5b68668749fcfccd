"""Print every difference between a reference catalog and the committed snapshot.

A development aid, not a test: the reference (the catalog of the pre-consolidation chain) is not
part of this repository.

Usage: ``python -m tests.schema.compare_to_reference REFERENCE_JSON [SNAPSHOT_JSON]``

The snapshot defaults to expected_catalog.json beside this file. Lines start with ``-`` (only in
the reference), ``+`` (only in the snapshot) or ``~`` (changed). Exit status: 0 when the catalogs
are equal, 1 when they differ, 2 on bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.helpers.catalog import Catalog, count_objects, diff_catalogs
from tests.helpers.snapshot import SNAPSHOT


def load(path: Path) -> Catalog:
    """Read a catalog JSON file."""
    catalog: Catalog = json.loads(path.read_text(encoding="utf-8"))
    return catalog


def main(argv: list[str] | None = None) -> int:
    """Compare the catalogs named on the command line and print the report."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    reference = load(Path(args[0]))
    snapshot = load(Path(args[1]) if len(args) == 2 else SNAPSHOT)

    ref_counts, snap_counts = count_objects(reference), count_objects(snapshot)
    print(f"{'section':<12} {'reference':>9} {'snapshot':>9}")
    for section in sorted(ref_counts.keys() | snap_counts.keys()):
        print(f"{section:<12} {ref_counts.get(section, 0):>9} {snap_counts.get(section, 0):>9}")

    differences = diff_catalogs(reference, snapshot)
    print(f"\n{len(differences)} difference(s)")
    for line in differences:
        print(line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
