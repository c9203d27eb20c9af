"""``pipebench``: the harness's command line.

Its arguments are declared in :mod:`pipebench.cli.parser`, its commands in :mod:`pipebench.cli.commands`.
"""

from pipebench.cli.commands import main

__all__ = ["main"]
