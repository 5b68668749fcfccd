"""Find a pack's files, and keep every path a pack names inside the pack.

A pack is a directory holding ``pack.yaml``; each kind of :data:`loader.kinds.FOLDER_KINDS`
has its folder, whose ``*.yaml`` / ``*.yml`` files (not those of subfolders) are
components of that kind. Workflow files are not found by folder: the actions that name
them with ``workflow_file`` bring them in.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from loader import codes
from loader.diagnostics import Diagnostic, Severity
from loader.kinds import FOLDER_KINDS, Kind

MANIFEST = "pack.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class PackFiles:
    """What discovery found in one pack directory."""

    root: Path
    display_root: str
    manifest: Path
    files: list[tuple[Kind, Path]] = field(default_factory=list)

    def display(self, path: Path) -> str:
        """``path`` as people see it: under the pack path they gave, with ``/``."""
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return path.as_posix()
        return (PurePosixPath(self.display_root) / relative.as_posix()).as_posix()


def discover_pack(root: Path, display_root: str | None = None) -> PackFiles | Diagnostic:
    """The manifest and component files of the pack at ``root``, or why there is none."""
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
        return discover_pack(root.parent, str(PurePosixPath(shown).parent))
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
    pack = PackFiles(root, shown, manifest)
    for kind in FOLDER_KINDS:
        pack.files += [(kind, path) for path in yaml_files(root / str(kind.folder))]
    return pack


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
    if not folder.is_dir():
        return []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.suffix in YAML_SUFFIXES and not p.name.startswith("."))


def stray_folders(pack: PackFiles, used: set[str], paths: PackPaths) -> list[Diagnostic]:
    """Warnings for top-level folders holding YAML files that nothing reads (``used``:
    the real paths of the files that actions name as workflows)."""
    kind_folders = {k.folder for k in FOLDER_KINDS}
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
                    "kind folders are: " + ", ".join(sorted(f"{f}/" for f in kind_folders if f)),
                    Severity.WARNING,
                )
            )
    return found


@dataclass(frozen=True)
class PathProblem:
    code: str
    message: str
    hint: str


class PackPaths:
    """Path safety for one pack during one run: where paths really lead, with the real
    path of each directory worked out once (symlinks may change between runs, so the
    cache lives no longer than this object)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._real_dirs: dict[str, str] = {}

    def real(self, path: Path) -> str:
        """``path`` with every symlink resolved."""
        if os.path.islink(path):
            return os.path.realpath(path)
        parent = str(path.parent)
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = os.path.realpath(parent)
        return os.path.join(real_parent, path.name)

    def inside(self, path: Path) -> bool:
        """Whether ``path``, with every symlink resolved, stays inside the pack."""
        real = self.real(path)
        return real == self._real_root or real.startswith(self._real_root + os.sep)

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
        for candidate in dict.fromkeys((component_dir / value, self.root / value)):
            try:
                info = candidate.lstat()
            except OSError:
                continue  # not there: try the next place
            if not self.inside(candidate):
                return PathProblem(
                    codes.PATH_ESCAPES,
                    f"'{value}' is a symbolic link that leads outside the pack",
                    "copy the file into the pack instead of linking to it",
                )
            if not (stat.S_ISREG(info.st_mode) or candidate.is_file()):
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


def _path_problem(value: str) -> PathProblem | None:
    if value.startswith(("/", "\\")) or _DRIVE.match(value) or os.path.isabs(value):
        return PathProblem(
            codes.PATH_ABSOLUTE,
            f"'{value}' is an absolute path",
            "name the file relative to the component's folder",
        )
    if ".." in re.split(r"[/\\]", value):
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
