"""The timing runner: rotation, pairing, groups, and rows from real pyperf output."""

import statistics
from pathlib import Path

import pyperf
import pytest

from bench.cases import expand
from bench.matrix import all_cases
from bench.timing import groups_of, rows, run_values
from bench.timing_worker import RoundPlan, calibrate, measure_group, pyperf_metadata, rotated, rounds_for
from bench.workloads import Workload

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = expand("windows", {"strategy": ["deque", "monotonic", "numpy"], "n": [10], "w": [3]},
               variant_axis="strategy", reference="deque")  # fmt: skip


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
    plan = RoundPlan(warmups=1, min_rounds=3, max_rounds=3)
    warm, values = measure_group(workloads(log), {c.id: 1 for c in CASES}, plan, rotation=0, clock=TickClock())
    assert log == [
        "deque", "monotonic", "numpy",  # warm-up
        "deque", "monotonic", "numpy",  # round 0
        "monotonic", "numpy", "deque",  # round 1
        "numpy", "deque", "monotonic",  # round 2
    ]  # fmt: skip
    assert all(len(v) == 3 for v in values.values()) and all(len(v) == 1 for v in warm.values())


def test_values_are_seconds_per_loop():
    plan = RoundPlan(warmups=0, min_rounds=1, max_rounds=1)
    _, values = measure_group(workloads([]), {c.id: 4 for c in CASES}, plan, rotation=0, clock=TickClock())
    assert values[CASES[0].id] == [0.25]


def test_rounds_fill_the_budget_within_bounds():
    assert rounds_for(0.1, budget=0.6, min_rounds=2, max_rounds=10) == 6
    assert rounds_for(5.0, budget=0.6, min_rounds=2, max_rounds=10) == 2
    assert rounds_for(0.001, budget=0.6, min_rounds=2, max_rounds=10) == 10
    assert rounds_for(0.0, budget=0.6, min_rounds=2, max_rounds=10) == 10


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
    ratios = {r.variant: r for r in produced if r.metric == "ratio_to_reference"}
    assert len(times) == 4 and set(ratios) == {"monotonic", "numpy", "scipy"}
    deque_values = [v for run in run_values(real_suite.get_benchmark(cases[0].id)) for v in run]
    assert times[0].summary.n == len(deque_values)
    assert times[0].summary.median == pytest.approx(statistics.median(deque_values) * 1e9 / 1000)
    scipy = ratios["scipy"]
    assert scipy.ci[0] <= scipy.estimate <= scipy.ci[1] < 1.0
    assert scipy.reference == cases[0].id


def test_the_collector_is_paused_while_timing_and_restored_after():
    import gc

    from bench.timing_worker import collector_paused

    states = []
    workload = Workload(CASES[0], lambda: states.append(gc.isenabled()), lambda: None, 10, False)
    assert gc.isenabled()
    measure_group([workload], {CASES[0].id: 2}, RoundPlan(warmups=1, min_rounds=1, max_rounds=1), rotation=0)
    assert states == [False] * 4 and gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
