"""The functions that changed between a base commit and the working tree, and which of them no case measured.

git's diff of the measured packages (``git diff --unified=0 BASE``, renames as a
removal and an addition, untracked files whole) names the changed lines of the working
tree; :mod:`pipebench.executed.functions` names the functions holding them. A removal names
the function that held the line before it. A function removed whole is not listed: the
working tree has nothing of it to measure.

A module's own code (:data:`~pipebench.executed.functions.MODULE`: its constants, imports,
class attributes) runs when the module is imported, before any case is traced; it
counts as measured when a measured case executes any function of that module, since
those are the functions that read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipebench.executed.functions import MODULE, units_at
from pipebench.provenance import git

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")

Executed = Mapping[str, Mapping[str, Sequence[str]]]
"""What a run's cases executed: case id -> path -> function names."""


@dataclass(frozen=True, order=True)
class ChangedFunction:
    """A function of the working tree whose lines differ from the base's."""

    path: str
    function: str

    def __str__(self) -> str:
        return f"{self.path} {self.function}"


def changed_lines(diff: bytes) -> dict[str, set[int]]:
    """The working tree's changed lines per file, from ``git diff --unified=0``'s output.

    A hunk that only removes lines names the line before the removal (line 1 at the top).
    Read line by line: a file's ``+++`` header is the one before its first hunk, so an
    added line that itself starts with ``++`` is not taken for one.
    """
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    in_header = False
    for line in diff.split(b"\n"):
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            target = line[4:]
            current = (
                out.setdefault(target[2:].decode("utf-8", "surrogateescape"), set())
                if target.startswith(b"b/")
                else None
            )
        elif line.startswith(b"@@ "):
            in_header = False
            hunk = _HUNK.match(line)
            if hunk is not None and current is not None:
                start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
                current.update(range(start, start + count) if count else [max(start, 1)])
    return {path: lines for path, lines in out.items() if lines}


def changed_functions(repository: Path, base: str, packages: Sequence[str]) -> list[ChangedFunction]:
    """The working tree's functions in ``packages`` (top-level directories) that differ from ``base``'s.

    Raises:
        GitError: git failed (``base`` is not a commit of ``repository``).
    """
    diff = git.git(
        [
            *("-c", "core.quotePath=false", "diff", "--unified=0", "--no-renames", "--no-color", "--no-ext-diff"),
            *("--src-prefix=a/", "--dst-prefix=b/", base, "--", *packages),
        ],
        repository,
    )
    lines = changed_lines(diff)
    untracked = git.git(["ls-files", "--others", "--exclude-standard", "-z", "--", *packages], repository)
    for name in filter(None, untracked.decode("utf-8", "surrogateescape").split("\0")):
        lines[name] = set(range(1, len((repository / name).read_bytes().splitlines()) + 1)) or {1}
    out = set()
    for path, numbers in lines.items():
        file = repository / path
        if not path.endswith(".py") or not file.is_file():
            continue
        try:
            names = units_at(file.read_text(encoding="utf-8"), numbers)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            names = {MODULE}
        out |= {ChangedFunction(path, name) for name in names}
    return sorted(out)


def not_measured(changed: Iterable[ChangedFunction], executed: Executed) -> list[ChangedFunction]:
    """The changed functions that no case of ``executed`` ran (a module's own code: see the module's docstring)."""
    ran: set[tuple[str, str]] = set()
    touched: set[str] = set()
    for by_path in executed.values():
        for path, names in by_path.items():
            ran |= {(path, name) for name in names}
            touched |= {path} if names else set()
    return [
        change
        for change in changed
        if (change.path, change.function) not in ran and not (change.function == MODULE and change.path in touched)
    ]
