"""Attune schema migrations and pack loader.

The installation hook's API: :func:`load_packs`, :func:`plan_packs`,
:func:`validate_packs` and :func:`seed`, each returning a :class:`Report`.
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

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
    "__version__",
    "load_packs",
    "plan_packs",
    "seed",
    "validate_packs",
]
