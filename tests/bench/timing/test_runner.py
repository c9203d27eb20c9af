"""The timing runner: rotation, pairing, groups, and rows from real pyperf output."""

import dataclasses
import io
import statistics
import threading
import time
from pathlib import Path

import pyperf
import pytest

from pipebench.cases import expand
from pipebench.matrix import SUITES, all_cases, groups_of
from pipebench.timing.runner import PLANS, TimingPlan, _drive, calibration_ns, rows, run_values, short_round_plan
from pipebench.timing.worker import (
    CALIBRATION_KEY,
    CLOCK,
    RoundPlan,
    calibrate,
    clock_for,
    measure_group,
    pyperf_metadata,
    rotated,
)
from pipebench.workloads import Workload

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = expand(
    "windows",
    {"strategy": ["deque", "monotonic", "numpy"], "n": [10], "w": [3]},
    variant_axis="strategy",
    reference="deque",
)


class TickClock:
    """Every read advances time by one second; the log says which workload ran when."""

    def __init__(self):
        self.now = 0.0
        self.step = 1.0

    def __call__(self):
        self.now += self.step
        return self.now


def workloads(log):
    def runner(name):
        return lambda: log.append(name)

    return [Workload(case, runner(case.variant), lambda: None, 10, False) for case in CASES]


def test_rotation_moves_one_position_per_step():
    assert rotated("abc", 0) == ["a", "b", "c"]
    assert rotated("abc", 1) == ["b", "c", "a"]
    assert rotated("abc", 4) == ["b", "c", "a"]
    assert rotated([], 3) == []


def test_rounds_rotate_the_order_and_values_stay_in_round_order():
    log = []
    plan = RoundPlan(rounds=3, warmups=1)
    measured = measure_group(workloads(log), {c.id: 1 for c in CASES}, plan, rotation=0, clock=TickClock())
    assert log == [
        "deque",
        "monotonic",
        "numpy",  # warm-up
        "deque",
        "monotonic",
        "numpy",  # round 0
        "monotonic",
        "numpy",
        "deque",  # round 1
        "numpy",
        "deque",
        "monotonic",  # round 2
    ]
    assert all(len(v) == 3 for v in measured.values.values()) and all(len(v) == 1 for v in measured.warm.values())


def test_values_are_seconds_per_loop():
    plan = RoundPlan(rounds=1, warmups=0)
    values = measure_group(workloads([]), {c.id: 4 for c in CASES}, plan, rotation=0, clock=TickClock()).values
    assert values[CASES[0].id] == [0.25]


def test_a_plain_run_s_first_process_takes_the_plan_s_rounds_unless_the_group_is_heavy():
    plan = TimingPlan(processes=4, rounds=3, min_time=0.02, heavy_rounds=4, heavy_round=0.5)
    first = plan.first_process()
    assert first.rounds_after(0.4) == 3 and first.rounds_after(0.6) == 4


@pytest.mark.parametrize("size", sorted(PLANS))
def test_heavy_and_light_groups_of_a_plan_hold_as_many_values(size):
    # pyperf compare_to's t-test needs benchmarks of one length, whichever side of the
    # heavy line a group falls on in each of the two runs.
    plan = PLANS[size]
    assert plan.processes * plan.rounds == plan.heavy_processes * plan.heavy_rounds


def test_a_long_warm_up_round_makes_the_worker_take_the_heavy_rounds():
    log = []
    plan = RoundPlan(rounds=2, warmups=1, heavy_round=2.5, heavy_rounds=5)
    values = measure_group(workloads(log), {c.id: 1 for c in CASES}, plan, rotation=0, clock=TickClock()).values
    assert all(len(v) == 5 for v in values.values())  # one tick a call: a round of three lasts 3 s


def test_calibration_reaches_the_minimum_time():
    """Each call takes one second on this clock: 8 s per value needs 8 loops or a few more."""
    clock = TickClock()
    clock.step = 0.0

    def one_second():
        clock.now += 1.0

    workload = Workload(CASES[0], one_second, lambda: None, 10, False)
    assert 8 <= calibrate(workload, min_time=8.0, clock=lambda: clock.now) <= 16


