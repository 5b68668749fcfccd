"""Attune schema migrations and pack loader."""

from __future__ import annotations

from pathlib import Path

# The repository root: migrations/, schemas/ and packs/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
CORE_PACK_DIR = PROJECT_ROOT / "packs" / "core"
