"""Statistics on literal numbers."""

import math

import pytest

from bench.stats import geometric_mean_interval, paired_ratios, summarize


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


def test_geometric_mean_of_reciprocal_ratios_is_one():
    assert geometric_mean_interval([2.0, 0.5]).estimate == pytest.approx(1.0)


def test_tight_ratios_give_an_interval_excluding_one():
    interval = geometric_mean_interval([0.50, 0.51, 0.49, 0.50, 0.52, 0.48, 0.50, 0.51])
    assert interval.estimate == pytest.approx(0.50, abs=0.005)
    assert interval.low < interval.estimate < interval.high < 1.0
    assert not interval.contains(1.0)


def test_noisy_ratios_around_one_give_an_interval_containing_one():
    interval = geometric_mean_interval([0.8, 1.25, 0.9, 1.1, 1.05, 0.95, 1.2, 0.85])
    assert interval.contains(1.0)
    assert interval.high - interval.low > 0.1


def test_identical_ratios_collapse_the_interval():
    interval = geometric_mean_interval([2.0, 2.0, 2.0])
    assert (interval.low, interval.estimate, interval.high) == (2.0, 2.0, 2.0)


def test_interval_is_reproducible():
    ratios = [1.1, 0.9, 1.3, 1.0, 1.2]
    assert geometric_mean_interval(ratios) == geometric_mean_interval(ratios)


@pytest.mark.parametrize("ratios", [[], [1.0, 0.0], [1.0, -2.0], [math.inf]])
def test_invalid_ratios_are_refused(ratios):
    with pytest.raises(ValueError):
        geometric_mean_interval(ratios)
