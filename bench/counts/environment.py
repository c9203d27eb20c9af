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

import importlib.util
import marshal
import os
import re
import types
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement


def shell(
    destination: Path, prefix: Path, executable: Path, distribution: str | None, packages: Path | None = None
) -> Path:
    """A virtual environment at ``destination`` standing in for ``prefix``'s; the path of its interpreter.

    Its ``pyvenv.cfg`` keeps every line of ``prefix``'s but the one saying how it was made,
    and its interpreter is a link straight to the file the caller's finally is.
    With ``distribution``, its ``site-packages`` holds links to what that distribution's
    requirements install, and to its own metadata, and to nothing else (no ``.pth`` file
    but one of theirs, such as coverage's, no other project): a worker that imports only
    them counts the same in any environment that holds the same versions. With
    ``packages`` (made by :func:`recompiled`), it links to those instead, whose byte code
    does not name where the caller's environment is. Where what they install cannot be
    told (a distribution without a record of its files, or installed elsewhere), or
    without ``distribution``, ``site-packages`` is the caller's whole.
    """
    destination.mkdir()
    kept = [
        line
        for line in (prefix / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
        if line.partition("=")[0].strip() != "command"
    ]
    (destination / "pyvenv.cfg").write_text("\n".join(kept) + "\n", encoding="utf-8")
    site_packages = _site_packages(prefix)
    if packages is not None and site_packages is not None:
        entries: set[str] | None = {entry.name for entry in packages.iterdir()}
    else:
        entries = _installed_by(distribution, site_packages) if distribution and site_packages else None
    interpreter = destination / executable.relative_to(prefix)
    for entry in prefix.iterdir():
        if entry.name == "pyvenv.cfg" or entry.name == executable.relative_to(prefix).parts[0]:
            continue
        if entries is not None and entry.resolve() == (prefix / "lib").resolve():
            continue
        (destination / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    if entries is not None and site_packages is not None:
        _mirror(prefix / "lib", destination / "lib", site_packages, entries, packages or site_packages)
    # The interpreter alone, linked to the file it finally is: the interpreter follows
    # its links while it starts, and a chain through the caller's environment hands it
    # that environment's path (two clones still counted dict records 0.03% apart).
    interpreter.parent.mkdir(parents=True)
    interpreter.symlink_to(os.path.realpath(executable))
    return interpreter


COMPILED_AS = "/site-packages"
"""The directory the byte code of :func:`recompiled` packages names: one length from any environment."""


def recompiled(destination: Path, prefix: Path, distribution: str) -> Path | None:
    """``distribution``'s requirements as installed in ``prefix``, at ``destination``, their byte code renamed.

    Each module's byte code names the file pip compiled it from, in the caller's
    environment, and the interpreter reads that name before it puts in the one it found
    the module at: the name's length moved the heap the counted calls start from (one
    commit counted from environments at paths 24 characters apart: instructions 0.05%,
    estimated cycles 0.57%). Here every file is a link to the caller's but the byte code,
    loaded and written again naming its module under :data:`COMPILED_AS` (the same code
    objects, only their file names changed, as ``compileall -p`` would name them).
    Directories are made anew, so a module's byte code is found beside its links. None
    where ``shell`` would show the caller's whole ``site-packages``.
    """
    site_packages, entries = _requirements(prefix, distribution)
    if site_packages is None or entries is None:
        return None
    destination.mkdir()
    for name in sorted(entries):
        _renamed_tree(site_packages / name, destination / name, site_packages)
    return destination


def recompilable(prefix: Path, distribution: str) -> bool:
    """Whether :func:`recompiled` can stand in for ``distribution``'s requirements as installed in ``prefix``."""
    return _requirements(prefix, distribution)[1] is not None


def _requirements(prefix: Path, distribution: str) -> tuple[Path | None, set[str] | None]:
    """``prefix``'s ``site-packages`` and the entries of it that ``distribution``'s requirements installed."""
    site_packages = _site_packages(prefix)
    return site_packages, _installed_by(distribution, site_packages) if site_packages else None


def _renamed_tree(source: Path, destination: Path, site_packages: Path) -> None:
    if not source.is_dir() or source.is_symlink():
        destination.symlink_to(source)
        return
    destination.mkdir()
    for entry in source.iterdir():
        if entry.parent.name == "__pycache__" and entry.suffix == ".pyc" and not entry.is_symlink():
            _rename_byte_code(entry, destination / entry.name, site_packages)
        else:
            _renamed_tree(entry, destination / entry.name, site_packages)


def _rename_byte_code(cached: Path, destination: Path, site_packages: Path) -> None:
    """``cached`` written again at ``destination``, its code naming its source under :data:`COMPILED_AS`."""
    try:
        data = cached.read_bytes()
        source = Path(importlib.util.source_from_cache(str(cached)))
        if data[:4] != importlib.util.MAGIC_NUMBER:
            raise ValueError("another interpreter's byte code")
        code = marshal.loads(data[16:])
    except (OSError, ValueError, EOFError, TypeError):
        # Unreadable, or not byte code this interpreter reads: linked as it is, which the
        # interpreter will not load either.
        destination.symlink_to(cached)
        return
    name = str(PurePosixPath(COMPILED_AS) / source.relative_to(site_packages).as_posix())
    destination.write_bytes(data[:16] + marshal.dumps(_named(code, name)))


def _named(code: types.CodeType, name: str) -> types.CodeType:
    """``code`` and every code object among its constants, their file name ``name``."""
    constants = tuple(_named(item, name) if isinstance(item, types.CodeType) else item for item in code.co_consts)
    return code.replace(co_filename=name, co_consts=constants)


def _site_packages(prefix: Path) -> Path | None:
    """``prefix``'s one ``site-packages`` directory under ``lib``, or None where it has none or several."""
    found = sorted((prefix / "lib").glob("python*/site-packages"))
    return found[0] if len(found) == 1 else None


def _mirror(source: Path, destination: Path, site_packages: Path, entries: Iterable[str], linked: Path) -> None:
    """``source`` (``prefix/lib``) as links at ``destination``, ``site_packages`` as links into ``linked``."""
    destination.mkdir()
    for entry in source.iterdir():
        if entry == site_packages.parent:
            _mirror(entry, destination / entry.name, site_packages, entries, linked)
        elif entry == site_packages:
            farm = destination / entry.name
            farm.mkdir()
            for name in sorted(entries):
                (farm / name).symlink_to(linked / name, target_is_directory=(linked / name).is_dir())
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
