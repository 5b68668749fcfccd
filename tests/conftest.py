import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import settings

# The package's own plugin by its module name, which is also its entry point's name: an
# installed copy registered through the entry point is then not registered twice.
pytest_plugins = ["loader.pytest_plugin", "pytester", "tests.fix_db", "tests.fix_pgbouncer"]

# CI must be repeatable: the same examples every run, and no deadline on a busy machine.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session", autouse=True)
def _private_load_cache() -> Iterator[None]:
    """Keep the reload cache of test runs (and their subprocesses) out of the user's."""
    directory = tempfile.mkdtemp(prefix="attune-test-cache-")
    os.environ["ATTUNE_LOADER_CACHE_DIR"] = directory
    yield
    shutil.rmtree(directory, ignore_errors=True)
