"""The gate's statistics and checks on literal numbers."""

import numpy as np
import pytest

from pipebench.errors import UsageError
from pipebench.gate.data import GateInput, Measurement
from pipebench.gate.options import DEFAULT_THRESHOLDS, check_comparable, thresholds_from
from pipebench.gate.verdicts import Comparison, Outcome, RatioEstimate, compare, compare_sides, judge

STEADY = [[100, 101, 99], [100, 102, 98], [100, 101, 99], [100, 100, 101]]


def sampled(clusters, family="time", name="b"):
    clusters = tuple(tuple(float(v) for v in cluster) for cluster in clusters)
    values = [v for cluster in clusters for v in cluster]
    return Measurement(
        id=name,
        metric="time_per_record",
        family=family,
        unit="ns/record",
        center=float(np.median(values)),
        clusters=clusters,
        mean=float(np.mean(values)),
        stdev=float(np.std(values, ddof=1)),
        n=len(values),
    )


def scaled(clusters, factor):
    return [[v * factor for v in cluster] for cluster in clusters]


def exact(value, family="memory", name="b"):
    return Measurement(id=name, metric="peak_memory", family=family, unit="bytes", center=float(value), exact=True)


@pytest.mark.parametrize(
    ("estimate", "low", "high", "p", "verdict"),
    [
        (1.30, 1.20, 1.40, 0.001, "slower"),  # real and clear of the 10% threshold
        (1.15, 1.05, 1.25, 0.001, "inconclusive"),  # real, but may be under the threshold
        (1.30, 1.20, 1.40, 0.20, "inconclusive"),  # the test does not reject equality
        (0.70, 0.60, 0.80, 0.001, "faster"),
        (0.935, 0.887, 0.970, 0.01, "faster"),  # a clear improvement smaller than the threshold
        (1.02, 0.97, 1.06, 0.40, "unchanged"),  # the interval holds 1, inside the band
        (1.048, 1.018, 1.072, 0.01, "within threshold"),  # excludes 1, but inside the band
        (1.02, 0.85, 1.25, 0.40, "inconclusive"),  # too noisy to rule out 10%
    ],
)
def test_verdicts_say_what_the_interval_shows(estimate, low, high, p, verdict):
    assert judge(RatioEstimate(estimate, low, high, "welch", p), 0.10, 0.05, "time")[0] == verdict


def test_inconclusive_says_what_could_have_been_detected():
    verdict, detectable = judge(RatioEstimate(1.0, 0.8, 1.25, "welch", 0.5), 0.10, 0.05, "time")
    assert verdict == "inconclusive" and detectable == pytest.approx(0.25)


def comparison(verdict, high, family="time"):
    return Comparison(
        id="b",
        family=family,
        metric="m",
        unit="u",
        base=1,
        current=1,
        estimate=RatioEstimate(1, 0.5, high, "t"),
        threshold=0.1,
        verdict=verdict,
    )


def test_strict_fails_what_could_hide_a_regression_never_an_improvement():
    improvement = Outcome([comparison("faster", 0.97)], [], [])
    possible = Outcome([comparison("inconclusive", 1.3)], [], [])
    only_better_side = Outcome([comparison("inconclusive", 1.05)], [], [])
    assert not improvement.failed(strict=True)
    assert possible.failed(strict=True) and not possible.failed(strict=False)
    assert not only_better_side.failed(strict=True)
    assert Outcome([comparison("unchanged", 1.0)], [], ["gone (time)"]).failed(strict=True)


def test_a_clear_slowdown_of_clustered_samples_is_a_regression():
    result = compare(sampled(STEADY), sampled(scaled(STEADY, 1.3)), threshold=0.10)
    assert result.verdict == "slower" and result.regression
    assert result.ratio == pytest.approx(1.3)
    assert result.ci_low > 1.1 and result.test == "welch/clusters" and result.p_value < 0.001


def test_identical_samples_are_unchanged():
    result = compare(sampled(STEADY), sampled(STEADY), threshold=0.10)
    assert result.verdict == "unchanged" and result.ratio == 1.0 and not result.regression


def test_a_burst_in_one_process_is_not_a_verdict():
    """One process of four ran 40% slow throughout: too little to call a 10% regression."""
    burst = [*STEADY[:3], [140, 141, 139]]
    result = compare(sampled(STEADY), sampled(burst), threshold=0.10)
    assert not result.regression


