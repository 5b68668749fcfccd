"""Recognise what a reload does not need to check again.

After a load leaves the database equal to the packs, we remember, per pack directory
of that set of directories and that database: a digest of every file's metadata
(path, size, mtime, ctime, inode, as git's index does) together with that of the
loader's own code and schemas, a token of the database rows the pack owns (every row's id and
xmin, so any insert, update or delete changes it), and what checking and planning it
found: its components, its warnings, the files it read, the packs it references and
its references to components outside itself.

A later run whose every pack still matches is a no-op: it reports every component
unchanged without parsing a file or reading a row back. Otherwise only the packs that
changed, on disk or in the database, are checked and planned again, together with
every remembered pack that references one of them, so that a change which breaks a
reference from another pack is still found; the others are reported as remembered.
When that smaller check finds anything whose wording could depend on the packs it
did not see (any error, an unresolved or duplicate reference, rule parameters), or
a pack it did not expect, the load checks every pack instead: every diagnostic is
the one a full check gives. Anything else, or a cache that cannot be read, is simply
a miss.

Row ids and xmins alone do not tell databases apart (two clusters built the same way
hand out the same ones), so entries are kept per database identity: the cluster's
system identifier, the database's oid and name, and the migration ledger's state. A
copy made with ``CREATE DATABASE ... TEMPLATE`` or restored from a dump has another
oid, another cluster another system identifier: both miss.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cache, partial
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from loader.database import statements
from loader.database.conn import Conn
from loader.database.refs import external_targets, pack_of
from loader.kinds import KINDS
from loader.packs import metadata
from loader.packs.metadata import Meta
from loader.packs.workers import fork_map, workers_for
from loader.report import Action, Change, Report, codes
from loader.report.diagnostics import Diagnostic, Severity
from loader.resources import PACKAGE_DIR, SCHEMAS_DIR
from loader.sealed import seal, unseal

if TYPE_CHECKING:
    from loader.database.plan import Plan
    from loader.packs.model import Pack
    from loader.packs.pipeline import Prior

# Entries kept in the cache directory, the last used (one per database and set of
# pack directories: a few kilobytes for packs/core, 3 MB for 100,000 components).
_KEPT_ENTRIES = 32
_ENTRY = ".entry"
_ENTRY_MAGIC = b"attune-loader reload entry 1\n"
_FORMER_ENTRY = ".json"  # the entries of releases before, JSON lines: removed when pruning
# The pack snapshots kept (loader.packs.snapshot), the last used, in their own folder:
# about 1.4 MB for a pack of 1,000 components, 40 kB for packs/core.
_SNAPSHOTS = "packs"
_KEPT_SNAPSHOTS = 256

# Diagnostics whose words depend on every pack of the load (names suggested from
# all declared refs, duplicates across packs, rule parameters against another
# pack's schema): a check of some packs only cannot promise the same ones.
_SEES_OTHER_PACKS = frozenset(
    {
        codes.REF_UNRESOLVED,
        codes.REF_TASK_ACTION,
        codes.REF_DUPLICATE,
        codes.PACK_DUPLICATE,
        codes.PARAMS_VALUES,
    }
)


class PackMemory(NamedTuple):
    """What the last load found for one pack directory."""

    root: str  # its real path
    files: str  # digest of its files' metadata and of the loader's code
    ref: str
    token: str  # digest of its rows in the database
    changes: dict[str, list[Change]]  # its components by kind, in plan order, all unchanged
    remarks: list[Diagnostic]  # its warnings and notes, replayed as they were
    files_checked: int
    external: dict[str, list[str]]  # link targets outside the pack, per kind
    uses: list[str]  # the other packs whose components it references
    item: tuple[Any, ...] = ()  # its item of the entry as read: written back when reused


class _Root(NamedTuple):
    """A pack directory of this load as it is on disk now."""

    path: Path  # as given: diagnostics name its files under it
    real: str
    files: str
    racy: bool  # a file of it changed too recently to be trusted unchanged
    # Its files' metadata, when they differ from its memory's (its snapshot needs them).
    metadata: dict[str, Meta | None] | None = None

    @property
    def remembered_as(self) -> str:
        """The files digest its memory is kept under: when ``racy``, one that no later
        walk gives, so the pack is checked again, from its snapshot (where the files
        changed too recently have no metadata, so they are checked again too)."""
        return f"unsettled:{self.files}" if self.racy else self.files


def cache_dir() -> Path | None:
    """``$ATTUNE_LOADER_CACHE_DIR``; none when ``ATTUNE_LOADER_NO_CACHE`` is set."""
    if os.environ.get("ATTUNE_LOADER_NO_CACHE"):
        return None
    explicit = os.environ.get("ATTUNE_LOADER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    from loader.database.embedded import default_state_dir

    return default_state_dir() / "load-cache"


class ReloadCache:
    """What the cache knows about one load's packs when it starts, and, once the load
    is planned, what it remembers for the next one."""

    def __init__(self, conn: Conn, paths: Sequence[Path]) -> None:
        unique = metadata.by_real_path(paths)
        self.database = database_identity(conn)
        remembered = _recall(list(unique), self.database)
        self.roots = _roots(unique, {real: m.files for real, m in remembered.items()})
        self._by_real = {r.real: r for r in self.roots}
        self._kept = False  # whether a snapshot was written
        files = {r.real: r.files for r in self.roots}
        # Files changed: this load checks and plans. What that needs is imported while
        # the server reckons the tokens (15-20 ms each at 10,000 components): in this
        # thread, as a thread of its own held the interpreter when the answer came.
        changed_files = any(m.files != files.get(real) for real, m in remembered.items())
        with tokens_meanwhile(conn, [m.ref for m in remembered.values()]) as asked:
            if changed_files:
                _import(_CHECKING)
            tokens = asked()
        self.remembered = {m.ref: m for m in remembered.values()}
        # The packs whose rows are as the last load left them (their files may differ).
        self.rows_kept = {m.ref for m in remembered.values() if m.token == tokens.get(m.ref)}
        self.fresh = {
            real: m
            for real, m in remembered.items()
            if m.files == files.get(real) and m.ref in self.rows_kept
        }
        self.changed = {m.ref for real, m in remembered.items() if real not in self.fresh}

    @property
    def all_fresh(self) -> bool:
        return len(self.fresh) == len(self.roots)

    def in_order(self) -> list[PackMemory]:
        """Every pack's memory, in the order of the roots (when all are fresh)."""
        return [self.fresh[r.real] for r in self.roots]

    def reusable(self) -> list[PackMemory]:
        """The fresh packs that reference no pack that changed: not checked again."""
        return [m for m in self.fresh.values() if not self.changed.intersection(m.uses)]

    def to_check(self, reused: Sequence[PackMemory]) -> list[Path]:
        skipped = {m.root for m in reused}
        return [r.path for r in self.roots if r.real not in skipped]

    @staticmethod
    def agrees(packs: Sequence[Pack], diagnostics: Iterable[Diagnostic], checked: int,
               reused: Sequence[PackMemory]) -> bool:  # fmt: skip
        """Whether checking ``checked`` roots apart from the reused packs found what a
        check of every pack would: see the module's docstring."""
        if len(packs) != checked:
            return False
        if any(d.is_error or d.code in _SEES_OTHER_PACKS for d in diagnostics):
            return False
        refs = {p.ref for p in packs}
        return not any(m.ref in refs or refs.intersection(m.uses) for m in reused)

    def snapshots(self) -> dict[str, Prior]:
        """The snapshots of the remembered packs (loader.packs.snapshot), by the real
        path of their pack: each is the check its pack's memory was made from, kept
        under a name made of that memory's files digest and the loader's code, so that
        another release never reads it. The metadata of the files come along from this
        cache's own walk."""
        from loader.packs.pipeline import Prior  # checking: its modules are needed now

        directory = cache_dir()
        if directory is None:
            return {}
        found = {}
        for memory in self.remembered.values():
            held = _snapshot_path(directory, memory.files)
            root = self._by_real.get(memory.root)
            with suppress(OSError):  # used, so pruned last
                os.utime(held)
                found[memory.root] = Prior(held, root.metadata if root else None)
        return found

    def wants(self, real: str) -> bool:
        """Whether a snapshot of the pack at ``real`` would be kept (a pack directory of
        this load, and a cache directory to keep it in)."""
        return cache_dir() is not None and real in self._by_real

    def keep(self, real: str, data: bytes) -> None:
        """Write a pack's snapshot under the name its next memory will look for."""
        directory = cache_dir()
        if directory is not None and self.wants(real):
            name = _snapshot_path(directory, self._by_real[real].remembered_as)
            self._kept |= _write(name, data)

    def pack_refs(self, packs: Sequence[Pack], reused: Sequence[PackMemory]) -> list[str]:
        """The refs of the checked and the reused packs, in the order of the roots."""
        refs = {m.root: m.ref for m in reused}
        refs.update({os.path.realpath(p.root): p.ref for p in packs})
        return [refs[r.real] for r in self.roots if r.real in refs]

    def learn(
        self, conn: Conn, packs: Sequence[Pack], plan: Plan, report: Report,
        reused: Sequence[PackMemory],
    ) -> list[PackMemory]:  # fmt: skip
        """The memory of every pack the load leaves equal to its files, to be written
        (by :meth:`remember`) once the load has committed: not those that had rows to
        remove or disable. Those changed too recently are remembered as unsettled."""
        absent = {c.pack for c in plan.changes if c.ref in plan.absent.get(c.kind, {})}
        kept = [
            (pack, root)
            for pack in packs
            if (root := self._by_real.get(os.path.realpath(pack.root))) is not None
            and pack.ref not in absent
        ]
        # A reused pack keeps its token: it matched the rows when this load began, and
        # if another load has written them since, the next run sees them differ.
        with tokens_meanwhile(conn, [pack.ref for pack, _ in kept]) as tokens:
            # Reused packs keep their memories: only the checked packs' changes and
            # remarks are gathered (a reload of one pack among 100 has 100,000 changes).
            checked = {p.ref for p in packs}
            grouped: dict[str, list[Change]] = {}
            for change in report.changes:
                if change.pack in checked:
                    grouped.setdefault(change.pack, []).append(change)
            replayed = {id(d) for m in reused for d in m.remarks}
            remarks = [d for d in report.warnings + report.notes if id(d) not in replayed]
            owners = _owners(remarks, self.roots)
            sources = {p.ref: len({c.source.path_text for c in p.all_components()}) for p in packs}
            checked_files = report.files_checked - sum(m.files_checked for m in reused)
            # A file read that became no component is not told apart per pack: none is kept.
            if owners is None or sum(sources.values()) != checked_files:
                return []
            made = [
                (pack, root, _by_kind([_unchanged(c) for c in grouped.get(pack.ref, [])]),
                 {kind: sorted(r) for kind, r in external_targets([pack]).items()}, _uses(pack))
                for pack, root in kept
            ]  # fmt: skip
            found = tokens()
        memories = list(reused)
        for pack, root, changes, external, uses in made:
            memories.append(
                PackMemory(root.real, root.remembered_as, pack.ref, found.get(pack.ref, ""),
                           changes, owners.get(root.real, []), sources[pack.ref], external, uses)
            )  # fmt: skip
        return memories

    def remember(self, memories: Sequence[PackMemory]) -> None:
        """Write the entry, sealed (loader.sealed), an item per pack: a reused pack's item
        is the one read. A cache that cannot be written only costs the next run time."""
        directory = cache_dir()
        if directory is None:
            return
        data = seal(_ENTRY_MAGIC, [m.item or _memory_item(m) for m in memories])
        entry = _entry_path(directory, [r.real for r in self.roots], self.database)
        if data is not None and _write(entry, data):
            _prune(directory, _ENTRY, _KEPT_ENTRIES)  # a few dozen files
        if self._kept:  # only a snapshot added can make theirs hold too many
            _prune(directory / _SNAPSHOTS, ".snapshot", _KEPT_SNAPSHOTS)


