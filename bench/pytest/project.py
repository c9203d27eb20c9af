"""The session's project as pipebench's own pytest processes must see it: root, start, configuration, imports.

``--pipebench-instructions`` and ``--pipebench-paired`` measure a session's benchmark tests
again in pytest processes of their own, and a test passes there only if its project looks
as it did to the session: the same configuration file (its ``pythonpath``, ``addopts``,
markers, warning filters), the directory the session started in (a test that reads
``tests/data.csv`` reads it relative to that), and the session's import path.

pytest finds its configuration file by searching upwards from the paths on its command
line, and while it searches, the value of a plugin's option given as a word of its own
is one of those paths (pytest issue #8846): a spec file in a scratch directory outside
the project took the search out of it, the project's ``pyproject.toml`` went unread, and
a src-layout project's tests failed to import their package. So the file the session
read is named outright, and options are given as ``--name=value``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

# The counted and paired processes hand each test a stand-in for pytest-benchmark's
# fixture, so the fixture itself goes unused on purpose; its warning that it did would
# fail the test in a project whose configuration turns warnings into errors. A ``-W`` on
# the command line takes precedence over the configuration's ``filterwarnings``.
_FIXTURE_UNUSED = "ignore::pytest_benchmark.logger.PytestBenchmarkWarning"


@dataclass(frozen=True)
class Project:
    """Where a session's tests live, where it started, what it read and what it imported from.

    ``imports_from`` holds the session's import path entries beyond pytest's own
    insertions (:func:`import_path`), those inside the root relative to it.
    """

    rootdir: Path
    invocation: Path
    inifile: Path | None = None
    imports_from: tuple[str, ...] = ()

    @classmethod
    def of(cls, config: pytest.Config) -> Project:
        """The project of a running session."""
        rootdir, invocation = Path(config.rootpath), Path(config.invocation_params.dir)
        path = import_path(rootdir, invocation, sys.path, os.environ.get("PYTHONPATH"))
        return cls(rootdir, invocation, config.inipath, tuple(path))

    def reached(self, path: Path, link: Path | None = None) -> Path:
        """``path`` as a process reaches it: through ``link`` (a link to the root) when inside the root."""
        where = path.absolute()
        if link is None or not where.is_relative_to(self.rootdir.absolute()):
            return where
        return link / where.relative_to(self.rootdir.absolute())

    def options(self, link: Path | None = None) -> list[str]:
        """Options that make a pytest process read the session's configuration file and root, through ``link``."""
        options = [f"--rootdir={link if link is not None else self.rootdir}", "-W", _FIXTURE_UNUSED]
        if self.inifile is None:
            return options
        return [f"--config-file={self.reached(Path(self.inifile), link)}", *options]

    def import_entries(self, link: Path) -> list[str]:
        """The session's import path entries, those inside the root through ``link``."""
        return [str(link / entry) if not Path(entry).is_absolute() else entry for entry in self.imports_from]


def import_path(rootdir: Path, invocation: Path, path: Sequence[str], python_path: str | None) -> list[str]:
    """What a measuring process puts on its path for the project, as the session had it.

    ``python -m pytest`` puts the directory it was started in first on the path, and a
    project's modules are often imported from there; ``PYTHONPATH`` is the project's own
    choice. Directories inside the project are given relative to its root, so that the
    counted processes reach them through their link to it and the checkout's path does
    not reach them.
    """
    wanted = [str(invocation)] if str(invocation) in path else []
    wanted += [entry for entry in (python_path or "").split(os.pathsep) if entry]
    out = []
    for entry in wanted:
        where = Path(entry).absolute()
        inside = where.is_relative_to(rootdir.absolute())
        out.append(str(where.relative_to(rootdir.absolute())) if inside else str(where))
    return list(dict.fromkeys(out))
