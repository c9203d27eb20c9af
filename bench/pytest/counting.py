"""The counted side of ``--pipebench-instructions``: one pytest-benchmark test under callgrind.

Loaded with ``-p pipebench.pytest.counting --pipebench-count-spec SPEC`` in a pytest
process of its own, started under ``valgrind --tool=callgrind --instr-atstart=no`` by
:mod:`pipebench.pytest.counted` for exactly one test. The test's ``benchmark`` argument
is replaced by a :class:`CountingBenchmark`: the function it is given is warmed, then
counted as :func:`pipebench.counts.worker.count` counts a case (instrumentation on only
around the calls, two labelled dumps whose difference is the calls alone). Start-up,
collection, fixtures and the test's own assertions run uninstrumented, as does one more
call traced for its Python functions' bytecodes (:mod:`pipebench.counts.tracing`), named
relative to the project's root. SPEC is a JSON file: the two segments' calls, the warm-up
calls, the directory to run the test in and where to write what happened (the process
id, whether the test called its benchmark, and those bytecodes).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from pipebench.counts import tracing
from pipebench.counts.worker import Control, control, count, label
from pipebench.pytest.stand_in import StandIn, handed, say_why_it_failed


class _Calls:
    """The one workload :func:`~pipebench.counts.worker.count` needs: a ``run`` that calls the benchmarked function."""

    def __init__(self, run: Callable[[], None]) -> None:
        self.run = run


class CountingBenchmark(StandIn):
    """What a test's ``benchmark`` argument is in a counted session: pytest-benchmark's calls, counted.

    ``benchmark(function, *args, **kwargs)`` and ``benchmark.pedantic(...)`` return what
    the function returns, as pytest-benchmark's fixture does; rounds and iterations are
    pytest-benchmark's concern (a count needs none), and a ``setup`` runs before every
    call with collection off, so only the calls are counted.
    """

    def __init__(self, calls: Sequence[int], warmups: int, switches: Control, fixture: object = None) -> None:
        super().__init__(fixture)
        self._calls = (int(calls[0]), int(calls[1]))
        self._warmups = warmups
        self._switches = switches
        self.called = False
        self.bytecodes: Counter[CodeType] | None = None
        """The traced call's bytecodes by code object; None until traced, or if that call raised."""

    def __call__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Count ``function(*args, **kwargs)``; return what it returns."""
        return self._count(function, lambda: (args, kwargs))

    def pedantic(
        self,
        target: Callable[..., Any],
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        setup: Callable[[], Any] | None = None,
        rounds: int = 1,
        warmup_rounds: int = 0,
        iterations: int = 1,
    ) -> Any:
        """pytest-benchmark's ``pedantic``: ``setup`` (if any) gives each call its arguments, uncounted."""
        if setup is None:
            return self._count(target, lambda: (tuple(args), dict(kwargs or {})))

        def made() -> tuple[Sequence[Any], Mapping[str, Any]]:
            given = setup()
            return given if given is not None else (tuple(args), dict(kwargs or {}))

        def fresh() -> tuple[Sequence[Any], Mapping[str, Any]]:
            # Not collected, still simulated: what the setup leaves in the caches is what
            # pytest-benchmark's timed call finds there too.
            was = self._switches.collect(False)
            given = made()
            self._switches.collect(was)
            return given

        return self._count(target, fresh, made)

    def _count(
        self, function: Callable[..., Any], arguments: Callable[[], tuple], untimed: Callable[[], tuple] | None = None
    ) -> Any:
        """Count calls of ``function`` on what ``arguments`` gives; then trace one more, on what ``untimed`` gives."""
        if self.called:
            raise RuntimeError("a benchmark is counted once per test: the test called its benchmark twice")
        self.called = True
        results = []

        def run() -> None:
            positional, named = arguments()
            results.append(function(*positional, **named))
            del results[:-1]

        count(_Calls(run), self._calls, self._warmups, self._switches)
        # One more call, instrumentation off (count ends so), traced for its Python functions;
        # its arguments made outside the trace, as they are outside the counts.
        # A function that cannot be called once more (it used up its input, say) keeps its
        # counts and goes without bytecodes: explain then says they were not traced.
        with contextlib.suppress(Exception):
            positional, named = (untimed or arguments)()
            self.bytecodes = tracing.count(lambda: function(*positional, **named))
        return results[-1]


_SPEC = pytest.StashKey[dict]()
_SWITCHES = pytest.StashKey[Control]()
_FIXTURE = pytest.StashKey[CountingBenchmark]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--pipebench-count-spec``."""
    parser.addoption("--pipebench-count-spec", metavar="SPEC", help="(internal) count the one selected benchmark")


def pytest_configure(config: pytest.Config) -> None:
    """Read the spec; refuse to run outside callgrind, whose counts the spec asks for."""
    path = config.getoption("pipebench_count_spec")
    if not path:
        return
    switches = control()
    running = getattr(switches, "running_on_valgrind", None)
    if running is not None and not running():
        raise pytest.UsageError("the counted pytest process must run under valgrind --tool=callgrind")
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if spec.get("cwd"):
        # Where the session started, through the link (the tests' paths are already
        # resolved): a test that reads a file relative to it finds it here too.
        os.chdir(spec["cwd"])
    config.stash[_SPEC] = spec
    config.stash[_SWITCHES] = switches
    switches.prepare(*(label(calls) for calls in spec["calls"]))


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Hand the test a :class:`CountingBenchmark` in place of pytest-benchmark's fixture, for the call only.

    pytest-benchmark's report hook expects its own fixture back in the test's arguments.
    """
    spec = pyfuncitem.config.stash.get(_SPEC, None)
    if spec is None or "benchmark" not in pyfuncitem.funcargs:
        yield
        return
    original = pyfuncitem.funcargs["benchmark"]
    counting = CountingBenchmark(spec["calls"], spec["warmups"], pyfuncitem.config.stash[_SWITCHES], original)
    pyfuncitem.config.stash[_FIXTURE] = counting
    with handed(pyfuncitem, counting):
        yield


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Say why the counted test failed."""
    if report.failed:
        say_why_it_failed(report, f"{report.nodeid} failed ({report.when})")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Say why the counted test's file could not be collected (an import that fails there, say)."""
    if report.failed:
        say_why_it_failed(report, f"collecting {report.nodeid or 'the test'} failed")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write what the spec asks for: this process's id and whether the benchmark was called."""
    spec = session.config.stash.get(_SPEC, None)
    if spec is None:
        return
    counting = session.config.stash.get(_FIXTURE, None)
    called = counting is not None and counting.called
    result = {"pid": os.getpid(), "called": called, "extra_info": _plain(counting.extra_info if called else {})}
    if called and counting.bytecodes is not None:
        result["bytecodes"] = tracing.by_function(counting.bytecodes, [session.config.rootpath])
    Path(spec["output"]).write_text(json.dumps(result), encoding="utf-8")


def _plain(info: Mapping[str, Any]) -> dict[str, Any]:
    """``extra_info`` as JSON can hold it (what it cannot is written as its ``repr``)."""
    out = {}
    for key, value in info.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            value = repr(value)
        out[str(key)] = value
    return out