def _write(target: Path, data: bytes) -> bool:
    """Replace ``target`` with ``data`` whole, or leave it; whether it was written."""
    try:
        # Private: a snapshot's rows are written as they are when its pack's refs change.
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # One scratch name per thread too: the service runs loads in threads.
        scratch = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        scratch.write_bytes(data)
        scratch.replace(target)
    except OSError:
        return False
    return True


def _prune(directory: Path, suffix: str, kept: int) -> None:
    """Keep the ``kept`` files of ``suffix`` last used (one is touched when read), and no
    scratch file older than an hour (a load killed while writing): CI that seeds a
    new database every run would otherwise add an entry every run, for ever."""
    entries: list[tuple[float, Path]] = []
    stale = time.time() - 3600
    try:
        items = list(os.scandir(directory))
    except OSError:  # none yet (no snapshot was ever kept), or unreadable
        return
    kinds = [item.name.endswith(suffix) for item in items]
    if sum(kinds) <= kept and all(kinds):
        return  # nothing to remove: no file is asked its age (200 took 2 ms)
    for item in items:
        try:
            used = item.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if item.name.endswith(suffix):
            entries.append((used, Path(item.path)))
        elif (item.name.endswith(".tmp") and used < stale) or item.name.endswith(_FORMER_ENTRY):
            with suppress(OSError):
                Path(item.path).unlink(missing_ok=True)
    for _, path in sorted(entries, reverse=True)[kept:]:
        with suppress(OSError):  # a read-only cache is still read
            path.unlink(missing_ok=True)