def test_groups_put_the_reference_first_and_add_it_when_left_out():
    matrix = all_cases("quick", ["windows"])
    chosen = [c for c in matrix if c.variant == "scipy" and c.get("n") == 1000]
    groups = groups_of(chosen, matrix)
    assert len(groups) == 3
    for group in groups:
        assert [c.variant for c in group] == ["deque", "scipy"]


def test_pyperf_metadata_carries_every_parameter():
    metadata = pyperf_metadata(CASES[1], 10, 7)
    assert metadata["name"] == CASES[1].id and metadata["loops"] == 7
    assert (metadata["pipebench_param_strategy"], metadata["pipebench_param_w"]) == ("monotonic", 3)
    pyperf.Run([1.0], metadata=metadata, collect_metadata=False)  # pyperf accepts it


@pytest.fixture(scope="module")
def real_suite():
    """A pyperf file written by `pipebench run --suite windows -k 'n=1000,w=10]'`."""
    return pyperf.BenchmarkSuite.load(str(DATA / "run_windows_small" / "pyperf.json"))


def test_rows_from_real_pyperf_output(real_suite):
    matrix = all_cases("quick", ["windows"])
    cases = [c for c in matrix if c.get("n") == 1000 and c.get("w") == 10]
    produced = rows(real_suite, groups_of(cases, matrix))
    times = [r for r in produced if r.metric == "time_per_record"]
    assert all(sum(r.sample_groups) == r.summary.n and len(r.sample_groups) >= 2 for r in produced)
    ratios = {r.variant: r for r in produced if r.metric == "ratio_to_reference"}
    assert len(times) == 4 and set(ratios) == {"monotonic", "numpy", "scipy"}
    deque_values = [v for run in run_values(real_suite.get_benchmark(cases[0].id)) for v in run]
    assert times[0].summary.n == len(deque_values)
    assert times[0].summary.median == pytest.approx(statistics.median(deque_values) * 1e9 / 1000)
    scipy = ratios["scipy"]
    assert scipy.ci[0] <= scipy.estimate <= scipy.ci[1] < 1.0
    assert scipy.reference == cases[0].id


def _calibrated(name: str, group: str, figures: list[float]) -> pyperf.Benchmark:
    metadata = {"name": name, "unit": "second", "pipebench_group": group}
    runs = [
        pyperf.Run([1.0], metadata={**metadata, CALIBRATION_KEY: figure}, collect_metadata=False) for figure in figures
    ]
    return pyperf.Benchmark(runs)


def test_the_runs_speed_is_the_median_of_one_calibration_per_timing_process():
    # Group "a": two processes, each figure carried by both of its cases; group "b": one process.
    suite = pyperf.BenchmarkSuite(
        [_calibrated("a1", "a", [10.0, 12.0]), _calibrated("a2", "a", [10.0, 12.0]), _calibrated("b1", "b", [30.0])]
    )
    assert calibration_ns(suite) == 12.0  # of 10, 12 and 30: each process once
    assert calibration_ns(None) is None
    assert (
        calibration_ns(pyperf.BenchmarkSuite([pyperf.Benchmark([pyperf.Run([1.0], metadata={"name": "x"})])])) is None
    )


def test_the_collector_is_paused_while_timing_and_restored_after():
    import gc

    from pipebench.timing.worker import collector_paused

    states = []
    workload = Workload(CASES[0], lambda: states.append(gc.isenabled()), lambda: None, 10, False)
    assert gc.isenabled()
    measure_group([workload], {CASES[0].id: 2}, RoundPlan(rounds=1, warmups=1), rotation=0)
    assert states == [False] * 3 and gc.isenabled()  # one warm-up call, one round of two loops
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _spin_in_a_thread(seconds: float) -> float:
    """Burn ``seconds`` of CPU in a helper thread while this one waits; the helper's CPU time."""
    used = []

    def spin() -> None:
        started = time.thread_time()
        while time.thread_time() - started < seconds:
            pass
        used.append(time.thread_time() - started)

    helper = threading.Thread(target=spin)
    helper.start()
    helper.join()
    return used[0]


