"""Statistics over numbers: summaries, paired ratios and their confidence intervals.

Pure functions only (no files, no printing). Ratios are summarized by their geometric
mean, the natural centre of a ratio (the mean of ``a/b`` and of ``b/a`` would disagree),
with a bootstrap confidence interval on the mean log ratio from :func:`scipy.stats.bootstrap`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


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
        return {
            "n": self.n,
            "median": self.median,
            "mean": self.mean,
            "stdev": self.stdev,
            "min": self.min,
            "max": self.max,
        }


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
        return self.low <= value <= self.high


def geometric_mean_interval(
    ratios: Sequence[float], confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED
) -> Interval:
    """Geometric mean of positive ``ratios`` with a BCa bootstrap confidence interval.

    With one ratio, or ratios all equal, the interval collapses to the estimate: there is
    no spread to resample. When BCa cannot be computed (too few distinct values) the
    percentile interval is used instead.

    Raises:
        ValueError: no ratios, or a ratio that is not positive.
    """
    values = np.asarray(ratios, dtype=float)
    if values.size == 0:
        raise ValueError("no ratios to summarize")
    if not (np.all(values > 0) and np.all(np.isfinite(values))):
        raise ValueError("ratios must be positive and finite")
    logs = np.log(values)
    estimate = math.exp(float(logs.mean()))
    if logs.size == 1 or np.ptp(logs) == 0.0:
        return Interval(estimate, estimate, estimate, confidence)
    low, high = bootstrap_bounds((logs,), np.mean, confidence, seed, methods=("BCa", "percentile"))
    return Interval(estimate, math.exp(low), math.exp(high), confidence)


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
    for method in methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