def in_plan_order(
    groups: Iterable[Mapping[str, Sequence[Change]]], gone: Sequence[Change] = ()
) -> list[Change]:
    """The changes of several packs, each group by kind in plan order and the groups in
    the order of the packs, as one plan of them all orders them: kind by kind, pack by
    pack, then the rows the packs no longer declare (``gone``, in plan order)."""
    by_kind = [*groups, _by_kind(gone)]
    return [c for kind in KINDS for group in by_kind for c in group.get(kind.name, ())]


def patched(memory: PackMemory, planned: Mapping[str, Sequence[Change]]) -> dict[str, list[Change]]:
    """A remembered pack's changes by kind, with those of the components planned again
    (the same kinds and refs: see ``Pack.rechecked``) in their places."""
    again = {(c.kind, c.ref): c for changes in planned.values() for c in changes}
    return {
        kind: [again.get((kind, c.ref), c) for c in changes]
        for kind, changes in memory.changes.items()
    }


def _by_kind(changes: Iterable[Change]) -> dict[str, list[Change]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.kind, []).append(change)
    return grouped


def declared_changes(plan: Plan) -> tuple[dict[str, dict[str, list[Change]]], list[Change]]:
    """A plan's changes of declared components by pack and kind, and the others (rows
    the packs no longer declare)."""
    by_pack: dict[str, dict[str, list[Change]]] = {}
    gone: list[Change] = []
    for change in plan.changes:
        if change.ref in plan.declared.get(change.kind, {}):
            by_pack.setdefault(change.pack, {}).setdefault(change.kind, []).append(change)
        else:
            gone.append(change)
    return by_pack, gone


