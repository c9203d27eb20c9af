"""The harness's exception tree; each error carries the exit code the CLI returns.

::

    BenchError (exit 1)
    ├── UsageError (exit 2)       a bad selection, option or argument
    └── InputError (exit 2)       a missing, corrupt or incompatible file
"""

from __future__ import annotations


class BenchError(Exception):
    """Base of the harness's errors."""

    exit_code = 1


class UsageError(BenchError):
    """The command line asks for something that does not exist or cannot be done."""

    exit_code = 2


class InputError(BenchError):
    """A file given to the harness is missing, unreadable or of the wrong kind."""

    exit_code = 2
