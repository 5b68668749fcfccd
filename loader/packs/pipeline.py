"""Validate packs: discover -> parse -> schema -> normalise -> semantics, all files at once.

:func:`check_packs` never raises on bad input: every problem of every file of every
pack becomes a :class:`~loader.report.diagnostics.Diagnostic`, sorted by file and line.
Only packs whose manifests are valid come back as :class:`~loader.packs.model.Pack` objects,
holding the components whose files are valid; ``CheckResult.ok`` says whether there
was any error at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from loader.kinds import KINDS_BY_NAME, PACK, Kind, Link
from loader.packs import jsontext, snapshot
from loader.packs.discover import (
    PackFiles,
    PackPaths,
    PathProblem,
    locate_pack,
    stray_folders,
    with_files,
)
from loader.packs.metadata import Meta, by_real_path, file_metadata
from loader.packs.model import Component, Pack, ParsedFile
from loader.packs.normalise import companion_of, component_ref, normalise
from loader.packs.read import DEFAULT_LIMITS, Limits, Positions, parse_file
from loader.packs.schema.registry import SchemaSet, load_schemas
from loader.packs.schema.validate import validate_file
from loader.packs.semantics import (
    ExternalRefs,
    component_problems,
    cross_pack_problems,
    local_link_params,
    path_diagnostic,
)
from loader.packs.workers import fork_map, workers_for
from loader.report import codes
from loader.report.diagnostics import Diagnostic, sort_diagnostics
from loader.resources import CORE_PACK_DIR


@dataclass
class CheckResult:
    packs: list[Pack] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


class Prior(NamedTuple):
    """An earlier check of a pack: the file holding its snapshot, and the metadata of
    the pack's files (:func:`~loader.packs.metadata.file_metadata`) if the caller has
    taken them already, before any was read."""

    snapshot: Path
    metadata: dict[str, Meta | None] | None = None


class Keeper(Protocol):
    """Where the snapshots of checked packs go (the reload cache)."""

    def wants(self, real: str) -> bool:
        """Whether it would keep a snapshot of the pack at this real path: the others
        are not made."""

    def keep(self, real: str, data: bytes) -> None: ...


def check_packs(
    paths: Sequence[Path],
    external: ExternalRefs | None = None,
    limits: Limits = DEFAULT_LIMITS,
    schemas: SchemaSet | None = None,
    on_pack: Callable[[int, int], None] | None = None,
    prior: Mapping[str, Prior] | None = None,
    keep: Keeper | None = None,
) -> CheckResult:
    """Validate the packs at ``paths`` together (one may use another's runtimes).

    :param external: where references not declared by these packs are looked up (the
        database); without it they are errors.
    :param limits: per-file limits of the YAML reader.
    :param schemas: the schemas to check against (default: the project's ``schemas/``).
    :param on_pack: called with (packs done, packs in all) after each pack, for a
        progress bar.
    :param prior: earlier checks (:class:`Prior`: the file holding a snapshot,
        :mod:`loader.packs.snapshot`) by the real path of their pack: such a pack has
        only its changed files checked again. Each is read where its pack is checked.
    :param keep: given the snapshot of each pack it wants that is checked without an
        error, by the pack's real path, for a later check's ``prior``.
    """
    unique = by_real_path(paths)  # the same pack given twice is read once
    workers = 1 if schemas is not None else workers_for(list(unique.values()))
    making = frozenset(r for r in unique if keep.wants(r)) if keep is not None else frozenset()
    run = _Run(schemas or load_schemas(), limits, making)
    before = prior or {}
    items = [(path, before.get(real)) for real, path in unique.items()]
    parts: Iterable[_Run] = (run.checked(*item) for item in items)
    if workers > 1:  # each worker compiles the schemas once
        parts = fork_map(partial(_check_alone, limits=limits, making=making), items, workers)
    for done, part in enumerate(parts, start=1):
        if part is not run:
            run.merge(part)
        if keep is not None:
            for real, data in part.snapshots:
                keep.keep(real, data)
        part.snapshots.clear()  # written: a large load's would take 1 MB per pack
        if on_pack:
            on_pack(done, len(unique))
    result = run.result
    result.diagnostics += cross_pack_problems(
        result.packs, run.unusable, external, run.partial, packaged_core
    )
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


def _check_alone(item: tuple[Path, Prior | None], limits: Limits, making: frozenset[str]) -> _Run:
    """One pack on its own (in a worker process, when there are workers)."""
    return _Run(_worker_schemas(), limits, making).checked(*item)


@cache
def _worker_schemas() -> SchemaSet:
    return load_schemas()


def _params_again(
    before: snapshot.Snapshot, files: list[snapshot.FileRecord], positions: list[int], pack: Pack
) -> list[Diagnostic]:
    """The rule parameter diagnostics of a pack checked from a snapshot: those of the
    rules in changed files or linked to a changed component found again, the others
    as the snapshot has them (each rule's are in its own file)."""
    records = [*(files[i] for i in positions), *(before.files[i] for i in positions)]
    changed = set(_refs(*records))
    files_changed = {c.source.display for r in records for c in r.components}
    again: set[str] = set()  # the files of the rules checked again

    def affected(rule: Component) -> bool:
        hit = rule.source.display in files_changed or any(
            (link.target, rule.links.get(link.column)) in changed for link in rule.kind.param_links
        )
        if hit:
            again.add(rule.source.display)
        return hit

    found = local_link_params(pack.all_components(), affected)
    return [*(d for d in before.params if d.file not in again), *found]


def _names_a_file(kind: Kind, item: ParsedFile) -> bool:
    """Whether a file of a kind folder names another file (an action's workflow_file):
    a snapshot does not follow such files, so it checks the pack whole."""
    return any(link.file_key in item.data for link in kind.file_links)


def _refs(*records: snapshot.FileRecord) -> list[tuple[str, str]]:
    return [(c.kind.name, c.ref) for r in records for c in r.components]


@cache
def packaged_core() -> Mapping[str, Mapping[str, Component]]:
    """The components of the packaged core pack by kind and ref, checked once: they
    stand in for the core components of kinds a load leaves to core (semantics)."""
    run = _Run(_worker_schemas(), DEFAULT_LIMITS).checked(CORE_PACK_DIR)
    found: dict[str, dict[str, Component]] = {}
    for pack in run.result.packs:
        for component in pack.components:
            found.setdefault(component.kind.name, {})[component.ref] = component
    return found


@dataclass
class _Run:
    """What one call of :func:`check_packs` gathers across packs."""

    schemas: SchemaSet
    limits: Limits
    making: frozenset[str] = frozenset()  # real paths of packs to leave a snapshot of
    result: CheckResult = field(default_factory=CheckResult)
    unusable: dict[str, set[str]] = field(default_factory=dict)  # kind -> refs of failed files
    partial: list[Pack] = field(default_factory=list)  # packs whose manifest is invalid
    snapshots: list[tuple[str, bytes]] = field(default_factory=list)  # (real root, snapshot)

    def __getstate__(self) -> dict[str, Any]:
        # Compiled schemas stay in the worker; only what it found travels back.
        return {k: v for k, v in self.__dict__.items() if k != "schemas"}

    def merge(self, other: _Run) -> None:
        """Take in what a worker found for its pack."""
        self.result.packs += other.result.packs
        self.result.diagnostics += other.result.diagnostics
        self.result.files_checked += other.result.files_checked
        for kind, refs in other.unusable.items():
            self.unusable.setdefault(kind, set()).update(refs)
        self.partial += other.partial

    def checked(self, path: Path, prior: Prior | None = None) -> _Run:
        """This run, with the pack at ``path`` checked (from the snapshot in the file
        ``prior`` when that can stand for it)."""
        self.check_pack(path, prior)
        return self

    def check_pack(self, path: Path, prior: Prior | None = None) -> None:
        files = locate_pack(path, str(path))
        if isinstance(files, Diagnostic):
            self.result.diagnostics.append(files)
            return
        try:
            # From a snapshot, the pack's folders need not be listed.
            if prior is None or not _PackCheck(files, self).from_snapshot(prior):
                files = with_files(files)
                _PackCheck(files, self).run(prior.metadata if prior else None)
        except Exception as exc:  # a bug, not bad input: say where, and go on with the rest
            self.result.diagnostics.append(
                Diagnostic(
                    files.display_root,
                    None,
                    None,
                    codes.INTERNAL_ERROR,
                    f"the validator failed on this pack: {exc!r}",
                    "this is a bug in the validator; please report it with the pack",
                )
            )


class _Made(NamedTuple):
    """What one file of a kind folder became in a check."""

    kind: Kind
    file: ParsedFile
    components: list[Component]
    linked: bool  # it names another file (an action's workflow_file)


class _PackCheck:
    """Parse, schema-check and normalise the files of one pack."""

    def __init__(self, files: PackFiles, shared: _Run) -> None:
        self.files = files
        self.shared = shared
        self.paths = PackPaths(files.root)
        self.used: set[str] = set()  # real paths of the workflow files actions name
        self.by_real: dict[str, ParsedFile] = {}  # files of kind folders, parsed once
        self.real = os.path.realpath(files.root)
        self.making = self.real in shared.making  # it leaves a snapshot

    def run(self, taken: dict[str, Meta | None] | None = None) -> None:
        """Check the pack whole; ``taken`` is its files' metadata if already taken."""
        shared = self.shared.result
        before = (len(shared.diagnostics), shared.files_checked)
        if len(self.files.files) >= jsontext.MANY:  # rows enough to repay orjson's import
            jsontext.write_many()
        metadata = self._metadata(taken) if self.making else None
        manifest = self._parse(self.files.manifest)
        manifest_ok = manifest is not None and self._schema_ok(manifest, PACK, None)
        pack_ref = self._pack_ref(manifest)
        parsed = [(kind, self._parse(path)) for kind, path in self.files.files]
        self.by_real = {self.paths.real(p.path): p for _, p in parsed if p is not None}
        self._note_workflows(parsed)
        made: list[_Made] = []
        for kind, item in parsed:
            if item is None or self.paths.real(item.path) in self.used:
                continue  # unreadable (already reported), or a workflow an action names
            linked = _names_a_file(kind, item)
            made.append(_Made(kind, item, self._components(kind, item, pack_ref), linked))
        components = [c for m in made for c in m.components]
        shared.diagnostics += stray_folders(self.files, self.used, self.paths)
        if manifest is not None and manifest_ok:
            stated = normalise(manifest, PACK, pack_ref)
            pack = Pack(pack_ref, self.files.root, stated, components, self.files.folders)
            shared.packs.append(pack)
            shared.diagnostics += component_problems(pack, pack.all_components())
            params = local_link_params(pack.all_components())
            shared.diagnostics += params
            self._let_go(pack.all_components())
            if metadata is not None:
                self._snapshot(pack, made, metadata, params, before)
            return
        # An invalid manifest: the pack cannot be loaded, but its components are still
        # checked (and may be referenced) under a stand-in manifest.
        self._unusable(PACK, pack_ref)
        source = manifest or ParsedFile(
            self.files.manifest, self.files.display(self.files.manifest), {}, Positions("")
        )
        stand_in = Component(PACK, pack_ref, pack_ref, {}, {}, source)
        partial = Pack(pack_ref, self.files.root, stand_in, components, self.files.folders)
        self.shared.partial.append(partial)
        shared.diagnostics += component_problems(partial, components)
        shared.diagnostics += local_link_params(components)
        self._let_go(components)

    def from_snapshot(self, held: Prior) -> bool:
        """The pack as the snapshot of an earlier check ``held`` has it, with the
        component files changed since checked again; False, having recorded nothing,
        when the snapshot cannot stand for it (loader.packs.snapshot)."""
        reread = partial(parse_file, limits=self.shared.limits)
        try:
            before = snapshot.decode(held.snapshot.read_bytes(), reread)
        except (OSError, ValueError, EOFError, KeyError, TypeError, IndexError):  # not one
            return False
        if before.root != str(self.files.root):
            return False
        metadata = self._metadata(held.metadata)
        positions = snapshot.changed_files(before, metadata)
        if positions is None:
            return False
        scratch = _Run(self.shared.schemas, self.shared.limits)
        again = _PackCheck(self.files, scratch)
        again.used = set(before.used)
        pack = Pack(before.manifest.ref, self.files.root, before.manifest, [], self.files.folders)
        files = list(before.files)
        for i in positions:
            record = again._recheck(files[i], pack)
            if record is None:
                return False  # an error, or a file that now names another: check it all
            files[i] = record
        pack.components = [c for f in files for c in f.components]
        params = _params_again(before, files, positions, pack)
        same = all(_refs(files[i]) == _refs(before.files[i]) for i in positions)
        if same:
            pack.rechecked = frozenset(_refs(*(files[i] for i in positions)))
        self.shared.result.packs.append(pack)
        found = [*before.other, *(d for f in files for d in f.diagnostics), *params]
        self.shared.result.diagnostics += found
        self.shared.result.files_checked += before.files_checked
        if self.making:
            data = snapshot.encode(
                root=before.root,
                manifest=before.manifest,
                files_checked=before.files_checked,
                used=before.used,
                metadata=metadata,
                other=before.other,
                params=params,
                files=[before.entries[i] if f is before.files[i] else f
                       for i, f in enumerate(files)],
            )  # fmt: skip
            self._keep(data)
        return True

    def _metadata(self, taken: dict[str, Meta | None] | None) -> dict[str, Meta | None]:
        """The metadata of the pack's files, taken before any is read (a file written
        after it is seen as changed): now, unless the caller took them already."""
        return taken if taken is not None else file_metadata(str(self.files.root))

    def _recheck(self, record: snapshot.FileRecord, pack: Pack) -> snapshot.FileRecord | None:
        """One component file of a snapshot checked again, as :meth:`run` checks it;
        None when that finds an error or the file names another file."""
        kind = KINDS_BY_NAME[record.kind]
        item = self._parse(self.files.root / record.rel)
        if item is None or _names_a_file(kind, item):
            return None
        components = self._components(kind, item, pack.ref)
        found = self.shared.result.diagnostics
        found += component_problems(pack, components)
        if any(d.is_error for d in found):
            return None
        self._let_go(components)
        self.shared.result.diagnostics = []  # this run is the file's alone: the next starts anew
        return snapshot.FileRecord(record.rel, record.kind, False, components, found)

    def _components(self, kind: Kind, item: ParsedFile, pack_ref: str) -> list[Component]:
        """What one file of a kind folder becomes, when it passes its schema: its
        component, the companion its kind adds, and the files it names."""
        ok = self._schema_ok(item, kind, pack_ref, with_companion=True)
        if not ok or kind.table is None:  # a kind without a table is only validated
            return []
        component = normalise(item, kind, pack_ref)
        companion = companion_of(component, self.files.root)
        found = [component] if companion is None else [component, companion]
        for link in kind.file_links:
            found += self._linked_file(component, link)
        return found

    def _snapshot(
        self,
        pack: Pack,
        made: list[_Made],
        metadata: dict[str, Meta | None],
        params: list[Diagnostic],
        before: tuple[int, int],
    ) -> None:
        """Keep the pack's check as a snapshot, when it found no error and every
        component file is one the metadata names."""
        found = self.shared.result.diagnostics[before[0] :]
        if any(d.is_error for d in found):
            return
        in_params = {id(d) for d in params}
        by_file: dict[str, list[Diagnostic]] = {}
        for d in found:
            if id(d) not in in_params:
                by_file.setdefault(d.file, []).append(d)
        records = []
        for kind, item, components, linked in made:
            rel = self.files.relative(item.path_text)
            if rel is None or rel not in metadata:
                return
            diagnostics = by_file.pop(item.display, [])
            records.append(snapshot.FileRecord(rel, kind.name, linked, components, diagnostics))
        data = snapshot.encode(
            root=str(self.files.root),
            manifest=pack.manifest,
            files_checked=self.shared.result.files_checked - before[1],
            used=self.used,
            metadata=metadata,
            other=[d for ds in by_file.values() for d in ds],
            params=params,
            files=records,
        )
        self._keep(data)

    def _keep(self, data: bytes | None) -> None:
        if data is not None:  # None: it could not be written (snapshot.encode)
            self.shared.snapshots.append((self.real, data))

    def _let_go(self, components: list[Component]) -> None:
        """What is left to check needs only refs and references: keep the values as
        row JSON and read a file again only if a diagnostic needs a place in it."""
        reread = partial(parse_file, limits=self.shared.limits)
        for component in components:
            component.freeze()
            component.source.forget(reread)

    def _pack_ref(self, manifest: ParsedFile | None) -> str:
        """The manifest's ref, or the folder's name when the manifest cannot tell."""
        ref: Any = manifest.data.get("ref") if manifest is not None else None
        if isinstance(ref, str) and ref:
            return ref
        return os.path.basename(self.real)

    def _parse(self, path: Path) -> ParsedFile | None:
        self.shared.result.files_checked += 1
        display = self.files.display(path)
        if not self.paths.inside(path):
            self.shared.result.diagnostics.append(
                Diagnostic(
                    display,
                    None,
                    None,
                    codes.FILE_OUTSIDE_PACK,
                    "this file is a symbolic link to a place outside the pack",
                    "copy the file into the pack instead of linking to it",
                )
            )
            return None
        parsed = parse_file(path, display, self.shared.limits)
        if isinstance(parsed, Diagnostic):
            self.shared.result.diagnostics.append(parsed)
            return None
        return parsed

    def _schema_ok(
        self, parsed: ParsedFile, kind: Kind, pack_ref: str | None, with_companion: bool = False
    ) -> bool:
        """Validate against the kind's schema and record the diagnostics; a failed
        component's ref (when it has one) becomes unusable, and so does its companion's
        when it would have one."""
        found = validate_file(parsed, kind, self.shared.schemas)
        self.shared.result.diagnostics += found
        if not any(d.is_error for d in found):
            return True
        ref = component_ref(parsed, kind, pack_ref) if pack_ref else None
        if ref:
            self._unusable(kind, ref)
            if with_companion and kind.companion:
                self._unusable(KINDS_BY_NAME[kind.companion.kind], ref)
        return False

    def _unusable(self, kind: Kind, ref: str) -> None:
        self.shared.unusable.setdefault(kind.name, set()).add(ref)

    def _note_workflows(self, parsed: list[tuple[Kind, ParsedFile | None]]) -> None:
        """Files that components name through a link's ``file_key`` (an action's
        workflow) are not components of their folder's kind."""
        for kind, item in parsed:
            if item is None:
                continue
            for link in kind.file_links:
                name = item.data.get(link.file_key)
                if isinstance(name, str):
                    located = self.paths.locate(item.path.parent, name)
                    if isinstance(located, Path):
                        self.used.add(self.paths.real(located))

    def _linked_file(self, component: Component, link: Link) -> list[Component]:
        """The file ``component`` names with ``link.file_key`` (an action's
        ``workflow_file``), as a component of the link's target kind under the
        component's own ref."""
        assert link.file_key is not None  # one of Kind.file_links
        target = KINDS_BY_NAME[link.target]
        name = component.source.data.get(link.file_key)
        if not isinstance(name, str):
            return []
        located = self.paths.locate(component.source.path.parent, name)
        if isinstance(located, PathProblem):
            self.shared.result.diagnostics.append(
                path_diagnostic(component, (link.file_key,), located)
            )
            self._unusable(target, component.ref)
            return []
        parsed = self.by_real.get(self.paths.real(located)) or self._parse(located)
        if parsed is None or not self._schema_ok(parsed, target, component.pack_ref):
            self._unusable(target, component.ref)
            return []
        inherited = {column: component.values[column] for column in link.inherits}
        return [normalise(parsed, target, component.pack_ref, component.ref, inherited)]
