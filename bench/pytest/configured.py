"""The options that give pipebench's own pytest processes the session's configuration.

``--pipebench-instructions`` and ``--pipebench-paired`` start pytest processes of their
own for the session's benchmark tests. pytest finds its configuration file by searching
upwards from the paths on its command line, and while it searches, the value of a
plugin's option given as a word of its own is one of those paths: a spec file in a
scratch directory outside the project took the search out of it, the project's
``pyproject.toml`` was never read, and a test of a project whose ``pythonpath = ["src"]``
reaches its package failed to import it (found counting a src-layout project). So the
file the session read is named outright, and the options are given as ``--name=value``.
"""

from __future__ import annotations

from pathlib import Path

# The counted and paired processes hand each test a stand-in for pytest-benchmark's
# fixture, so the fixture itself goes unused on purpose; its warning that it did would
# fail a test in a project whose configuration turns warnings into errors. A ``-W`` on
# the command line takes precedence over the configuration's ``filterwarnings``.
_FIXTURE_UNUSED = "ignore::pytest_benchmark.logger.PytestBenchmarkWarning"


def session_options(inifile: Path | None, rootdir: Path, reached_as: Path | None = None) -> list[str]:
    """Options that make a pytest process read the session's configuration file and root.

    ``inifile`` is the file the session read (``config.inipath``), ``None`` when it read
    none; ``reached_as``, when given, is the path through which the process reaches
    ``rootdir`` (a link), and a file inside the root is named through it.
    """
    root = reached_as if reached_as is not None else rootdir
    options = [f"--rootdir={root}", "-W", _FIXTURE_UNUSED]
    if inifile is None:
        return options
    inifile = Path(inifile)
    if reached_as is not None and inifile.absolute().is_relative_to(rootdir.absolute()):
        inifile = reached_as / inifile.absolute().relative_to(rootdir.absolute())
    return [f"--config-file={inifile}", *options]
