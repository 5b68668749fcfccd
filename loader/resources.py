"""Where the project's own files are: the schemas, the migrations and the core pack.

An installed wheel carries them inside the package, as ``loader/_data/`` (``setup.py``
copies them there at build time); a checkout, editable installs included, has them at
the top of the repository, beside the package, where users run ``load-pack packs/core``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The folder above the package: the repository root when run from a checkout.
PROJECT_ROOT = PACKAGE_DIR.parent


def _data_dir() -> Path:
    """The packaged copy when there is one, else the checkout's top level."""
    packaged = files("loader").joinpath("_data")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return PROJECT_ROOT


DATA_DIR = _data_dir()
MIGRATIONS_DIR = DATA_DIR / "migrations"
SCHEMAS_DIR = DATA_DIR / "schemas"
CORE_PACK_DIR = DATA_DIR / "packs" / "core"
