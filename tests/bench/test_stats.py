"""Statistics on literal numbers."""

import math

import numpy as np
import pytest

from pipebench.stats import (
    cluster_test,
    clustered_ratio_estimate,
    clustered_ratio_of_medians,
    clustered_replicates,
    paired_ratios,
    summarize,
)


def test_summary_of_a_sample():
    summary = summarize([1.0, 2.0, 3.0, 4.0])
    assert (summary.n, summary.median, summary.mean, summary.min, summary.max) == (4, 2.5, 2.5, 1.0, 4.0)
    assert summary.stdev == pytest.approx(math.sqrt(5 / 3))


def test_summary_of_one_value_has_no_spread():
    assert summarize([7.0]).stdev == 0.0


def test_summary_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        summarize([])


def test_paired_ratios_divide_pair_by_pair():
    assert paired_ratios([2.0, 3.0, 5.0], [1.0, 2.0, 10.0]) == [2.0, 1.5, 0.5]


@pytest.mark.parametrize(("variant", "reference"), [([1.0], [1.0, 2.0]), ([1.0], [0.0])])
def test_paired_ratios_refuse_unpaired_or_zero_references(variant, reference):
    with pytest.raises(ValueError):
        paired_ratios(variant, reference)


def test_median_ratio_of_reciprocal_ratios_is_one():
    assert clustered_ratio_estimate([[2.0, 0.5]]).estimate == pytest.approx(1.0)


def test_tight_ratios_give_an_interval_excluding_one():
    interval = clustered_ratio_estimate([[0.50, 0.51, 0.49], [0.50, 0.52, 0.48], [0.50, 0.51, 0.50]])
    assert interval.estimate == pytest.approx(0.50, abs=0.005)
    assert interval.low <= interval.estimate <= interval.high < 1.0
    assert not interval.contains(1.0)


def test_noisy_ratios_around_one_give_an_interval_containing_one():
    interval = clustered_ratio_estimate([[0.8, 1.25, 0.9], [1.1, 1.05, 0.95], [1.2, 0.85, 1.0]])
    assert interval.contains(1.0)
    assert interval.high - interval.low > 0.1


def test_identical_ratios_collapse_the_interval():
    interval = clustered_ratio_estimate([[2.0, 2.0], [2.0]])
    assert (interval.low, interval.estimate, interval.high) == (2.0, 2.0, 2.0)


def test_interval_is_reproducible():
    ratios = [[1.1, 0.9, 1.3], [1.0, 1.2, 1.05]]
    assert clustered_ratio_estimate(ratios) == clustered_ratio_estimate(ratios)


@pytest.mark.parametrize("ratios", [[], [[]], [[1.0, 0.0]], [[1.0, -2.0]], [[math.inf]], [[math.nan, 1.0]]])
def test_invalid_ratios_are_refused(ratios):
    with pytest.raises(ValueError):
        clustered_ratio_estimate(ratios)


def test_a_burst_spanning_one_process_widens_the_interval_instead_of_moving_it_confidently():
    """Three quiet processes at 0.9 and one whose every round ran at 1.5 under load."""
    quiet = [[0.90, 0.91, 0.89]] * 3
    pooled = clustered_ratio_estimate([[v for c in [*quiet, [1.5, 1.49, 1.51]] for v in c]])
    clustered = clustered_ratio_estimate([*quiet, [1.5, 1.49, 1.51]])
    assert clustered.high - clustered.low > 2 * (pooled.high - pooled.low)
    assert clustered.high >= 1.4  # the burst's process may be the typical one: the data cannot tell


def test_two_sided_ratio_of_medians_and_its_cluster_test():
    base = [[100.0, 101.0, 99.0], [100.5, 100.0, 99.5], [101.0, 100.0, 100.0], [99.0, 100.0, 101.0]]
    slower = [[v * 1.2 for v in cluster] for cluster in base]
    interval = clustered_ratio_of_medians(base, slower)
    assert interval.estimate == pytest.approx(1.2, rel=0.01)
    assert 1.15 < interval.low <= interval.high < 1.25
    assert cluster_test(base, slower) < 0.001
    assert cluster_test(base, base) > 0.5
    assert cluster_test([[1.0, 2.0]], [[1.0, 2.0]]) is None  # one cluster a side: nothing to test


def test_resampling_a_huge_sample_stays_within_bounded_memory():
    import tracemalloc

    values = [[1.0 + (i % 97) / 1000 for i in range(200_000)]]
    tracemalloc.start()
    clustered_replicates(values, 200, np.random.default_rng(0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20


def test_a_95_percent_interval_holds_the_truth_about_95_percent_of_the_time():
    """Clustered data with a real between-process spread: coverage is checked on 200 simulated runs."""
    rng = np.random.default_rng(1)
    held = 0
    for seed in range(200):
        offsets = rng.normal(0.0, 0.03, size=6)  # each process's own conditions
        clusters = [np.exp(rng.normal(offset, 0.01, size=2)) for offset in offsets]
        interval = clustered_ratio_estimate(clusters, seed=seed)
        held += interval.low <= 1.0 <= interval.high
    assert held >= 0.90 * 200


def _edge_share(interval):
    low, high = math.log(interval.low), math.log(interval.high)
    return (math.log(interval.estimate) - low) / (high - low) if high > low else 0.5


def _bursty_runs(count=150):
    """Six pairs of processes of two rounds, a fifth of the rounds hit by a burst: skewed, lumpy medians."""
    rng = np.random.default_rng(7)
    return [
        [np.exp(rng.normal(offset, 0.01, 2) + (rng.random(2) < 0.2) * 0.3) for offset in rng.normal(0.0, 0.03, 6)]
        for _ in range(count)
    ]


def test_bca_sits_its_estimate_nearer_the_middle_than_percentiles_and_keeps_coverage():
    runs = _bursty_runs()
    truth = float(np.median([np.median(np.concatenate(run)) for run in runs]))
    found = {
        method: [clustered_ratio_estimate(run, seed=i, method=method) for i, run in enumerate(runs)]
        for method in ("bca", "percentile")
    }
    edges = {m: sum(not 0.1 <= _edge_share(i) <= 0.9 for i in intervals) for m, intervals in found.items()}
    held = {m: sum(i.contains(truth) for i in intervals) for m, intervals in found.items()}
    assert edges["bca"] < edges["percentile"]
    assert held["bca"] >= 0.90 * len(runs)


def test_an_unknown_interval_method_is_refused():
    with pytest.raises(ValueError, match="unknown interval method 'studentized'"):
        clustered_ratio_estimate([[1.0, 1.1], [0.9, 1.2]], method="studentized")
