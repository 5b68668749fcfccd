"""Find a pack's files, and keep every path a pack names inside the pack.

A pack is a directory holding ``pack.yaml``; each kind of :data:`loader.kinds.FOLDER_KINDS`
has its folders, whose ``*.yaml`` / ``*.yml`` files (not those of subfolders) are
components of that kind. A workflow file may also be named by an action's
``workflow_file``, wherever it is: then it is that action's workflow.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from loader.kinds import ALL_KINDS, FOLDER_KINDS, MANIFEST, YAML_SUFFIXES, Kind
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity

_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile(r"[/\\]")


@dataclass
class PackFiles:
    """What discovery found in one pack directory."""

    root: Path
    display_root: str
    manifest: Path
    files: list[tuple[Kind, Path]] = field(default_factory=list)
    folders: frozenset[str] = frozenset()  # the kinds' folders that exist (Pack.folders)

    def display(self, path: Path) -> str:
        """``path`` as people see it: under the pack path they gave, with ``/``."""
        text = str(path)
        under, shown = self._prefixes
        if under and text.startswith(under):  # the usual case, without building paths
            return shown + text[len(under) :]
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return path.as_posix()
        return (PurePosixPath(self.display_root) / relative.as_posix()).as_posix()

    def relative(self, text: str) -> str | None:
        """A path under ``root``, given as text, relative to it; None when not under."""
        under = self._prefixes[0]
        return text[len(under) :] if text.startswith(under) else None

    @cached_property
    def _prefixes(self) -> tuple[str, str]:
        """How the text of a path under ``root`` starts, and what ``display`` puts in its
        place: exactly what ``relative_to`` and joining to ``display_root`` give. A root
        without a name (``/``, ``.``) has no such prefix and takes the long way."""
        under = str(self.root) + "/" if self.root.name else ""
        return under, (PurePosixPath(self.display_root) / "_").as_posix()[:-1]


def discover_pack(root: Path, display_root: str | None = None) -> PackFiles | Diagnostic:
    """The manifest and component files of the pack at ``root``, or why there is none."""
    found = locate_pack(root, display_root)
    return found if isinstance(found, Diagnostic) else with_files(found)


def with_files(pack: PackFiles) -> PackFiles:
    """``pack`` with the YAML files of its kinds' folders, in the order they are read."""
    files = [
        (kind, path)
        for kind in FOLDER_KINDS
        for folder in kind.folders
        for path in yaml_files(pack.root / folder)
    ]
    return dataclasses.replace(pack, files=files)


def locate_pack(root: Path, display_root: str | None = None) -> PackFiles | Diagnostic:
    """The pack at ``root`` without its component files (a snapshot may name them),
    or why there is none."""
    shown = display_root if display_root is not None else root.as_posix()
    if not root.exists():
        return Diagnostic(
            shown,
            None,
            None,
            codes.PACK_NOT_FOUND,
            "no such file or directory",
            "give the path of a pack directory (the folder holding pack.yaml)",
        )
    if root.is_file() and root.name == MANIFEST:
        return locate_pack(root.parent, str(PurePosixPath(shown).parent))
    manifest = root / MANIFEST
    if not manifest.is_file():
        return Diagnostic(
            shown,
            None,
            None,
            codes.PACK_NO_MANIFEST,
            "not a pack: there is no pack.yaml here",
            _manifest_hint(root),
        )
    managing = {folder for kind in ALL_KINDS for folder in kind.managing_folders}
    return PackFiles(root, shown, manifest, folders=_present_folders(root, managing))


def _present_folders(root: Path, names: set[str]) -> frozenset[str]:
    return frozenset(name for name in names if (root / name).is_dir())


def _manifest_hint(root: Path) -> str:
    if (root / "pack.yml").is_file():
        return "rename pack.yml to pack.yaml"
    if root.is_dir() and any((child / MANIFEST).is_file() for child in _subdirs(root)):
        return "this folder holds packs: give the pack directories themselves"
    return "give the path of a pack directory (the folder holding pack.yaml)"


