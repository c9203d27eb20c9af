"""What a test's ``benchmark`` argument is in pipebench's own pytest processes, and how they report a failure.

In a counted process (:mod:`pipebench.pytest.counting`) and a paired one
(:mod:`pipebench.pytest.pairing`) the test is handed a stand-in for pytest-benchmark's
fixture for its call. What a test reads of the fixture beyond the calls (its name, its
group) comes from the fixture itself; the stand-in says it is enabled, so a test's
checks that run only when the benchmark is measured do run, and it has no timing
statistics. A process that fails says why on one line of stderr, where the side that
started it reads a process's last words.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


class StandIn:
    """The parts of pytest-benchmark's fixture a stand-in shares: state, ``extra_info``, the fixture's attributes."""

    enabled = True
    disabled = False
    stats = None

    def __init__(self, fixture: object = None) -> None:
        self._fixture = fixture
        self.extra_info: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._fixture is None:
            raise AttributeError(name)
        return getattr(self._fixture, name)


def say_why_it_failed(report: pytest.TestReport | pytest.CollectReport, what: str) -> None:
    """One line on stderr: ``what`` failed, and the first error line of the report."""
    lines = [line for line in report.longreprtext.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    reason = (errors[:1] or lines[-1:] or ["(no reason given)"])[0].removeprefix("E").strip()
    print(f"{what}: {reason}", file=sys.stderr)


@contextmanager
def handed(pyfuncitem: pytest.Function, stand_in: StandIn) -> Iterator[None]:
    """The test's ``benchmark`` is ``stand_in`` for the block; pytest-benchmark's report hook gets its own back."""
    original = pyfuncitem.funcargs["benchmark"]
    pyfuncitem.funcargs["benchmark"] = stand_in
    try:
        yield
    finally:
        pyfuncitem.funcargs["benchmark"] = original
