"""pytest integration: matrix size, smoke mode for plain runs, and the regression gate.

Plain ``pytest`` runs every benchmark body once, untimed (pytest-benchmark's disabled
mode), so the suites double as smoke tests; timing starts when the user asks for it with
``--benchmark-only``, ``--benchmark-enable`` or any option that saves or compares timings.

``--pipebench-baseline PATH`` compares the timed benchmarks of the session with a stored
pytest-benchmark JSON file or pipebench run, by the same statistics as ``pipebench
compare`` (a rank test and an interval, not point thresholds), and fails the session on a
regression. A pytest-benchmark baseline saved with ``--benchmark-save-data`` gives the
rank test its samples; without them a Welch test on the summaries is used.
"""

from __future__ import annotations

import pytest

from bench.matrix import SIZES

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
    group = parser.getgroup("pipebench")
    group.addoption(
        "--pipebench-size",
        choices=SIZES,
        default="quick",
        help="which size set of the variant matrix the benchmark suites run (default: quick)",
    )
    group.addoption(
        "--pipebench-baseline",
        metavar="PATH",
        help="fail the run when a benchmark is slower than in this pytest-benchmark JSON or pipebench run",
    )
    group.addoption(
        "--pipebench-fail-on",
        action="append",
        default=[],
        metavar="time:PCT",
        help="time threshold for --pipebench-baseline (default: time:10%%)",
    )
    group.addoption(
        "--pipebench-strict", action="store_true", help="with --pipebench-baseline, inconclusive comparisons fail too"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Runs before pytest-benchmark reads its options, so its session starts disabled.
    option = config.option
    if hasattr(option, "benchmark_disable") and not any(getattr(option, name, None) for name in _TIMING_OPTIONS):
        option.benchmark_disable = True
    baseline = config.getoption("pipebench_baseline")
    if baseline:
        config.stash[_GATE] = _Gate.from_options(config, baseline)


class _Gate:
    """The baseline and thresholds of one session, and what the comparison found."""

    def __init__(self, baseline, thresholds, strict: bool) -> None:
        self.baseline = baseline
        self.thresholds = thresholds
        self.strict = strict
        self.outcome = None
        self.error: str | None = None

    @classmethod
    def from_options(cls, config: pytest.Config, path: str) -> _Gate:
        from pathlib import Path

        from bench.cli import parse_thresholds
        from bench.errors import BenchError
        from bench.inputs import load_side

        try:
            return cls(
                load_side(Path(path)),
                parse_thresholds(config.getoption("pipebench_fail_on")),
                config.getoption("pipebench_strict"),
            )
        except BenchError as error:
            raise pytest.UsageError(f"--pipebench-baseline: {error}") from None

    @property
    def failed(self) -> bool:
        if self.error is not None:
            return True
        if self.outcome is None:
            return False
        return bool(self.outcome.regressions) or (self.strict and bool(self.outcome.inconclusive))


_GATE = pytest.StashKey[_Gate]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    gate = session.config.stash.get(_GATE, None)
    benchmarks = getattr(session.config, "_benchmarksession", None)
    if gate is None or benchmarks is None:
        return
    from bench.gate import compare_sides
    from bench.inputs import machine_name, pytest_benchmark_side

    current = pytest_benchmark_side(benchmarks.benchmarks, machine_name(benchmarks.get_machine_info()))
    if not current.measures:
        gate.error = "no timed benchmark to compare (run with --benchmark-only)"
    else:
        try:
            gate.outcome = compare_sides(gate.baseline, current, gate.thresholds, families=("time",))
        except ValueError as error:
            gate.error = str(error)
    if gate.failed and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    gate = config.stash.get(_GATE, None)
    if gate is None:
        return
    from bench.gate_render import render_table

    terminalreporter.section("pipebench regression gate")
    if gate.error is not None:
        terminalreporter.write_line(f"pipebench: {gate.error}", red=True)
        return
    if gate.outcome is not None:
        terminalreporter.write(render_table(gate.outcome, gate.strict))
        verdict = "FAILED: regression" if gate.failed else "passed: no regression"
        terminalreporter.write_line(f"pipebench gate {verdict}", red=gate.failed, green=not gate.failed)
