"""pipebench's harness: cases, runners, results, statistics, reports and the CLI.

Data flows one way: the matrix declares :class:`~pipebench.cases.Case` objects, workloads
prepare them, runners measure them, and the command line prints what they found.

The names below load on first use: importing ``pipebench`` (as pytest does for the plugin, in
every session of an environment pipebench is installed in) must not import numpy and the
pipeline, which took 0.4 s.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Case": "pipebench.cases",
    "expand": "pipebench.cases",
    "select": "pipebench.cases",
    "SUITES": "pipebench.matrix",
    "all_cases": "pipebench.matrix",
}

__all__ = ["SUITES", "Case", "all_cases", "expand", "select"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipebench' has no attribute {name!r}")
