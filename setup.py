"""Build hook: ship the schemas, migrations and core pack inside the package.

They stay at the top of the repository, where users and tests name them
(``load-pack packs/core``); a wheel gets copies under ``loader/_data/`` that
``loader/resources.py`` finds. Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = ("schemas", "migrations", "packs/core")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        # An editable install reads the checkout itself; a copy would only go stale.
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "loader" / "_data"
        for folder in DATA:
            # copytree copies modes: the core pack's scripts stay executable.
            shutil.copytree(
                folder,
                target / folder,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithData})