def test_two_noisy_samples_are_inconclusive():
    result = compare(sampled([[80, 130], [95, 120]]), sampled([[90, 140], [85, 125]]), threshold=0.05)
    assert result.verdict == "inconclusive" and result.detectable > 0.05


def test_exact_figures_use_the_threshold_alone():
    assert compare(exact(10**6), exact(1_011_000), threshold=0.01).verdict == "larger"
    assert compare(exact(10**6), exact(1_009_000), threshold=0.01).verdict == "within threshold"
    assert compare(exact(10**6), exact(10**6), threshold=0.01).verdict == "unchanged"
    assert compare(exact(10**6), exact(900_000), threshold=0.01).verdict == "smaller"
    assert compare(exact(10**7, "instructions"), exact(11 * 10**6, "instructions"), 0.01).verdict == "more"


def test_peaks_below_the_noise_floor_have_not_moved():
    """numpy's batches at n=100,000 peaked at 136,886 or 141,758 bytes from one process to the next."""
    assert compare(exact(136_886), exact(141_758), 0.01).verdict == "within threshold"
    assert compare(exact(136_886), exact(146_886), 0.01).verdict == "larger"


def test_allocations_below_the_noise_floor_have_not_moved():
    """154.5 -> 160.5 allocations a call is 4%, but a handful of numpy's cache allocations."""
    assert compare(exact(154.5, "allocations"), exact(160.5, "allocations"), 0.01).verdict == "within threshold"
    assert compare(exact(154.5, "allocations"), exact(164.5, "allocations"), 0.01).verdict == "more"
    assert compare(exact(10_000, "allocations"), exact(10_001, "allocations"), 0.01).verdict == "within threshold"


@pytest.mark.parametrize(("base", "current", "verdict"), [(0, 0, "unchanged"), (0, 500_000, "more")])
def test_zero_counts_compare_without_dividing_by_zero(base, current, verdict):
    result = compare(exact(base, "instructions"), exact(current, "instructions"), 0.01)
    assert result.verdict == verdict


def test_summaries_alone_compare_medians():
    base = Measurement(id="b", metric="time", family="time", unit="s", center=100.0, mean=100.0, stdev=2.0, n=50)
    current = Measurement(id="b", metric="time", family="time", unit="s", center=130.0, mean=130.0, stdev=2.0, n=50)
    result = compare(base, current, threshold=0.10)
    assert result.test == "medians/summaries" and result.verdict == "slower"


def test_a_baseline_without_rounds_whose_mean_outliers_pulled_up_is_never_read_as_faster():
    """A real 15% slowdown: the medians say slower, the means (a few slow rounds in BASE) would say faster."""
    base = Measurement(id="b", metric="time", family="time", unit="s", center=100.0, mean=145.0, stdev=60.0, n=200)
    current = Measurement(id="b", metric="time", family="time", unit="s", center=115.0, mean=116.0, stdev=3.0, n=200)
    result = compare(base, current, threshold=0.05)
    assert result.ratio == pytest.approx(1.15) and result.verdict not in ("faster", "unchanged")


def side(measures, kind="pipebench", machine="m", ratios=None, metadata=None):
    metadata = {"method": {"version": 2}, "dirty": False} if metadata is None else metadata
    measures = {(m.id, m.family): m for m in measures}
    return GateInput(path="side", kind=kind, machine=machine, measures=measures, ratios=ratios or {}, metadata=metadata)


def test_sides_list_added_and_missing_benchmarks_and_say_so():
    base = side([sampled(STEADY, name="a"), sampled(STEADY, name="gone")], kind="pyperf")
    current = side([sampled(STEADY, name="a"), sampled(STEADY, name="new")], kind="pyperf")
    outcome = compare_sides(base, current, DEFAULT_THRESHOLDS)
    assert [c.id for c in outcome.comparisons] == ["a"]
    assert outcome.added == ["new (time)"] and outcome.missing == ["gone (time)"]
    assert "missing" in outcome.notes[0]


def test_different_machines_are_said():
    outcome = compare_sides(
        side([sampled(STEADY)], machine="x"),
        side([sampled(STEADY)], machine="y"),
        DEFAULT_THRESHOLDS,
        absolute_time=True,
    )
    assert "different machines" in outcome.notes[0]


