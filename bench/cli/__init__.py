"""``pipebench``: the harness's command line.

Its arguments are declared in :mod:`bench.cli.parser`, its commands in :mod:`bench.cli.commands`.
"""

from bench.cli.commands import main

__all__ = ["main"]