def test_the_clock_counts_the_measuring_thread_only():
    # The process's CPU clock would count a helper thread's work (as it counted OpenBLAS's
    # spinning threads inside the values).
    before = CLOCK()
    helper_used = _spin_in_a_thread(0.2)
    assert CLOCK() - before < helper_used / 4


def test_a_threaded_suite_is_timed_by_the_process_clock_which_counts_its_threads(monkeypatch):
    assert clock_for(CASES[0]) is CLOCK
    monkeypatch.setitem(SUITES, "windows", dataclasses.replace(SUITES["windows"], threaded=True))
    clock = clock_for(CASES[0])
    before = clock()
    helper_used = _spin_in_a_thread(0.2)
    assert clock() - before >= helper_used * 0.9
    assert pyperf_metadata(CASES[0], 10, 1, clock)["pipebench_clock"] == "process_time"
    assert pyperf_metadata(CASES[0], 10, 1)["pipebench_clock"] == "thread_time"


class ScriptedWorker:
    """A worker process's pipes, as the lock-step driver sees them: scripted lines out, heard lines in."""

    def __init__(self, lines):
        self.stdout = io.StringIO("".join(line + "\n" for line in lines))
        self.stdin = io.StringIO()

    @property
    def heard(self):
        return self.stdin.getvalue().splitlines()


def test_the_driver_answers_both_sides_with_the_longer_round_then_alternates_who_goes_first():
    head = ScriptedWorker(["wait", "round 0.5", "wait", "wait", "end"])
    base = ScriptedWorker(["wait", "round 0.25", "wait", "wait", "end"])
    order = []
    for worker, name in ((head, "head"), (base, "base")):
        worker.stdin.write = lambda text, write=worker.stdin.write, name=name: (order.append((name, text)), write(text))
    _drive([head, base], first=1)
    assert head.heard == base.heard == ["go", "round 0.5", "go", "go"]
    gos = [name for name, text in order if text == "go\n"]
    assert gos == ["base", "head", "head", "base", "base", "head"]


def test_a_side_that_stops_speaking_the_protocol_ends_the_driving():
    head = ScriptedWorker(["wait", "round 0.5", "wait"])
    base = ScriptedWorker(["wait", ""])  # it failed during its warm-up round
    _drive([head, base], first=0)
    assert head.heard == ["go"] and base.heard == ["go"]


@pytest.mark.parametrize(
    "figures", [("loops {bad", "loops {}"), ('loops {"a": 1}', 'loops {"b": 2}'), ("round 1.0", 'round "x"')]
)
def test_a_figure_that_is_not_one_ends_the_driving_unanswered(figures):
    head, base = ScriptedWorker([figures[0], "wait"]), ScriptedWorker([figures[1], "wait"])
    _drive([head, base], first=0)
    assert head.heard == [] and base.heard == []


def test_the_first_pairs_rounds_fit_the_plans_short_values_to_the_group():
    plan = PLANS["quick"]
    rounds = short_round_plan(plan, len(CASES))
    assert rounds.rounds_after(plan.short_min_time * len(CASES)) == plan.short_rounds
    assert rounds.rounds_after(plan.short_min_time * len(CASES) * plan.short_rounds / 3) == 3


def test_both_sides_calibrate_then_use_each_cases_larger_loop_count():
    head = ScriptedWorker(['loops {"a": 14, "b": 3}', "wait", "round 0.5", "end"])
    base = ScriptedWorker(['loops {"a": 8, "b": 4}', "wait", "round 0.5", "end"])
    _drive([head, base], first=0)
    assert head.heard == base.heard == ['loops {"a": 14, "b": 4}', "go", "round 0.5"]
