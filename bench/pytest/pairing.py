"""The timed side of ``--pipebench-paired``: one benchmark group's tests, timed round by round in one process.

Loaded with ``-p pipebench.pytest.pairing --pipebench-pair-spec SPEC`` in a pytest
process of its own, started by :mod:`pipebench.pytest.paired` for the tests of one group
(its reference and its members). Each test runs as usual, except that its ``benchmark``
calls the function once (so the test's own checks see a real result) and keeps it. Once
every test has run, the kept calls are timed as :func:`pipebench.timing.worker.measure_group`
times a group of cases: a warm-up round, then rounds in an order rotated from round to
round, each call giving one value per round, so that value ``k`` of every test was taken
in the same round, under the same conditions. The values go to the spec's output as a
pyperf suite, one benchmark per test, named by its case id.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyperf
import pytest

from pipebench.pytest.stand_in import StandIn, handed, say_why_it_failed
from pipebench.timing.worker import CLOCK, RoundPlan, calibrate, measure_group


class _Kept:
    """A test's benchmarked call, kept to be timed once the group's tests have run (a workload's shape)."""

    def __init__(self, case_id: str, run: Callable[[], None], records: int) -> None:
        self.case = _Named(case_id)
        self.run = run
        self.records = records


class _Named:
    def __init__(self, case_id: str) -> None:
        self.id = case_id


class KeepingBenchmark(StandIn):
    """What a test's ``benchmark`` argument is in a paired process: one call made, the call kept."""

    def __init__(self, fixture: object = None) -> None:
        super().__init__(fixture)
        self.kept: Callable[[], None] | None = None

    def __call__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``function(*args, **kwargs)`` once, keep the call, and return its value."""
        if self.kept is not None:
            raise RuntimeError("a benchmark is timed once per test: the test called its benchmark twice")
        self.kept = lambda: function(*args, **kwargs)
        return function(*args, **kwargs)

    def pedantic(
        self,
        target: Callable[..., Any],
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        setup: Callable[[], Any] | None = None,
        **_: Any,
    ) -> Any:
        """pytest-benchmark's ``pedantic``, without ``setup``: a call that needs fresh arguments cannot be paired."""
        if setup is not None:
            raise RuntimeError("a benchmark with a setup cannot be timed in pairs (its calls need fresh arguments)")
        return self(target, *args, **dict(kwargs or {}))


_SPEC = pytest.StashKey[dict]()
_KEPT = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--pipebench-pair-spec``."""
    parser.addoption("--pipebench-pair-spec", metavar="SPEC", help="(internal) time the selected group in pairs")


def pytest_configure(config: pytest.Config) -> None:
    """Read the spec."""
    path = config.getoption("pipebench_pair_spec")
    if path:
        config.stash[_SPEC] = json.loads(Path(path).read_text(encoding="utf-8"))
        config.stash[_KEPT] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Hand the test a :class:`KeepingBenchmark` for the call; pytest-benchmark gets its own fixture back after."""
    spec = pyfuncitem.config.stash.get(_SPEC, None)
    if spec is None or "benchmark" not in pyfuncitem.funcargs:
        yield
        return
    original = pyfuncitem.funcargs["benchmark"]
    keeping = KeepingBenchmark(original)
    with handed(pyfuncitem, keeping):
        yield
    if keeping.kept is not None and pyfuncitem.nodeid in spec["cases"]:
        records = keeping.extra_info.get("records")
        records = records if isinstance(records, int) and not isinstance(records, bool) and records > 0 else 1
        pyfuncitem.config.stash[_KEPT][pyfuncitem.nodeid] = _Kept(
            spec["cases"][pyfuncitem.nodeid], keeping.kept, records
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Say why a test of the group failed."""
    if report.failed:
        say_why_it_failed(report, f"{report.nodeid} failed ({report.when})")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Time the kept calls of the group, round by round; write them as a pyperf suite."""
    spec = session.config.stash.get(_SPEC, None)
    if spec is None:
        return
    kept = session.config.stash[_KEPT]
    absent = [nodeid for nodeid in spec["cases"] if nodeid not in kept]
    if absent:
        print(f"{absent[0]}: the test did not run, or never called its benchmark", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    workloads = [kept[nodeid] for nodeid in spec["cases"]]
    loops = spec.get("loops") or {w.case.id: calibrate(w, spec["min_time"]) for w in workloads}
    measured = measure_group(workloads, loops, RoundPlan(**spec["rounds"]), spec["rotation"])
    benchmarks = []
    for workload in workloads:
        metadata = {
            "name": workload.case.id,
            "loops": loops[workload.case.id],
            "unit": "second",
            "pipebench_records": workload.records,
            "pipebench_clock": CLOCK.__name__,
        }
        run = pyperf.Run(
            measured.values[workload.case.id],
            warmups=[(1, value) for value in measured.warm[workload.case.id]],
            metadata=metadata,
            collect_metadata=True,
        )
        benchmarks.append(pyperf.Benchmark([run]))
    pyperf.BenchmarkSuite(benchmarks).dump(spec["output"], replace=True)