def _subdirs(root: Path) -> list[Path]:
    try:
        return sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return []


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files directly in ``folder``, sorted; hidden files are skipped."""
    try:
        names = os.listdir(folder)
    except OSError:  # not there, not a folder, or not readable
        return []
    chosen = (n for n in names if n.endswith(YAML_SUFFIXES) and not n.startswith("."))
    return [folder / name for name in sorted(chosen)]


def file_stem(name: str, suffix: str = "") -> str:
    """A file's name without its YAML suffix, then without ``suffix``:
    ``flow.workflow.yaml`` -> ``flow`` for ``.workflow``."""
    stem = next((name[: -len(s)] for s in YAML_SUFFIXES if name.endswith(s)), name)
    return stem[: -len(suffix)] if suffix and stem.endswith(suffix) else stem


def stray_folders(pack: PackFiles, used: set[str], paths: PackPaths) -> list[Diagnostic]:
    """Warnings for top-level folders holding YAML files that nothing reads (``used``:
    the real paths of the files that actions name as workflows)."""
    kind_folders = {f.split("/", 1)[0] for k in FOLDER_KINDS for f in k.folders}
    found = []
    for folder in _subdirs(pack.root):
        if folder.name in kind_folders or folder.name.startswith("."):
            continue
        unread = [p for p in yaml_files(folder) if paths.real(p) not in used]
        if unread:
            names = ", ".join(p.name for p in unread[:3]) + (", ..." if len(unread) > 3 else "")
            found.append(
                Diagnostic(
                    pack.display(folder) + "/",
                    None,
                    None,
                    codes.FILE_STRAY_FOLDER,
                    f"the YAML files in '{folder.name}/' ({names}) are not read: no component "
                    "kind uses this folder and no action names them",
                    "kind folders are: " + ", ".join(sorted(f"{f}/" for f in kind_folders)),
                    Severity.WARNING,
                )
            )
    return found


class PathProblem(NamedTuple):
    code: str
    message: str
    hint: str


class PackPaths:
    """Path safety for one pack during one run: where paths really lead. Each folder is
    listed and its real path worked out once, and what is found about a path is kept
    (symlinks may change between runs, so nothing lives longer than this object)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._folders: dict[str, _Folder] = {}
        self._seen: dict[str, _Seen] = {}

    def real(self, path: Path) -> str:
        """``path`` with every symlink resolved."""
        return self._look(str(path)).real

    def inside(self, path: Path) -> bool:
        """Whether ``path``, with every symlink resolved, stays inside the pack."""
        return self._within(self._look(str(path)).real)

    def locate(self, component_dir: Path, value: str) -> Path | PathProblem:
        """The file a component names with ``value`` (``entry_point``, ``workflow_file``).

        ``value`` is looked up next to the component's YAML first, then from the pack
        root (the seed-era test pack wrote ``actions/echo.py``). It must be relative,
        must not climb out with ``..``, must stay inside the pack once symlinks are
        resolved, and must be a regular file.
        """
        problem = _path_problem(value)
        if problem:
            return problem
        for place in (component_dir, self.root):
            candidate = place / value
            seen = self._look(str(candidate))
            if not seen.exists:
                continue  # not there: try the next place
            if not self._within(seen.real):
                return PathProblem(
                    codes.PATH_ESCAPES,
                    f"'{value}' is a symbolic link that leads outside the pack",
                    "copy the file into the pack instead of linking to it",
                )
            if not (seen.regular or candidate.is_file()):
                return PathProblem(
                    codes.PATH_NOT_FILE,
                    f"'{value}' is not a regular file",
                    "name a file, not a folder or a special file",
                )
            return candidate
        return PathProblem(
            codes.PATH_MISSING,
            f"there is no file '{value}'",
            f"looked next to the YAML file ({component_dir.name}/) and at the pack root",
        )

    def _within(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _look(self, text: str) -> _Seen:
        seen = self._seen.get(text)
        if seen is None:
            seen = self._seen[text] = self._first_look(text)
        return seen

    def _first_look(self, text: str) -> _Seen:
        """What the path ``text`` is, from its folder's listing; a name the listing lacks
        (the folder cannot be listed, or the name is new) is asked about directly."""
        parent, name = split_path(text)
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = _Folder(parent)
        entry = folder.entry(name)
        if entry is not None:
            link, regular = entry.is_symlink(), entry.is_file(follow_symlinks=False)
        else:
            try:
                mode = os.lstat(text).st_mode
            except OSError:
                return _Seen(os.path.join(folder.real, name), False, False)
            link, regular = stat.S_ISLNK(mode), stat.S_ISREG(mode)
        real = os.path.realpath(text) if link else os.path.join(folder.real, name)
        return _Seen(real, True, regular)


class _Seen(NamedTuple):
    """One path as a run found it (``lstat``, without following a last symlink)."""

    real: str  # with every symlink resolved
    exists: bool
    regular: bool  # a regular file itself, not a symlink to one


class _Folder:
    """One folder as a run found it: its real path, and its entries by name, listed
    once a few of its paths were asked about (none when it cannot be listed)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.real = os.path.realpath(path)
        self.entries: dict[str, os.DirEntry[str]] | None = None
        self.asked = 0

    def entry(self, name: str) -> os.DirEntry[str] | None:
        """The entry ``name`` from the listing; None when it lacks it, or before the
        folder is listed (the caller then asks about the path itself)."""
        self.asked += 1
        if self.entries is None:
            if self.asked <= _ASKED_BEFORE_LISTING:
                return None
            self.entries = {}
            try:
                with os.scandir(self.path) as listing:
                    self.entries = {entry.name: entry for entry in listing}
            except OSError:
                pass
        return self.entries.get(name)


# Paths of one folder asked about one by one before it is listed: a file checked again
# alone asks about two or three, and listing a folder of 600 files took 1.5 ms.
_ASKED_BEFORE_LISTING = 4


def split_path(text: str) -> tuple[str, str]:
    """The ``parent`` and ``name`` of the path that ``str`` gave ``text``, as pathlib has
    them, without building it (``os.path.split`` alone differs on ``.`` and ``a``)."""
    if text == os.curdir:
        return text, ""
    parent, name = os.path.split(text)
    return parent or os.curdir, name


def _path_problem(value: str) -> PathProblem | None:
    if value.startswith(("/", "\\")) or _DRIVE.match(value) or os.path.isabs(value):
        return PathProblem(
            codes.PATH_ABSOLUTE,
            f"'{value}' is an absolute path",
            "name the file relative to the component's folder",
        )
    if ".." in _SEPARATORS.split(value):
        return PathProblem(
            codes.PATH_ESCAPES,
            f"'{value}' climbs out of its folder with '..'",
            "keep the file inside the pack and name it without '..'",
        )
    if "\x00" in value or not value.strip():
        return PathProblem(
            codes.PATH_MISSING,
            f"{value!r} is not a file name",
            "name the file relative to the component's folder",
        )
    return None
