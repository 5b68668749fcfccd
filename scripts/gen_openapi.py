"""Write docs/openapi.json from ``loader/service/openapi.py`` (the document the service
serves at /v1/openapi.json); the service tests check that the two agree.

Usage::

    python scripts/gen_openapi.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "openapi.json"


def main() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from loader.service import openapi

    DOC_PATH.write_text(json.dumps(openapi.document(), indent=2) + "\n")


if __name__ == "__main__":
    main()
