"""Statistics over numbers: summaries, paired ratios and their confidence intervals.

Pure functions only (no files, no printing). Ratios are handled as logs, where ``a/b`` and
``b/a`` are symmetric, and summarized by their median. Timed values come in clusters (the
rounds of one worker process share its conditions), so their intervals come from a
two-stage bootstrap that resamples clusters, then values within them, read as a BCa
interval (bias-corrected and accelerated, the acceleration from leaving out one cluster at
a time); the significance test counts clusters, not values.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95
CI_LABEL = f"{CONFIDENCE:.0%} CI"
"""How an interval at :data:`CONFIDENCE` is labelled wherever one is shown."""
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


@functools.cache
def normal_quantile(confidence: float = CONFIDENCE) -> float:
    """``z`` such that ``estimate ± z σ`` is a normal interval holding ``confidence``."""
    from scipy import stats as scipy_stats  # on first use: 0.5 s that reading results never needs

    return float(scipy_stats.norm.ppf(0.5 + confidence / 2))


def normal_p_value(difference: float, spread: float) -> float:
    """Two-sided p of ``difference`` for a normal statistic of standard deviation ``spread`` (> 0)."""
    from scipy import stats as scipy_stats  # on first use, as above

    return float(2 * scipy_stats.norm.sf(abs(difference) / spread))


@dataclass(frozen=True)
class Summary:
    """Summary statistics of a sample."""

    n: int
    median: float
    mean: float
    stdev: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float | int]:
        """The summary as plain JSON-ready data."""
        return asdict(self)


SUMMARY_FIGURES = tuple(f.name for f in fields(Summary) if f.name != "n")
"""The figures of a :class:`Summary` after its count, in order."""


def summarize(values: Sequence[float]) -> Summary:
    """Summary of ``values`` (``stdev`` is the sample standard deviation, 0 for one value).

    Raises:
        ValueError: ``values`` is empty.
    """
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("cannot summarize an empty sample")
    stdev = float(np.std(array, ddof=1)) if array.size > 1 else 0.0
    return Summary(
        int(array.size), float(np.median(array)), float(array.mean()), stdev, float(array.min()), float(array.max())
    )


def paired_ratios(variant: Sequence[float], reference: Sequence[float]) -> list[float]:
    """``variant[i] / reference[i]`` for measurements taken side by side.

    Raises:
        ValueError: the sequences differ in length, or a reference value is not positive.
    """
    if len(variant) != len(reference):
        raise ValueError(f"paired samples differ in length: {len(variant)} and {len(reference)}")
    if any(value <= 0 for value in reference):
        raise ValueError("reference values must be positive")
    return [v / r for v, r in zip(variant, reference, strict=True)]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float = CONFIDENCE

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval, bounds included."""
        return self.low <= value <= self.high


Clusters = Sequence[Sequence[float]]
"""Values grouped by the unit they were taken in (a process, a batch of rounds)."""

# Values drawn at once when resampling: bounds memory whatever the sample's size.
MAX_DRAWN_AT_ONCE = 1_000_000


def _as_clusters(clusters: Clusters) -> list[np.ndarray]:
    arrays = [np.asarray(cluster, dtype=float) for cluster in clusters]
    arrays = [array for array in arrays if array.size]
    if not arrays:
        raise ValueError("no values to summarize")
    if not all(np.all(np.isfinite(array)) for array in arrays):
        raise ValueError("values must be finite")
    return arrays


def clustered_replicates(
    clusters: Clusters, resamples: int, rng: np.random.Generator, statistic=np.median
) -> np.ndarray:
    """Bootstrap replicates of ``statistic`` over all values, resampled the way they were taken.

    Each replicate draws clusters with replacement, then values with replacement within
    each drawn cluster (the two-stage bootstrap). Values of one cluster share its
    conditions, so a burst of load that spans a cluster moves its values together:
    resampling clusters lets it widen the interval instead of counting as many
    independent values. With one cluster only its values are resampled. ``statistic``
    takes an array and ``axis``. Memory stays bounded: at most :data:`MAX_DRAWN_AT_ONCE`
    values are drawn at a time.

    Resampling P clusters understates their spread by a factor ``(P - 1) / P`` in
    variance, which matters with the few processes a run can afford (a 95% interval held
    the truth 80% of the time with 4 clusters); the replicates' deviations from the
    statistic of all values are scaled back up by ``sqrt(P / (P - 1))``.
    """
    arrays = _as_clusters(clusters)
    out = _replicates(arrays, resamples, rng, statistic)
    if len(arrays) > 1:
        center = statistic(np.concatenate(arrays), axis=0)
        out = center + (out - center) * math.sqrt(len(arrays) / (len(arrays) - 1))
    return out


