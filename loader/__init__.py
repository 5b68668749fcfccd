"""Attune schema migrations and pack loader.

The installation hook's API: :func:`load_packs`, :func:`plan_packs`,
:func:`validate_packs` and :func:`seed`, each returning a :class:`Report`.
"""

from __future__ import annotations

from loader.api import load_packs, plan_packs, seed, validate_packs
from loader.errors import LoaderError
from loader.report import AbsentPolicy, Report
from loader.report.diagnostics import Diagnostic
from loader.resources import CORE_PACK_DIR, MIGRATIONS_DIR, PROJECT_ROOT, SCHEMAS_DIR

__all__ = [
    "CORE_PACK_DIR",
    "MIGRATIONS_DIR",
    "PROJECT_ROOT",
    "SCHEMAS_DIR",
    "AbsentPolicy",
    "Diagnostic",
    "LoaderError",
    "Report",
    "load_packs",
    "plan_packs",
    "seed",
    "validate_packs",
]