def external_of(packs: Sequence[Pack], reused: Sequence[PackMemory]) -> dict[str, set[str]]:
    """Per target kind, the refs the packs and the reused packs point at but do not
    declare (what :func:`external_targets` gives for them all). A reused pack's refs
    are gathered only when a target names that pack (a ref starts with its pack's):
    gathering all 100,000 of 100 packs took 0.05 s of every reload."""
    checked = {(c.kind.name, c.ref) for p in packs for c in p.all_components()}
    memories = {m.ref: m for m in reused}
    remembered: dict[str, set[tuple[str, str]]] = {}  # by pack, once a target names it

    def declared(kind: str, ref: str) -> bool:
        if (kind, ref) in checked:
            return True
        memory = memories.get(pack_of(ref))
        if memory is None:
            return False
        if memory.ref not in remembered:
            remembered[memory.ref] = {(k, c.ref) for k, cs in memory.changes.items() for c in cs}
        return (kind, ref) in remembered[memory.ref]

    wanted: dict[str, set[str]] = {}
    found: list[Mapping[str, Iterable[str]]] = [external_targets(packs)]
    found += [m.external for m in reused]
    for each in found:
        for kind, targets in each.items():
            wanted.setdefault(kind, set()).update(r for r in targets if not declared(kind, r))
    return {kind: targets for kind, targets in wanted.items() if targets}


def _uses(pack: Pack) -> list[str]:
    """The other packs whose components ``pack`` references (refs start with their
    pack's ref: the identity check holds every component to that)."""
    used = {pack_of(r.ref) for c in pack.all_components() for r in c.references}
    return sorted(used - {pack.ref})


def _unchanged(change: Change) -> Change:
    return Change(change.kind, change.ref, change.pack, Action.UNCHANGED)