def _replicates(arrays: list[np.ndarray], resamples: int, rng: np.random.Generator, statistic) -> np.ndarray:
    out = np.empty(resamples)
    sizes = {array.size for array in arrays}
    if len(sizes) == 1:
        size, stacked = sizes.pop(), np.stack(arrays)
        chunk = max(1, MAX_DRAWN_AT_ONCE // stacked.size)
        for start in range(0, resamples, chunk):
            count = min(chunk, resamples - start)
            picks = rng.integers(0, len(arrays), size=(count, len(arrays), 1))
            draws = rng.integers(0, size, size=(count, len(arrays), size))
            out[start : start + count] = statistic(stacked[picks, draws].reshape(count, -1), axis=1)
        return out
    for index in range(resamples):
        picks = rng.integers(0, len(arrays), size=len(arrays))
        drawn = [arrays[p][rng.integers(0, arrays[p].size, size=arrays[p].size)] for p in picks]
        out[index] = statistic(np.concatenate(drawn), axis=0)
    return out


def _percentiles(replicates: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return float(low), float(high)


def _acceleration(jackknives: Sequence[np.ndarray]) -> float:
    """BCa's acceleration from leave-one-out estimates, one array per independent sample.

    Efron's (1987) form for several samples: with ``U = (m - 1)(mean - left_out)`` over a
    sample's ``m`` leave-one-out estimates, ``a = sum(U**3 / m**3) / (6 sum(U**2 / m**2)**1.5)``.
    """
    cubes = squares = 0.0
    for estimates in jackknives:
        m = estimates.size
        if m < 2:
            continue
        influence = (m - 1) * (estimates.mean() - estimates)
        cubes += float(np.sum(influence**3)) / m**3
        squares += float(np.sum(influence**2)) / m**2
    return cubes / (6.0 * squares**1.5) if squares > 0 else 0.0


def _ratio_interval(
    log_estimate: float, replicates: np.ndarray, confidence: float, jackknives: Sequence[np.ndarray] = ()
) -> Interval:
    """A ratio's BCa interval from bootstrap replicates of its log, always holding the estimate.

    A plain percentile interval of a median over a few clusters often sits to one side of
    its estimate ("0.826 [0.686, 0.835]"): the replicates' distribution is lumpy and skewed.
    BCa moves the percentiles by how far the estimate sits from the replicates' middle
    (the bias correction ``z0``) and by how the statistic's spread changes with its value
    (the acceleration, from ``jackknives``); with ``z0 = a = 0`` it is the percentile
    interval. Measured coverage is in README ("Reading: pipebench report").
    """
    count = replicates.size
    below = (np.sum(replicates < log_estimate) + 0.5 * np.sum(replicates == log_estimate)) / count
    normal = NormalDist()
    bias = normal.inv_cdf(min(max(float(below), 1.0 / (count + 1)), count / (count + 1.0)))
    acceleration = _acceleration(jackknives)
    shares = []
    for z in (normal.inv_cdf((1.0 - confidence) / 2), normal.inv_cdf((1.0 + confidence) / 2)):
        shifted = bias + z
        shares.append(normal.cdf(bias + shifted / (1.0 - acceleration * shifted)))
    low, high = (float(value) for value in np.quantile(replicates, shares))
    return Interval(
        math.exp(log_estimate), math.exp(min(low, log_estimate)), math.exp(max(high, log_estimate)), confidence
    )


def _left_out_medians(arrays: list[np.ndarray]) -> np.ndarray:
    """The median of all values with each cluster left out in turn (each value, for one cluster).

    With one cluster, the first 200 values are left out in turn: the acceleration is a
    skewness, which that many estimates already fix, and a leave-one-out median costs a
    pass over every value.
    """
    if len(arrays) == 1:
        values = arrays[0]
        if values.size < 2:
            return np.empty(0)
        return np.array([np.median(np.delete(values, index)) for index in range(min(values.size, 200))])
    return np.array([np.median(np.concatenate(arrays[:index] + arrays[index + 1 :])) for index in range(len(arrays))])


def _positive_logs(clusters: Clusters) -> list[np.ndarray]:
    arrays = _as_clusters(clusters)
    if not all(np.all(array > 0) for array in arrays):
        raise ValueError("values must be positive")
    return [np.log(array) for array in arrays]


INTERVAL_METHODS = ("bca", "percentile")
"""How a bootstrap interval is read from its replicates: BCa (the default) or plain percentiles."""


def clustered_ratio_estimate(
    ratios: Clusters, confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED, method: str = "bca"
) -> Interval:
    """The median of paired ratios, grouped by process, with a two-stage bootstrap interval.

    ``method``: one of :data:`INTERVAL_METHODS` (``percentile`` is kept to measure BCa against).

    The median, not the mean: a burst of load that hits one value of a pair makes one
    wild ratio, which would drag a mean but not a median.

    Raises:
        ValueError: no ratios, or a ratio that is not positive and finite.
    """
    logs = _positive_logs(ratios)
    estimate = float(np.median(np.concatenate(logs)))
    if np.ptp(np.concatenate(logs)) == 0.0:
        return Interval(math.exp(estimate), math.exp(estimate), math.exp(estimate), confidence)
    if method not in INTERVAL_METHODS:
        raise ValueError(f"unknown interval method {method!r}; choose from {', '.join(INTERVAL_METHODS)}")
    replicates = clustered_replicates(logs, BOOTSTRAP_RESAMPLES, np.random.default_rng(seed))
    if method == "percentile":
        low, high = _percentiles(replicates, confidence)
        return Interval(math.exp(estimate), math.exp(min(low, estimate)), math.exp(max(high, estimate)), confidence)
    return _ratio_interval(estimate, replicates, confidence, [_left_out_medians(logs)])


def clustered_ratio_of_medians(
    base: Clusters, current: Clusters, confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED
) -> Interval:
    """``median(current) / median(base)`` with a two-stage bootstrap interval.

    The two sides are independent samples (two runs): each is resampled on its own,
    clusters first, then values within them.

    Raises:
        ValueError: a side is empty, or holds a value that is not positive and finite.
    """
    sides = [_positive_logs(base), _positive_logs(current)]
    estimate = float(np.median(np.concatenate(sides[1])) - np.median(np.concatenate(sides[0])))
    rng = np.random.default_rng(seed)
    replicates = clustered_replicates(sides[1], BOOTSTRAP_RESAMPLES, rng) - clustered_replicates(
        sides[0], BOOTSTRAP_RESAMPLES, rng
    )
    # Leaving a base cluster out moves the estimate the other way: its influence is negated.
    jackknives = [_left_out_medians(sides[1]), -_left_out_medians(sides[0])]
    return _ratio_interval(estimate, replicates, confidence, jackknives)


def cluster_test(base: Clusters, current: Clusters) -> float | None:
    """Welch's t-test on the clusters' median logs: its p-value, or None with fewer than 2 clusters a side.

    The cluster is the unit of independence, so it is what the test counts.
    """
    medians = [np.array([np.median(array) for array in _positive_logs(side)]) for side in (base, current)]
    if min(len(m) for m in medians) < 2:
        return None
    if np.ptp(medians[0]) == 0.0 and np.ptp(medians[1]) == 0.0:
        return 0.0 if medians[0][0] != medians[1][0] else 1.0
    from scipy import stats as scipy_stats  # on first use: 0.5 s that reading results never needs

    with warnings.catch_warnings():
        # Near-identical medians make scipy warn of precision loss; the p-value is still right.
        warnings.simplefilter("ignore", RuntimeWarning)
        p_value = float(scipy_stats.ttest_ind(medians[1], medians[0], equal_var=False).pvalue)
    return p_value if math.isfinite(p_value) else None


def paired_cluster_test(ratios: Clusters) -> float | None:
    """One-sample t-test of paired ratios against 1, on each cluster's median log: its p-value.

    ``None`` with fewer than two clusters; the cluster (one pair of processes) is the unit
    of independence.
    """
    medians = np.array([np.median(array) for array in _positive_logs(ratios)])
    if len(medians) < 2:
        return None
    if np.ptp(medians) == 0.0:
        return 0.0 if medians[0] != 0.0 else 1.0
    from scipy import stats as scipy_stats  # on first use, as above

    p_value = float(scipy_stats.ttest_1samp(medians, 0.0).pvalue)
    return p_value if math.isfinite(p_value) else None


def bootstrap_bounds(
    data: tuple[np.ndarray, ...],
    statistic,
    confidence: float = CONFIDENCE,
    seed: int = BOOTSTRAP_SEED,
    methods: tuple[str, ...] = ("percentile",),
    **options,
) -> tuple[float, float]:
    """The bounds of :func:`scipy.stats.bootstrap`'s interval, trying ``methods`` in turn.

    A method whose bounds come out non-finite (BCa on too few distinct values) gives way to
    the next; if none works, the interval collapses to the statistic of the whole data, so
    the bounds are always in the statistic's own units.
    """
    from scipy import stats as scipy_stats  # on first use, as above

    for method in methods:
        with warnings.catch_warnings():
            # Too few distinct values make BCa warn and return NaN bounds: handled below.
            warnings.simplefilter("ignore", scipy_stats.DegenerateDataWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = scipy_stats.bootstrap(
                data,
                statistic,
                confidence_level=confidence,
                n_resamples=BOOTSTRAP_RESAMPLES,
                method=method,
                rng=np.random.default_rng(seed),
                **options,
            )
        low, high = result.confidence_interval
        if math.isfinite(low) and math.isfinite(high):
            return float(low), float(high)
    point = float(statistic(*data))
    return point, point


def median_interval(values: Sequence[float], confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED) -> Interval:
    """The median of ``values`` with a percentile bootstrap confidence interval.

    Raises:
        ValueError: ``values`` is empty.
    """
    sample = np.asarray(values, dtype=float)
    if sample.size == 0:
        raise ValueError("cannot take the median of an empty sample")
    estimate = float(np.median(sample))
    if sample.size == 1 or np.ptp(sample) == 0.0:
        return Interval(estimate, estimate, estimate, confidence)
    low, high = bootstrap_bounds((sample,), np.median, confidence, seed)
    return Interval(estimate, low, high, confidence)