def test_pipebench_runs_compare_paired_ratios_by_default():
    base = side([sampled(STEADY)], ratios={"b": sampled([[0.5, 0.5]] * 4)})
    current = side([sampled(scaled(STEADY, 2))], ratios={"b": sampled([[0.5, 0.5]] * 4)})
    by_ratio = compare_sides(base, current, DEFAULT_THRESHOLDS)
    absolute = compare_sides(base, current, DEFAULT_THRESHOLDS, absolute_time=True)
    assert absolute.regressions and not by_ratio.regressions
    assert by_ratio.comparisons[0].verdict == "unchanged"
    assert any("--absolute-time" in note for note in absolute.notes)


def test_nothing_in_common_is_refused():
    with pytest.raises(UsageError, match="no benchmark in common"):
        compare_sides(
            side([sampled(STEADY, name="a")], kind="pyperf"),
            side([sampled(STEADY, name="z")], kind="pyperf"),
            DEFAULT_THRESHOLDS,
        )


@pytest.mark.parametrize(
    ("base_metadata", "current_metadata", "message"),
    [
        ({"method": {"version": 1}}, {"method": {"version": 2}}, "method version 1"),
        (
            {"method": {"version": 2}, "dirty": True, "commit": "abc1234", "patch": "f00"},
            {"method": {"version": 2}},
            "uncommitted changes",
        ),
        (
            {"method": {"version": 2}, "counts": {"interpreter": "a", "valgrind": "v"}},
            {"method": {"version": 2}, "counts": {"interpreter": "b", "valgrind": "v"}},
            "interpreters",
        ),
        (
            {"method": {"version": 2}, "counts": {"interpreter": "a", "valgrind": "v1"}},
            {"method": {"version": 2}, "counts": {"interpreter": "a", "valgrind": "v2"}},
            "valgrinds",
        ),
        (
            {"method": {"version": 2}, "counts": {"interpreter": "a", "valgrind": "v", "cpu": "Intel Xeon"}},
            {"method": {"version": 2}, "counts": {"interpreter": "a", "valgrind": "v", "cpu": "AMD EPYC"}},
            "cpus",
        ),
        (
            {
                "method": {"version": 2},
                "counts": {"interpreter": "a", "valgrind": "v", "cpu": "c", "guest_cpu": "haswell 1"},
            },
            {
                "method": {"version": 2},
                "counts": {"interpreter": "a", "valgrind": "v", "cpu": "c", "guest_cpu": "sandy 2"},
            },
            "CPUs as valgrind's guest sees them",
        ),
    ],
)
def test_runs_that_cannot_be_compared_are_refused(base_metadata, current_metadata, message):
    with pytest.raises(UsageError, match=message):
        check_comparable(side([], metadata=base_metadata), side([], metadata=current_metadata), ("instructions",))


def test_counts_of_hosts_named_differently_compare_when_their_guest_cpu_is_the_same():
    counts = {"interpreter": "a", "valgrind": "v", "guest_cpu": "haswell b837e58d1b81"}
    base = side([], metadata={"method": {"version": 2}, "counts": {**counts, "cpu": "AMD EPYC"}})
    current = side([], metadata={"method": {"version": 2}, "counts": {**counts, "cpu": "AMD EPYC 7B13"}})
    check_comparable(base, current, ("instructions",))


def test_counts_of_different_builds_may_still_compare_other_metrics():
    base = side([], metadata={"method": {"version": 2}, "counts": {"interpreter": "a"}})
    current = side([], metadata={"method": {"version": 2}, "counts": {"interpreter": "b"}})
    check_comparable(base, current, ("time", "memory"))


@pytest.mark.parametrize("spec", ["time:nan%", "time:inf", "time:-5%", "speed:5%", "time:", "time:fast"])
def test_bad_thresholds_are_refused(spec):
    with pytest.raises(UsageError, match="--fail-on"):
        thresholds_from([spec])


@pytest.mark.parametrize("spec", ["memory:1", "time:0.05", "time:"])
def test_a_threshold_without_its_percent_sign_is_refused_not_guessed(spec):
    with pytest.raises(UsageError, match=r"percent|expected"):
        thresholds_from([spec])


def test_thresholds_override_the_defaults():
    assert thresholds_from(["time:5%", "instructions:2%"]) == {
        **DEFAULT_THRESHOLDS,
        "time": 0.05,
        "instructions": 0.02,
    }