def _owners(
    warnings: Sequence[Diagnostic], roots: Sequence[_Root]
) -> dict[str, list[Diagnostic]] | None:
    """The warnings by the real path of the pack whose file they are about; None when
    one is about no pack (it could not be replayed with one)."""
    first: dict[str, int] = {}  # a root as given, without a final slash -> its position
    for i, root in enumerate(roots):
        first.setdefault(str(root.path).rstrip("/"), i)
    owners: dict[str, list[Diagnostic]] = {}
    for warning in warnings:
        found = _first_root(warning.file, first)
        if found is None:
            return None
        owners.setdefault(roots[found].real, []).append(warning)
    return owners


def _first_root(file: str, first: Mapping[str, int]) -> int | None:
    """The position of the first root that ``file`` is or lies inside: one lookup per
    folder of the file's path, not one test per root (10,000 warnings of 100 packs
    took 0.3 s)."""
    prefixes = [file[:i] for i, char in enumerate(file) if char == "/"]
    found = [first[p] for p in (file, *prefixes) if p in first]
    return min(found, default=None)


# The modules a load that checks and plans imports (loader.database.load).
_CHECKING = (
    "loader.packs.pipeline",
    "loader.database.plan",
    "loader.database.apply",
    "loader.database.lock",
)


def _import(modules: Sequence[str]) -> None:
    """Import ``modules`` ahead of their use. A module that fails to import is left to
    the caller's own import, which raises the error where it is needed."""
    with suppress(Exception):
        for name in modules:
            importlib.import_module(name)


def _roots(unique: Mapping[str, Path], remembered: Mapping[str, str]) -> list[_Root]:
    """The load's pack directories (by real path, as given) with the digest of their
    files, and their files' metadata where that differs from the ``remembered``
    digest. Large loads take it on every core: it is a stat() per file."""
    now = time.time_ns()
    items = [(real, remembered.get(real)) for real in unique]
    walk = partial(_root_digest, code=_code_digest())
    found = fork_map(walk, items, workers_for([Path(r) for r in unique]))
    return [
        _Root(unique[real], real, files, now - newest < metadata.RACY_NS, changed)
        for real, (files, newest, changed) in zip(unique, found, strict=True)
    ]


def _root_digest(
    item: tuple[str, str | None], code: str
) -> tuple[str, int, dict[str, Meta | None] | None]:
    """For a root and the files digest its memory has: the digest of its files'
    metadata and of the loader's ``code``, the newest change, and, when the digest
    is not the remembered one, the metadata (taken in this one walk)."""
    root, before = item
    taken = time.time_ns()
    paths, metas = metadata.walk(root)
    files = _digest([code, root, paths, metas])
    changed = None if before in (None, files) else metadata.by_path(paths, metas, taken)
    return files, metadata.newest(metas), changed


def _digest(value: list[Any]) -> str:
    """A digest of ``value`` (strings, ints, and lists and tuples of them), written by
    marshal in its version 2: later versions write a value shared with another as a
    back-reference, so the same values could give other bytes."""
    return hashlib.sha256(marshal.dumps(value, 2)).hexdigest()


@cache
def _code_digest() -> str:
    """The metadata of the loader's source and schemas, wherever they are installed,
    taken as for a pack's files (a stat per file rather than a read: 0.7 ms instead of
    3.7 ms of every no-op reload): a new release or an edited checkout never trusts an
    old entry."""
    found = []
    for root, suffix in ((PACKAGE_DIR, ".py"), (SCHEMAS_DIR, ".json")):
        paths, metas = metadata.walk(str(root))
        found += [(p, m) for p, m in zip(paths, metas, strict=True) if p.endswith(suffix)]
    return _digest(found)


def database_identity(conn: Conn) -> str:
    """Which database this is, and at which migration: see the module's docstring."""
    row = conn.execute(
        "SELECT (SELECT system_identifier FROM pg_control_system())::text, d.oid::text, "
        "d.datname, has_table_privilege(to_regclass('_sqlx_migrations'), 'SELECT') "
        "FROM pg_database d WHERE d.datname = current_database()"
    ).fetchone()
    assert row is not None
    ledger: object = None
    if row[3]:  # a loader role may not read the ledger: its schema was checked instead
        ledger = conn.execute(
            "SELECT md5(string_agg(version::text || ':' || encode(checksum, 'hex') || ':' "
            "|| success::text, ',' ORDER BY version)) FROM _sqlx_migrations"
        ).fetchone()
    return hashlib.sha256(f"{row[:3]}|{ledger}".encode()).hexdigest()


