"""Where the project's own files are: migrations/, schemas/ and packs/ beside the package."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
CORE_PACK_DIR = PROJECT_ROOT / "packs" / "core"
