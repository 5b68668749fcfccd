"""Read one YAML file safely: a :class:`ParsedFile`, or a :class:`Diagnostic` saying why not.

:func:`parse_file` and :func:`parse_text` are the reader's one interface; behind them
the work is split by job:

- :mod:`~loader.packs.read.bounded` reads the file's bytes within the size limit and
  decodes them;
- :mod:`~loader.packs.read.fast` (yaml-rs behind a conservative gate and a check of
  its result) returns the data of plain files only when it is certain to be what the
  reference reader would build, and declines everything else;
- :mod:`~loader.packs.read.build` is the reference reader: ruamel.yaml's C event
  parser (libyaml, through ``ruamel.yaml.clib``) with plain JSON-compatible data built
  from the events, about four times faster than ruamel's Python composer and
  constructor (see docs/performance.md), and every limit enforced on the way; it is
  imported only for a file the fast path declines, as ruamel.yaml takes 10 ms to import;
- :mod:`~loader.packs.read.resolve` is YAML 1.2's table of implicit types, which
  both use;
- :mod:`~loader.packs.read.messages` words every refusal and YAML error, and
  :mod:`~loader.packs.read.positions` finds places in a file when a diagnostic needs
  one (:mod:`~loader.packs.read.locate` follows the events there).

Every diagnostic comes from the reference reader, never from the fast path. A test
holds the fast path to the reference reader's data on generated inputs and on every
YAML file of the repository.
"""

from __future__ import annotations

from pathlib import Path

from loader.packs.model import ParsedFile
from loader.packs.read import fast
from loader.packs.read.bounded import decode, read_bytes
from loader.packs.read.limits import DEFAULT_LIMITS, Limits
from loader.packs.read.messages import Refused, kind_of, problem, yaml_problem
from loader.packs.read.positions import Positions
from loader.packs.read.resolve import IMPLICIT
from loader.report import codes
from loader.report.diagnostics import Diagnostic

__all__ = ["DEFAULT_LIMITS", "Limits", "Positions", "parse_file", "parse_text"]


def parse_file(
    path: Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> ParsedFile | Diagnostic:
    """Read ``path`` (shown to people as ``display``) into plain JSON-compatible data."""
    raw = read_bytes(path, display, limits)
    if isinstance(raw, Diagnostic):
        return raw
    text = decode(raw, display)
    if isinstance(text, Diagnostic):
        return text
    return _parse(path, text, display, limits)


def parse_text(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> ParsedFile | Diagnostic:
    """:func:`parse_file` for text already in memory."""
    return _parse(Path(display), text, display, limits)


def _parse(path: Path, text: str, display: str, limits: Limits) -> ParsedFile | Diagnostic:
    quick = fast.load(text, limits.max_depth, limits.max_nodes, IMPLICIT)
    if quick is not None:
        return ParsedFile(path, display, quick, Positions(text))
    return _read(path, text, display, limits)


def _read(path: Path, text: str, display: str, limits: Limits) -> ParsedFile | Diagnostic:
    """What the reference reader makes of ``text``, or the diagnostic it leads to."""
    from ruamel.yaml.error import YAMLError  # see the module's docstring

    from loader.packs.read.build import EMPTY, build, events
    from loader.packs.read.locate import first_occurrence

    try:
        data = build(events(text), limits)
    except Refused as refused:
        if refused.code == codes.YAML_DUPLICATE_KEY and refused.where:
            refused.message += first_occurrence(text, refused)
        return problem(display, refused.code, refused.message, refused.hint, refused.where)
    except YAMLError as exc:
        return yaml_problem(exc, text, display)
    if data is EMPTY:
        return problem(
            display,
            codes.YAML_EMPTY,
            "the file is empty",
            "write the component's keys, or delete the file",
            (1, 1),
        )
    if not isinstance(data, dict):
        message = f"the document is {kind_of(data)}, not a mapping of keys to values"
        return problem(
            display,
            codes.YAML_NOT_MAPPING,
            message,
            "write 'key: value' lines at the top level",
            (1, 1),
        )
    return ParsedFile(path, display, data, Positions(text))