def pack_tokens(conn: Conn, packs: Sequence[str]) -> dict[str, str]:
    """Per pack, a digest of every row it owns (ids and row versions), kind by kind;
    after the packs' ids, one statement for all packs and kinds."""
    with tokens_meanwhile(conn, packs) as tokens:
        return tokens()


@contextmanager
def tokens_meanwhile(conn: Conn, packs: Sequence[str]) -> Iterator[Callable[[], dict[str, str]]]:
    """:func:`pack_tokens`, asked on entering and read when the function given is
    called: the server reckons them while the caller goes on with other work (5 ms of
    a reload of one changed file). Until they are read, the caller sends nothing else
    on the connection. No pack, no statement."""
    if not packs:
        yield dict
        return
    with conn.pipeline():
        # For this transaction: the workers of a parallel plan took 9 ms to start
        # against 1 ms for a pack's rows among 100,000, and gained nothing on all.
        conn.execute(statements.SERIAL_PLANS)
        owners = statements.owner_params(conn, packs)
    with conn.pipeline():
        asked = conn.execute(statements.owned_rows_digests(), owners)
        yield lambda: _tokens(packs, asked.fetchall())


def _tokens(packs: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> dict[str, str]:
    parts: dict[str, list[str]] = {p: [] for p in packs}
    order = {k.name: i for i, k in enumerate(KINDS)}
    for kind, owner, count, digest in sorted(rows, key=lambda r: (order[r[0]], r[1])):
        parts.setdefault(str(owner), []).append(f"{kind}:{count}:{digest}")
    return {p: hashlib.sha256("|".join(found).encode()).hexdigest() for p, found in parts.items()}


def _snapshot_path(directory: Path, files: str) -> Path:
    name = hashlib.sha256(f"{_code_digest()}\0{files}".encode()).hexdigest()
    return directory / _SNAPSHOTS / f"{name}.snapshot"


def _entry_path(directory: Path, reals: Sequence[str], database: str) -> Path:
    key = hashlib.sha256("\0".join([database, *sorted(reals)]).encode())
    return directory / f"{key.hexdigest()}{_ENTRY}"


def _recall(reals: Sequence[str], database: str) -> dict[str, PackMemory]:
    """The remembered packs of these roots in this database, by real path; none
    when the entry is missing, unreadable or foreign."""
    directory = cache_dir()
    if directory is None:
        return {}
    entry = _entry_path(directory, reals, database)
    try:
        memories = [_memory(item) for item in unseal(_ENTRY_MAGIC, entry.read_bytes())]
    except (OSError, ValueError, EOFError, TypeError, KeyError):  # unreadable or foreign
        return {}
    with suppress(OSError):  # used, so pruned last; a read-only cache is still read
        os.utime(entry)
    return {m.root: m for m in memories}


def _memory(item: tuple[Any, ...]) -> PackMemory:
    root, files, ref, token, changes, remarks, checked, external, uses = item
    return PackMemory(
        root,
        files,
        ref,
        token,
        {kind: _all_unchanged(kind, refs, ref) for kind, refs in changes},
        [
            Diagnostic(f, line, col, code, text, hint, Severity(severity))
            for f, line, col, code, text, hint, severity in remarks
        ],
        checked,
        {kind: list(refs) for kind, refs in external},
        list(uses),
        item,
    )


_NEW_TUPLE = tuple.__new__


def _all_unchanged(kind: str, refs: Iterable[str], pack: str) -> list[Change]:
    """The pack's components of ``kind``, unchanged. Made by C loops, with no Python
    call per ref: ``Change(...)`` for each took 76 ms of a 100,000-component no-op,
    this 43 ms (the fields are Change's, in its order)."""
    fields = zip(repeat(kind), refs, repeat(pack), repeat(Action.UNCHANGED), repeat(()))
    return list(map(_NEW_TUPLE, repeat(Change), fields))


def _memory_item(m: PackMemory) -> tuple[Any, ...]:
    return (
        m.root,
        m.files,
        m.ref,
        m.token,
        tuple((kind, tuple(c.ref for c in changes)) for kind, changes in m.changes.items()),
        tuple((d.file, d.line, d.column, d.code, d.message, d.hint, d.severity.value)
              for d in m.remarks),
        m.files_checked,
        tuple((kind, tuple(refs)) for kind, refs in m.external.items()),
        tuple(m.uses),
    )  # fmt: skip
