"""Attune schema migrations and pack loader.

The installation hook's API: :func:`load_packs`, :func:`plan_packs`,
:func:`validate_packs` and :func:`seed`, each returning a :class:`Report`.

Names are imported on first use: ``attune-loader --help`` and the other commands
that need no database or YAML must not pay for importing psycopg, jsonschema and
ruamel.yaml (docs/performance.md, start-up).
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# The module that defines each name of __all__.
_HOMES = {
    "CORE_PACK_DIR": "loader.resources",
    "MIGRATIONS_DIR": "loader.resources",
    "PROJECT_ROOT": "loader.resources",
    "SCHEMAS_DIR": "loader.resources",
    "AbsentPolicy": "loader.report",
    "Diagnostic": "loader.report.diagnostics",
    "LoaderError": "loader.errors",
    "Report": "loader.report",
    "load_packs": "loader.api",
    "plan_packs": "loader.api",
    "seed": "loader.api",
    "validate_packs": "loader.api",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'loader' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
