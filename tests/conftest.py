import os

from hypothesis import settings

pytest_plugins = ["tests.fix_db"]

# CI must be repeatable: the same examples every run, and no deadline on a busy machine.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
