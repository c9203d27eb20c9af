"""The gate's statistics on literal numbers."""

import numpy as np
import pytest

from bench.gate import compare, compare_sides, judge
from bench.inputs import Measure, Side


def sampled(values, family="time", name="b"):
    values = tuple(float(v) for v in values)
    return Measure(name, "time_per_record", family, "ns/record", float(np.median(values)), values,
                   float(np.mean(values)), float(np.std(values, ddof=1)), len(values))  # fmt: skip


def exact(value, family="memory", name="b"):
    return Measure(name, "peak_memory", family, "bytes", float(value), exact=True)


STEADY = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100, 100, 101]


@pytest.mark.parametrize(
    ("estimate", "low", "high", "p", "verdict"),
    [
        (1.30, 1.20, 1.40, 0.001, "slower"),  # real and clear of the 10% threshold
        (1.15, 1.05, 1.25, 0.001, "inconclusive"),  # real, but may be under the threshold
        (1.30, 1.20, 1.40, 0.20, "inconclusive"),  # the test does not reject equality
        (0.70, 0.60, 0.80, 0.001, "faster"),
        (1.02, 0.97, 1.06, 0.40, "unchanged"),  # any change is smaller than the threshold
        (1.02, 0.85, 1.25, 0.40, "inconclusive"),  # too noisy to rule out 10%
    ],
)
def test_verdicts_from_interval_test_and_threshold(estimate, low, high, p, verdict):
    assert judge(estimate, low, high, p, 0.10, 0.05, "time")[0] == verdict


def test_inconclusive_says_what_could_have_been_detected():
    verdict, detectable = judge(1.0, 0.8, 1.25, 0.5, 0.10, 0.05, "time")
    assert verdict == "inconclusive" and detectable == pytest.approx(0.25)


def test_a_clear_slowdown_of_samples_is_a_regression():
    result = compare(sampled(STEADY), sampled([v * 1.3 for v in STEADY]), threshold=0.10)
    assert result.verdict == "slower" and result.regression
    assert result.ratio == pytest.approx(1.3)
    assert result.ci_low > 1.1 and result.test == "mann-whitney" and result.p_value < 0.001


def test_identical_samples_are_unchanged():
    result = compare(sampled(STEADY), sampled(STEADY), threshold=0.10)
    assert result.verdict == "unchanged" and result.ratio == 1.0 and not result.regression


def test_two_noisy_samples_are_inconclusive():
    result = compare(sampled([80, 130, 95, 120]), sampled([90, 140, 85, 125]), threshold=0.05)
    assert result.verdict == "inconclusive" and result.detectable > 0.05


def test_exact_memory_uses_the_threshold_alone():
    assert compare(exact(1000), exact(1011), threshold=0.01).verdict == "larger"
    assert compare(exact(1000), exact(1009), threshold=0.01).verdict == "unchanged"
    assert compare(exact(1000), exact(900), threshold=0.01).verdict == "smaller"
    assert compare(exact(1000, "allocations"), exact(1100, "allocations"), 0.01).verdict == "more"


def test_summaries_alone_use_welch():
    base = Measure("b", "time", "time", "s", 100.0, mean=100.0, stdev=2.0, n=50)
    current = Measure("b", "time", "time", "s", 130.0, mean=130.0, stdev=2.0, n=50)
    result = compare(base, current, threshold=0.10)
    assert result.test == "welch" and result.verdict == "slower"


def side(measures, kind="pipebench", machine="m", ratios=None):
    return Side("side", kind, machine, {(m.id, m.family): m for m in measures}, ratios or {})


def test_sides_list_added_and_missing_benchmarks():
    base = side([sampled(STEADY, name="a"), sampled(STEADY, name="gone")])
    current = side([sampled(STEADY, name="a"), sampled(STEADY, name="new")])
    outcome = compare_sides(base, current, {"time": 0.1, "memory": 0.01, "allocations": 0.01})
    assert [c.id for c in outcome.comparisons] == ["a"]
    assert outcome.added == ["new (time)"] and outcome.missing == ["gone (time)"]


def test_different_machines_are_said():
    outcome = compare_sides(side([sampled(STEADY)], machine="x"), side([sampled(STEADY)], machine="y"),
                            {"time": 0.1})  # fmt: skip
    assert "different machines" in outcome.notes[0]


def test_normalize_compares_paired_ratios():
    base = side([sampled(STEADY)], ratios={"b": sampled([0.5] * 6)})
    current = side([sampled([v * 2 for v in STEADY])], ratios={"b": sampled([0.5] * 6)})
    plain = compare_sides(base, current, {"time": 0.1})
    normalized = compare_sides(base, current, {"time": 0.1}, normalize=True)
    assert plain.regressions and not normalized.regressions
    assert normalized.comparisons[0].verdict == "unchanged"


def test_normalize_needs_pipebench_runs_and_a_common_benchmark():
    with pytest.raises(ValueError, match="--normalize needs pipebench"):
        compare_sides(side([sampled(STEADY)], kind="pyperf"), side([sampled(STEADY)]), {"time": 0.1}, normalize=True)
    with pytest.raises(ValueError, match="no benchmark in common"):
        compare_sides(side([sampled(STEADY, name="a")]), side([sampled(STEADY, name="z")]), {"time": 0.1})