def test_instructions_moved_less_than_the_heap_can_move_them_have_not_moved():
    """+80,000 instructions a call is what one or two 80 KB blocks zeroed or copied cost."""
    assert compare(exact(4_094_584, "instructions"), exact(4_174_818, "instructions"), 0.01).verdict == (
        "within threshold"
    )
    assert compare(exact(24_435_779, "instructions"), exact(25_089_066, "instructions"), 0.01).verdict == "more"


def test_every_output_format_has_a_renderer():
    from pipebench.gate.options import FORMATS
    from pipebench.gate.render import RENDERERS

    assert tuple(RENDERERS) == FORMATS


def test_two_pytest_benchmark_sessions_carry_the_noise_of_a_whole_session():
    """Batches of one session cannot show how its level moves from session to session."""
    tight = [[100.0 + 0.01 * i for i in range(50)] for _ in range(10)]  # 10 batches, 0.3% wide
    base = side([sampled(tight)], kind="pytest-benchmark")
    moved = side([sampled(scaled(tight, 1.023))], kind="pytest-benchmark")
    (comparison,) = compare_sides(base, moved, thresholds_from(["time:2%"])).comparisons
    assert not comparison.regression and comparison.ci_low < 1.0 < comparison.ci_high
    slower = side([sampled(scaled(tight, 1.25))], kind="pytest-benchmark")
    (comparison,) = compare_sides(base, slower, thresholds_from(["time:10%"])).comparisons
    assert comparison.regression and comparison.test == "z/sessions"


def test_estimated_cycles_of_different_cache_models_or_weights_are_refused_instructions_still_compare():
    counts = {"interpreter": "a", "valgrind": "v", "guest_cpu": "haswell 1"}
    one = {"model": "I1 32768,8,64; D1 32768,8,64; LL 1048576,16,64", "estimate": "Ir + 10 x L1 misses"}
    other = {**one, "model": "I1 32768,8,64; D1 32768,8,64; LL 8388608,16,64"}
    base = side([], metadata={"method": {"version": 2}, "counts": {**counts, "cache": one}})
    current = side([], metadata={"method": {"version": 2}, "counts": {**counts, "cache": other}})
    with pytest.raises(UsageError, match="cache models or weights"):
        check_comparable(base, current, ("cycles",))
    check_comparable(base, current, ("instructions", "allocations"))


def test_guest_cpus_that_differ_are_refused_with_the_lines_that_differ():
    features = ["auxv 0x10=0x178bfbff", 'dl_platform="haswell"', "x86.cpu_features.level3_cache_size=0x800000"]
    other = ["auxv 0x10=0x1f8bfbff", 'dl_platform="haswell"', "x86.cpu_features.level3_cache_size=0x800000"]
    counts = {"interpreter": "a", "valgrind": "v"}
    base = side(
        [],
        metadata={
            "method": {"version": 2},
            "counts": {**counts, "guest_cpu": "haswell 1", "guest_cpu_features": features},
        },
    )
    current = side(
        [],
        metadata={
            "method": {"version": 2},
            "counts": {**counts, "guest_cpu": "haswell 2", "guest_cpu_features": other},
        },
    )
    with pytest.raises(UsageError, match=r"they differ in auxv 0x10 \(0x178bfbff vs 0x1f8bfbff\)\);"):
        check_comparable(base, current, ("instructions",))


def _compiled(path):
    return {"method": {"version": 2}, "dirty": False, "counts": {"compiled_at": path}}


def test_counts_from_packages_compiled_at_paths_of_other_lengths_are_said():
    short, long = "/work/main/.venv/lib/python3.11/site-packages", "/tmp/clone-at-a-longer-path/.venv/lib/site-packages"
    apart = compare_sides(
        side([exact(10**7, "instructions")], metadata=_compiled(short)),
        side([exact(10**7, "instructions")], metadata=_compiled(long)),
        DEFAULT_THRESHOLDS,
    )
    assert any(f"({len(short)} and {len(long)} characters" in note for note in apart.notes)
    alike = compare_sides(
        side([exact(10**7, "instructions")], metadata=_compiled(short)),
        side([exact(10**7, "instructions")], metadata=_compiled(short.replace("main", "mine"))),
        DEFAULT_THRESHOLDS,
    )
    assert not any("compiled at" in note for note in alike.notes)
