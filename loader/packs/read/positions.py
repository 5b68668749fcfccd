"""Where a value is in a file: found only when a diagnostic needs a place, by reading
the file's events again (:mod:`~loader.packs.read.locate`, imported then: it needs
ruamel.yaml, which a file read on the fast path never does)."""

from __future__ import annotations

import re

from loader.packs.model import DocPath, Where

_PLAIN_SCALAR = re.compile(r"[^\s,\[\]{}#'\"][^,\[\]{}#]*")


class Positions:
    """``ParsedFile.position``: reads the events again and follows a DocPath to the
    place of its value (or key). A path that cannot be followed (a key that came from a
    merge) gives the place of the nearest enclosing value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, path: DocPath, key: bool = False) -> Where | None:
        from loader.packs.read.locate import find  # ruamel.yaml: on first need only

        return find(self.text, path, key)

    def source(self, path: DocPath) -> str | None:
        """The text of the plain scalar at ``path`` as written (``3.10``, not ``3.1``)."""
        where = self(path, False)
        if where is None:
            return None
        lines = self.text.splitlines()
        line = lines[where[0] - 1] if where[0] <= len(lines) else ""
        token = _PLAIN_SCALAR.match(line, where[1] - 1)
        return token.group(0).rstrip() if token else None
