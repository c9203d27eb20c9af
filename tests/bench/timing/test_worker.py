"""The timing worker's side of an A/B run: the lock-step protocol and the rounds it plans by."""

import io

import pytest

from pipebench import conditions
from pipebench.cases import expand
from pipebench.timing.worker import Lockstep, RoundPlan, Speeds, calibrate, measure_group
from pipebench.workloads import Workload

AXES = {"strategy": ["deque", "numpy"], "n": [10], "w": [3]}
CASES = expand("windows", AXES, variant_axis="strategy", reference="deque")


class TickClock:
    """Every read advances time by one second."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def workloads():
    return [Workload(case, lambda: None, lambda: None, 10, False) for case in CASES]


def test_a_budget_takes_as_many_rounds_as_fit_between_the_fewest_and_the_most():
    plan = RoundPlan(rounds=16, budget=0.24)
    assert plan.rounds_after(0.01) == 16  # 24 would fit: at most 16
    assert plan.rounds_after(0.05) == 4
    assert plan.rounds_after(0.1) == 2
    assert plan.rounds_after(5.0) == 2  # never fewer than two, so a pair's rounds can vary
    assert plan.rounds_after(0.0) == 16
    assert RoundPlan(rounds=1, budget=0.24).rounds_after(5.0) == 1


def test_the_worker_waits_for_go_before_every_value_and_says_its_round_before_planning():
    answers = io.StringIO("go\nround 4.0\n" + "go\n" * 4)
    said = io.StringIO()
    pair = Lockstep(answers, said)
    plan = RoundPlan(rounds=8, warmups=1, budget=8.0)
    measured = measure_group(workloads(), {c.id: 1 for c in CASES}, plan, 0, TickClock(), pair.step, pair.agree)
    lines = said.getvalue().splitlines()
    # Its own warm-up round lasted 2 s (one tick a call); the driver's longer 4 s plans 2 rounds, not 4.
    assert lines == ["wait", "round 2.0", "wait", "wait", "wait", "wait"]
    assert all(len(v) == 2 for v in measured.values.values()) and measured.round_seconds == 4.0


def test_the_machine_is_calibrated_after_every_round_on_the_drivers_word():
    answers = io.StringIO("go\nround 2.0\n" + "go\n" * 6)
    said = io.StringIO()
    pair = Lockstep(answers, said)
    speeds = Speeds(TickClock(), pair.step)
    plan = RoundPlan(rounds=2, warmups=1)
    measure_group(workloads(), {c.id: 1 for c in CASES}, plan, 0, TickClock(), pair.step, pair.agree, speeds)
    # Two rounds of two values, each followed by a calibration that waited for its own "go".
    assert said.getvalue().splitlines() == ["wait", "round 2.0"] + ["wait"] * 6
    # One tick of the clock per calibration loop: 1 s over its iterations.
    assert speeds.values == [pytest.approx(1e9 / conditions._LOOP)] * 2
    assert speeds.median() == pytest.approx(1e9 / conditions._LOOP)
    assert Speeds(TickClock()).median() is None


@pytest.mark.parametrize("answer", ["", "go\n", "stop\n"])
def test_a_driver_that_goes_away_or_answers_out_of_turn_ends_the_worker(answer):
    pair = Lockstep(io.StringIO(answer), io.StringIO())
    with pytest.raises(SystemExit, match="driver went away"):
        pair.agree(1.0)


def test_a_slow_first_call_does_not_settle_short_values_at_one_loop():
    """A first call of 30 ms (a library's first-use set-up), warm calls of 0.6 ms, values of 2.5 ms."""
    now = [0.0]
    durations = iter([0.03])

    def call():
        now[0] += next(durations, 0.0006)

    workload = Workload(CASES[0], call, lambda: None, 10, False)
    loops = calibrate(workload, 0.0025, clock=lambda: now[0])
    assert loops * 0.0006 >= 0.0025


def test_the_worker_takes_the_loops_the_driver_answers():
    pair = Lockstep(io.StringIO('loops {"a": 14}\n'), said := io.StringIO())
    assert pair.agree_loops({"a": 8}) == {"a": 14}
    assert said.getvalue() == 'loops {"a": 8}\n'
