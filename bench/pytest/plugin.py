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

``--pipebench-instructions --pipebench-out DIR`` counts every benchmark test the session
ran, each again in a process of its own under callgrind (:mod:`pipebench.pytest.counted`),
and writes a pipebench run to DIR; with ``--pipebench-baseline`` the session is then gated
on those counts against a counted run.

The plugin is registered through the ``pytest11`` entry point, so its options exist
before pytest reads the command line, from any directory.
"""

from __future__ import annotations

import os
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
        help="fail the run when a benchmark is slower than in this pytest-benchmark JSON or pipebench run "
        "(with --pipebench-instructions: when it counts more than in this counted run)",
    )
    group.addoption(
        "--pipebench-instructions",
        action="store_true",
        help="count each benchmark test's instructions and allocator calls under callgrind, each in a process of "
        "its own, into the pipebench run --pipebench-out names",
    )
    group.addoption(
        "--pipebench-cycles",
        action="store_true",
        help="as --pipebench-instructions, with a simulated cache: estimated cycles too",
    )
    group.addoption(
        "--pipebench-paired",
        action="store_true",
        help="time each benchmark group that names its reference (@pytest.mark.pipebench_reference) round by round, "
        "its members against the reference, into the pipebench run --pipebench-out names",
    )
    group.addoption("--pipebench-out", metavar="DIR", help="the new run directory of the counts and paired times")
    add_gate_options(group.addoption, prefix="pipebench-", session=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """In a project that opts in (``pipebench_smoke``), disable pytest-benchmark's timing unless a timing option asked.

    Any other project's sessions keep pytest-benchmark's own defaults: installing
    pipebench changes nothing there.
    """
    # Runs before pytest-benchmark reads its options, so its session starts disabled.
    option = config.option
    config.addinivalue_line(
        "markers", "pipebench_reference: this benchmark test is its group's reference (the others are read against it)"
    )
    _check_path_words(config)
    smoke = config.getini("pipebench_smoke")
    if smoke and hasattr(option, "benchmark_disable") and not any(getattr(option, n, None) for n in _TIMING_OPTIONS):
        option.benchmark_disable = True
    if any(config.getoption(name) for name in ("pipebench_instructions", "pipebench_cycles", "pipebench_paired")):
        config.stash[_COUNTING] = _Counting.from_options(config)
    baseline = config.getoption("pipebench_baseline")
    if baseline:
        config.stash[_GATE] = _Gate.from_options(config, baseline)


_PATH_OPTIONS = ("--pipebench-baseline", "--pipebench-out")


def _check_path_words(config: pytest.Config) -> None:
    """Refuse a path option given as two words where its path moved pytest's search for its configuration.

    While pytest looks for its configuration file it does not know a plugin's options
    yet, so the value of ``--pipebench-baseline DIR`` counts as one of the session's test
    paths (pytest issue #8846), and the search starts from the paths' common directory: a
    baseline outside the project put the session's root above it, its ``pyproject.toml``
    went unread, and its tests failed to import their package.
    ``--pipebench-baseline=DIR`` is one word, which pytest sets aside. A value inside the
    directory the search would start from without it (a run directory in the project)
    leads the search up through that directory, to the same file; and where the
    configuration was named (``-c``, ``--rootdir``) nothing is searched for.

    Raises:
        pytest.UsageError: such an option, in one line.
    """
    words = list(config.invocation_params.args)
    values = {index + 1 for index, word in enumerate(words[:-1]) if word in _PATH_OPTIONS}
    if not values or config.option.inifilename or config.option.rootdir:
        return  # every other session (any project's plain pytest) stops here, touching no file
    started = Path(config.invocation_params.dir).absolute()
    without = _search_start([word for index, word in enumerate(words) if index not in values], started)
    moved = [index for index in sorted(values) if not (started / words[index]).absolute().is_relative_to(without)]
    every = _search_start(words, started) if moved else without
    if every == without:
        return
    option, value = words[moved[0] - 1], words[moved[0]]
    raise pytest.UsageError(
        f"{option} {value}: write it {option}={value}; given as a word of its own, pytest takes an existing path "
        f"for a test path while it looks for its configuration (pytest issue #8846), and it looked from {every}"
    )


def _search_start(words: list[str], started: Path) -> Path:
    """Where pytest starts looking for its configuration, given these words: the existing paths' common directory."""
    paths = [(started / word.split("::")[0]).absolute() for word in words if not word.startswith("-")]
    directories = [str(path if path.is_dir() else path.parent) for path in paths if path.exists()]
    return Path(os.path.commonpath(directories)) if directories else started


class _Counting:
    """Where a measured session's run goes, what it measures, and the benchmark tests it ran."""

    def __init__(self, out: Path, counted: bool, cycles: bool, paired: bool) -> None:
        self.out = out
        self.counted = counted
        self.cycles = cycles
        self.paired = paired
        self.tests: list = []
        self.error: str | None = None
        self.results: Path | None = None

    @classmethod
    def from_options(cls, config: pytest.Config) -> _Counting:
        cycles, paired = bool(config.getoption("pipebench_cycles")), bool(config.getoption("pipebench_paired"))
        counted = cycles or bool(config.getoption("pipebench_instructions"))
        option = "--pipebench-instructions" if counted else "--pipebench-paired"
        out = config.getoption("pipebench_out")
        if not out:
            raise pytest.UsageError(f"{option}: name the run directory with --pipebench-out DIR")
        from pipebench import store
        from pipebench.counts.runner import valgrind_version

        try:
            if counted:
                valgrind_version()
            store.check_new_run_dir(Path(out))
        except BenchError as error:
            raise pytest.UsageError(f"{option}: {error}") from None
        return cls(Path(out).absolute(), counted, cycles, paired)

    @property
    def families(self) -> tuple[str, ...]:
        """The families the session's run holds for the gate."""
        counted = ("instructions", "allocations", *(("cycles",) if self.cycles else ())) if self.counted else ()
        return (*(("time",) if self.paired else ()), *counted)


_COUNTING = pytest.StashKey[_Counting]()


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
            counting = config.stash.get(_COUNTING, None)
            if counting is not None:
                # Its counts are checked against the session's once they exist.
                return cls(baseline, thresholds, config)
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
    """Keep the statistics of each benchmark the session times, and each benchmark test that passed for counting."""
    outcome = yield
    gate = item.config.stash.get(_GATE, None)
    fixture = getattr(item, "funcargs", {}).get("benchmark")
    if gate is not None and fixture is not None and getattr(fixture, "stats", None) is not None:
        gate.timed.append(fixture.stats)
    counting = item.config.stash.get(_COUNTING, None)
    if counting is not None and outcome.excinfo is None:
        from pipebench.pytest.counted import benchmark_test

        test = benchmark_test(item)
        if test is not None:
            counting.tests.append(test)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Count the benchmark tests that passed, if asked; then gate against the baseline, if one was named.

    The gate judges the counts when the session counted, else the times.
    """
    counting = session.config.stash.get(_COUNTING, None)
    if counting is not None:
        _count(session, counting)
    gate = session.config.stash.get(_GATE, None)
    if gate is not None:
        try:
            gate.outcome = _gate_counts(gate, counting) if counting is not None else _gate_times(gate, session.config)
        except BenchError as error:
            gate.error = str(error)
    failed = (counting is not None and counting.error is not None) or (gate is not None and gate.failed)
    if failed and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _count(session: pytest.Session, counting: _Counting) -> None:
    if not counting.tests:
        counting.error = "no benchmark test passed, so none was measured"
        return

    from pipebench.counts.cycles import MODEL
    from pipebench.pytest.project import Project
    from pipebench.pytest.session import Asked, write_run

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        what = " and ".join(
            [
                *(["counting under callgrind"] if counting.counted else []),
                *(["timing in pairs"] if counting.paired else []),
            ]
        )
        reporter.write_line(f"pipebench: {what}: {len(counting.tests)} benchmark test(s)")
    asked = Asked(counting.counted, MODEL if counting.cycles else None, counting.paired)
    try:
        counting.results = write_run(counting.tests, Project.of(session.config), counting.out, asked)
    except BenchError as error:
        counting.error = str(error)


def _gate_times(gate: _Gate, config: pytest.Config) -> Outcome:
    from pipebench.gate.inputs import machine_name, session_gate_input
    from pipebench.gate.verdicts import compare_sides

    current = session_gate_input(gate.timed, machine_name(_machine_info(config)), _timer(config))
    if not current.measures:
        raise BenchError("no timed benchmark to compare (run with --benchmark-only)")
    return compare_sides(
        gate.baseline, current, gate.thresholds, absolute_time=True, families=(METRICS[TIME_PER_RECORD].family,)
    )


def _gate_counts(gate: _Gate, counting: _Counting) -> Outcome:
    from pipebench.gate.inputs import load_gate_input
    from pipebench.gate.options import check_comparable
    from pipebench.gate.verdicts import compare_sides

    if counting.results is None:
        raise BenchError(counting.error or "nothing was counted")
    current = load_gate_input(counting.out)
    check_comparable(gate.baseline, current, counting.families)
    return compare_sides(gate.baseline, current, gate.thresholds, families=counting.families)


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
    counting = config.stash.get(_COUNTING, None)
    if counting is not None:
        _print_counting(terminalreporter, counting)
    gate = config.stash.get(_GATE, None)
    if gate is not None:
        _print_gate(terminalreporter, gate)
    outcome = yield
    error = outcome.excinfo[1] if outcome.excinfo else None
    if gate is not None and type(error).__name__ == "PerformanceRegression":
        outcome.force_result(None)
        terminalreporter.write_line(f"pytest-benchmark: {error} (--benchmark-compare-fail)", red=True)
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _print_counting(terminalreporter, counting: _Counting) -> None:
    terminalreporter.section("pipebench run")
    if counting.error is not None:
        terminalreporter.write_line(f"pipebench: {counting.error}", red=True)
    if counting.results is not None:
        from pipebench import store
        from pipebench.report.run_table import render_run_table

        terminalreporter.write(render_run_table(store.load_run(counting.out)))
        terminalreporter.write_line(f"run: {counting.out}")


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
