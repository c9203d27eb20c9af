"""Measuring a tree from before the package names: its ``pipeline`` imported as ``pipebench_pipeline``.

The repository's measured package once installed and imported as ``pipeline``, and its
modules imported one another by that name. The harness imports it as
``pipebench_pipeline``; loading such a tree under both names would make every module
twice (its stage registry then refuses the second copy of each stage). So for a base of
that age, :class:`~pipebench.processes.Code` links the tree as ``pipeline`` and puts
beside it a module ``pipebench_pipeline`` that calls :func:`alias`: from then on each
``pipebench_pipeline.X`` is the very module ``pipeline.X``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``new`` and its submodules by importing the same names under ``old``."""

    def __init__(self, new: str, old: str) -> None:
        self.new, self.old = new, old

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec:
        if fullname != self.new and not fullname.startswith(f"{self.new}."):
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.old + spec.name[len(self.new) :])

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was loaded under its old name."""


def alias(new: str, old: str) -> None:
    """Make ``new`` and every ``new.X`` the modules ``old`` and ``old.X`` (called from the module ``new``)."""
    sys.meta_path.insert(0, _Alias(new, old))
    sys.modules[new] = importlib.import_module(old)
