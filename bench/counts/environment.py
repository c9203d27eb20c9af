"""The virtual environment a counting worker sees: the caller's, less what moved its counts.

A worker's start-up allocates what its environment hands it, and the heap its counted
calls start from moved with it: venv writes the command that made an environment, with
the environment's own path, into ``pyvenv.cfg``, which the interpreter reads while it
starts; ``site`` runs every ``.pth`` file, and an editable install's names the checkout
it points to; the import system keeps a listing of ``site-packages``, as long as what is
installed there. Two clones of one commit, each with an environment of its own, counted
the deque window 0.46% and the streaming pipeline 0.24% apart. :func:`shell` builds, at a
fixed-length path, an environment that shows the worker the same interpreter and the
distributions it imports, and nothing that names where the caller's lives.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement


def shell(destination: Path, prefix: Path, executable: Path, distribution: str | None) -> Path:
    """A virtual environment at ``destination`` standing in for ``prefix``'s; the path of its interpreter.

    Its ``pyvenv.cfg`` keeps every line of ``prefix``'s but the one saying how it was made,
    and its interpreter is a link straight to the file the caller's finally is.
    With ``distribution``, its ``site-packages`` holds links to what that distribution's
    requirements install, and to its own metadata, and to nothing else (no ``.pth`` file
    but one of theirs, such as coverage's, no other project): a worker that imports only them counts the same in any environment
    that holds the same versions. Where what they install cannot be told (a distribution
    without a record of its files, or installed elsewhere), or without ``distribution``,
    ``site-packages`` is the caller's whole.
    """
    destination.mkdir()
    kept = [
        line
        for line in (prefix / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
        if line.partition("=")[0].strip() != "command"
    ]
    (destination / "pyvenv.cfg").write_text("\n".join(kept) + "\n", encoding="utf-8")
    site_packages = _site_packages(prefix)
    entries = _installed_by(distribution, site_packages) if distribution and site_packages else None
    interpreter = destination / executable.relative_to(prefix)
    for entry in prefix.iterdir():
        if entry.name == "pyvenv.cfg" or entry.name == executable.relative_to(prefix).parts[0]:
            continue
        if entries is not None and entry.resolve() == (prefix / "lib").resolve():
            continue
        (destination / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    if entries is not None and site_packages is not None:
        _mirror(prefix / "lib", destination / "lib", site_packages, entries)
    # The interpreter alone, linked to the file it finally is: the interpreter follows
    # its links while it starts, and a chain through the caller's environment hands it
    # that environment's path (two clones still counted dict records 0.03% apart).
    interpreter.parent.mkdir(parents=True)
    interpreter.symlink_to(os.path.realpath(executable))
    return interpreter


def _site_packages(prefix: Path) -> Path | None:
    """``prefix``'s one ``site-packages`` directory under ``lib``, or None where it has none or several."""
    found = sorted((prefix / "lib").glob("python*/site-packages"))
    return found[0] if len(found) == 1 else None


def _mirror(source: Path, destination: Path, site_packages: Path, entries: Iterable[str]) -> None:
    """``source`` (``prefix/lib``) as links at ``destination``, ``site_packages`` as a directory of ``entries``."""
    destination.mkdir()
    for entry in source.iterdir():
        if entry == site_packages.parent:
            _mirror(entry, destination / entry.name, site_packages, entries)
        elif entry == site_packages:
            farm = destination / entry.name
            farm.mkdir()
            for name in sorted(entries):
                (farm / name).symlink_to(entry / name, target_is_directory=(entry / name).is_dir())
        else:
            (destination / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


def _installed_by(name: str, site_packages: Path) -> set[str] | None:
    """The top-level entries of ``site_packages`` that ``name``'s requirements installed, and ``name``'s metadata.

    None where one of them has no record of its files or lies outside ``site_packages``.
    """
    own = _installed(name, site_packages)
    if own is None:
        return None
    entries = {entry for entry in _top_levels(own) or () if entry.endswith(".dist-info")}
    for distribution in _required(own, site_packages):
        top_levels = _top_levels(distribution)
        if top_levels is None:
            return None
        entries |= top_levels
    if not all((site_packages / entry).exists() for entry in entries):
        return None
    return entries


def _top_levels(distribution: metadata.Distribution) -> set[str] | None:
    """The first part of each path the distribution's record lists inside its directory (not ``../bin``)."""
    files = distribution.files
    if files is None:
        return None
    parts = (PurePosixPath(str(file)).parts for file in files)
    return {part[0] for part in parts if part and part[0] not in ("..", "/")}


def _installed(name: str, site_packages: Path) -> metadata.Distribution | None:
    """The distribution called ``name`` in ``site_packages`` (not one the caller's path finds elsewhere), or None."""
    return next(iter(metadata.distributions(name=name, path=[str(site_packages)])), None)


def _required(distribution: metadata.Distribution, site_packages: Path) -> list[metadata.Distribution]:
    """Every distribution ``distribution`` requires without extras, transitively, as installed in ``site_packages``."""
    found: dict[str, metadata.Distribution] = {}
    waiting = list(distribution.requires or [])
    while waiting:
        try:
            requirement = Requirement(waiting.pop())
        except InvalidRequirement:
            continue
        key = _canonical(requirement.name)
        if key in found or (requirement.marker is not None and not requirement.marker.evaluate({"extra": ""})):
            continue
        required = _installed(requirement.name, site_packages)
        if required is None:
            continue
        found[key] = required
        waiting += required.requires or []
    return list(found.values())


def _canonical(name: str) -> str:
    """A distribution's name as the registry compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()
