"""pytest integration: matrix size, smoke mode for plain runs, and the regression gate.

Plain ``pytest`` runs every benchmark body once, untimed (pytest-benchmark's disabled
mode), so the suites double as smoke tests; timing starts when the user asks for it with
``--benchmark-only``, ``--benchmark-enable`` or any option that saves or compares timings.

``--pipebench-baseline PATH`` compares the timed benchmarks of the session with a stored
pytest-benchmark JSON file or pipebench run, by the same statistics as ``pipebench
compare`` (a rank test and an interval, not point thresholds), and fails the session on a
regression. A pytest-benchmark baseline saved with ``--benchmark-save-data`` gives the
comparison its rounds; without them a Welch test on the summaries is used. One session
is one process, whose rounds share its conditions: they are compared in contiguous
batches, not as independent values.

The plugin is registered through the ``pytest11`` entry point, so its options exist
before pytest reads the command line, from any directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipebench.cases import SIZES
from pipebench.errors import BenchError
from pipebench.gate.options import add_gate_options, thresholds_from
from pipebench.metrics import METRICS, TIME_PER_RECORD

if TYPE_CHECKING:  # the comparison's modules load only when a session asks for the gate
    from pipebench.gate.data import GateInput
    from pipebench.gate.verdicts import Outcome

# Options that only make sense when benchmarks are timed.
_TIMING_OPTIONS = (
    "benchmark_only",
    "benchmark_enable",
    "benchmark_json",
    "benchmark_autosave",
    "benchmark_save",
    "benchmark_compare",
    "benchmark_histogram",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--pipebench-*`` options."""
    group = parser.getgroup("pipebench")
    group.addoption(
        "--pipebench-size",
        choices=SIZES,
        default="quick",
        help="which size set of the variant matrix the benchmark suites run (default: quick)",
    )
    parser.addini(
        "pipebench_smoke",
        type="bool",
        default=False,
        help="plain pytest runs each benchmark body once, untimed, unless a timing option is given (pipebench's own "
        "suites opt in; other projects' benchmarks are left to pytest-benchmark's defaults)",
    )
    group.addoption(
        "--pipebench-baseline",
        metavar="PATH",
        help="fail the run when a benchmark is slower than in this pytest-benchmark JSON or pipebench run",
    )
    add_gate_options(group.addoption, prefix="pipebench-", session=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """In a project that opts in (``pipebench_smoke``), disable pytest-benchmark's timing unless a timing option asked.

    Any other project's sessions keep pytest-benchmark's own defaults: installing
    pipebench changes nothing there.
    """
    # Runs before pytest-benchmark reads its options, so its session starts disabled.
    option = config.option
    smoke = config.getini("pipebench_smoke")
    if smoke and hasattr(option, "benchmark_disable") and not any(getattr(option, n, None) for n in _TIMING_OPTIONS):
        option.benchmark_disable = True
    baseline = config.getoption("pipebench_baseline")
    if baseline:
        config.stash[_GATE] = _Gate.from_options(config, baseline)


class _Gate:
    """The baseline and options of one session, the benchmarks it timed, and what the comparison found."""

    def __init__(self, baseline: GateInput, thresholds: dict[str, float], options: pytest.Config) -> None:
        self.baseline = baseline
        self.thresholds = thresholds
        self.strict = bool(options.getoption("pipebench_strict"))
        self.timed: list = []
        self.outcome: Outcome | None = None
        self.error: str | None = None

    @classmethod
    def from_options(cls, config: pytest.Config, path: str) -> _Gate:
        try:
            thresholds = thresholds_from(config.getoption("pipebench_fail_on"))
        except BenchError as error:
            raise pytest.UsageError(f"--pipebench-fail-on: {error}") from None
        from pipebench.gate.data import GateInput
        from pipebench.gate.inputs import load_gate_input
        from pipebench.gate.options import check_comparable

        try:
            baseline = load_gate_input(Path(path))
            # Checked before anything runs: a baseline that cannot be compared is refused as compare refuses it.
            session = GateInput(path=Path("<this session>"), kind="pytest-benchmark", machine="", clock=_timer(config))
            check_comparable(baseline, session, (METRICS[TIME_PER_RECORD].family,))
            return cls(baseline, thresholds, config)
        except BenchError as error:
            raise pytest.UsageError(f"--pipebench-baseline: {error}") from None

    @property
    def failed(self) -> bool:
        if self.error is not None:
            return True
        return self.outcome is not None and self.outcome.failed(self.strict)


_GATE = pytest.StashKey[_Gate]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Keep the statistics of each benchmark the session times (from the ``benchmark`` fixture)."""
    yield
    gate = item.config.stash.get(_GATE, None)
    fixture = getattr(item, "funcargs", {}).get("benchmark")
    if gate is not None and fixture is not None and getattr(fixture, "stats", None) is not None:
        gate.timed.append(fixture.stats)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Gate the session's benchmarks against the baseline, if one was named."""
    gate = session.config.stash.get(_GATE, None)
    if gate is None:
        return
    from pipebench.gate.inputs import machine_name, session_gate_input
    from pipebench.gate.verdicts import compare_sides

    current = session_gate_input(gate.timed, machine_name(_machine_info(session.config)), _timer(session.config))
    if not current.measures:
        gate.error = "no timed benchmark to compare (run with --benchmark-only)"
    else:
        try:
            gate.outcome = compare_sides(
                gate.baseline, current, gate.thresholds, absolute_time=True, families=(METRICS[TIME_PER_RECORD].family,)
            )
        except BenchError as error:
            gate.error = str(error)
    if gate.failed and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _timer(config: pytest.Config) -> str | None:
    """The session's timer as pytest-benchmark names it (``time.perf_counter`` unless ``--benchmark-timer``)."""
    timer = getattr(config.option, "benchmark_timer", None)
    if timer is None:
        return "time.perf_counter"
    return str(getattr(timer, "name", None) or getattr(timer, "__name__", None) or timer)


def _machine_info(config: pytest.Config) -> dict:
    """pytest-benchmark's description of this machine, through its public hook."""
    info = config.hook.pytest_benchmark_generate_machine_info(config=config)
    config.hook.pytest_benchmark_update_machine_info(config=config, machine_info=info)
    return info


@pytest.hookimpl(hookwrapper=True)
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config):
    """Print the gate's table at the end of the session, before pytest-benchmark's own summary.

    pytest-benchmark ends its summary by raising ``PerformanceRegression`` when its own
    ``--benchmark-compare-fail`` fails; beside pipebench's gate that becomes one line and a
    failed session instead of a traceback that hides the rest.
    """
    gate = config.stash.get(_GATE, None)
    if gate is not None:
        _print_gate(terminalreporter, gate)
    outcome = yield
    error = outcome.excinfo[1] if outcome.excinfo else None
    if gate is not None and type(error).__name__ == "PerformanceRegression":
        outcome.force_result(None)
        terminalreporter.write_line(f"pytest-benchmark: {error} (--benchmark-compare-fail)", red=True)
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _print_gate(terminalreporter, gate: _Gate) -> None:
    from pipebench.gate.render import render_table

    terminalreporter.section("pipebench regression gate")
    if gate.error is not None:
        terminalreporter.write_line(f"pipebench: {gate.error}", red=True)
        return
    if gate.outcome is not None:
        terminalreporter.write(render_table(gate.outcome, gate.strict))
        verdict = "FAILED: regression" if gate.failed else "passed: no regression"
        terminalreporter.write_line(f"pipebench gate {verdict}", red=gate.failed, green=not gate.failed)
