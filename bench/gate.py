"""The regression gate's statistics: ratio, interval, test and verdict per benchmark.

Pure functions over :class:`~bench.inputs.Measure` values. A change is a *regression*
when it is statistically real (the rank test rejects equality at ``alpha``) and larger
than the metric's threshold with confidence: the whole confidence interval of the ratio
lies beyond ``1 + threshold``. Requiring the interval, not just the point estimate, to
clear the threshold is what keeps the gate quiet on a noisy machine, where the samples of
one run share that run's conditions and so look more certain than they are. A comparison
whose interval is too wide to tell a change of the threshold's size either way is
*inconclusive*; its ``detectable`` field is the smallest change the data could have told
apart from noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from bench.inputs import Measure, Side
from bench.stats import CONFIDENCE, bootstrap_bounds

# Time: paired ratios of one case agree within about 7% between two quick runs on a
# shared two-core machine, so a 5% default would cry wolf; memory is deterministic.
DEFAULT_THRESHOLDS: dict[str, float] = {"time": 0.10, "memory": 0.01, "allocations": 0.01}
ALPHA = 0.05
WORSE = {"time": "slower", "memory": "larger", "allocations": "more"}
BETTER = {"time": "faster", "memory": "smaller", "allocations": "fewer"}


@dataclass(frozen=True)
class Comparison:
    """The verdict on one benchmark and metric family."""

    id: str
    family: str
    metric: str
    unit: str
    base: float
    current: float
    ratio: float
    ci_low: float
    ci_high: float
    test: str
    p_value: float | None
    threshold: float
    verdict: str
    detectable: float | None

    @property
    def regression(self) -> bool:
        return self.verdict == WORSE[self.family]


def _ratio_of_medians(base: np.ndarray, current: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(current, axis=axis) / np.median(base, axis=axis)


def _sampled(base: Measure, current: Measure) -> tuple[float, float, float, str, float]:
    b, c = np.asarray(base.samples, dtype=float), np.asarray(current.samples, dtype=float)
    estimate = float(np.median(c) / np.median(b))
    low, high = bootstrap_bounds((b, c), _ratio_of_medians, paired=False, vectorized=True)
    p_value = float(scipy_stats.mannwhitneyu(c, b, alternative="two-sided").pvalue)
    return estimate, low, high, "mann-whitney", p_value


def _from_summaries(base: Measure, current: Measure) -> tuple[float, float, float, str, float]:
    """Welch's t-test and a delta-method interval, when only means and deviations are known."""
    mb, mc = (
        base.mean if base.mean is not None else base.center,
        current.mean if current.mean is not None else current.center,
    )
    sb, sc = base.stdev or 0.0, current.stdev or 0.0
    nb, nc = max(base.n, 1), max(current.n, 1)
    estimate = mc / mb
    if nb < 2 or nc < 2 or (sb == 0.0 and sc == 0.0):
        return estimate, estimate, estimate, "none", None
    p_value = float(scipy_stats.ttest_ind_from_stats(mc, sc, nc, mb, sb, nb, equal_var=False).pvalue)
    spread = estimate * math.sqrt((sc**2 / nc) / mc**2 + (sb**2 / nb) / mb**2)
    z = scipy_stats.norm.ppf(0.5 + CONFIDENCE / 2)
    return estimate, estimate - z * spread, estimate + z * spread, "welch", p_value


def compare(base: Measure, current: Measure, threshold: float, alpha: float = ALPHA) -> Comparison:
    """Compare one benchmark's measure on both sides."""
    if base.exact and current.exact:
        estimate = current.center / base.center if base.center else math.inf
        low = high = estimate
        test, p_value = "exact", None
    elif len(base.samples) >= 2 and len(current.samples) >= 2:
        estimate, low, high, test, p_value = _sampled(base, current)
    else:
        estimate, low, high, test, p_value = _from_summaries(base, current)
    verdict, detectable = judge(estimate, low, high, p_value, threshold, alpha, current.family, exact=test == "exact")
    return Comparison(
        base.id, current.family, current.metric, current.unit, base.center, current.center,
        estimate, low, high, test, p_value, threshold, verdict, detectable,
    )  # fmt: skip


def judge(
    estimate: float,
    low: float,
    high: float,
    p_value: float | None,
    threshold: float,
    alpha: float,
    family: str,
    exact: bool = False,
) -> tuple[str, float | None]:
    """The verdict and, for an inconclusive one, the smallest detectable change (a fraction)."""
    limit = 1.0 + threshold
    if exact:
        if estimate > limit:
            return WORSE[family], None
        if estimate < 1.0 / limit:
            return BETTER[family], None
        return "unchanged", None
    significant = p_value is not None and p_value < alpha
    if significant and low > limit:
        return WORSE[family], None
    if significant and high < 1.0 / limit:
        return BETTER[family], None
    if 1.0 / limit < low and high < limit:
        return "unchanged", None
    detectable = max(high / estimate - 1.0, 1.0 - low / estimate) if estimate > 0 else math.inf
    return "inconclusive", detectable


@dataclass(frozen=True)
class Outcome:
    """Everything ``pipebench compare`` found."""

    comparisons: list[Comparison]
    added: list[str]
    missing: list[str]
    notes: list[str]

    @property
    def regressions(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.regression]

    @property
    def inconclusive(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.verdict == "inconclusive"]


def _index(measures: Mapping[tuple[str, str], Measure]) -> dict[tuple[str, str], Measure]:
    index = dict(measures)
    for (_name, family), measure in measures.items():
        if measure.alias:
            index.setdefault((measure.alias, family), measure)
    return index


def compare_sides(
    base: Side,
    current: Side,
    thresholds: Mapping[str, float],
    *,
    normalize: bool = False,
    families: tuple[str, ...] = ("time", "memory", "allocations"),
    alpha: float = ALPHA,
) -> Outcome:
    """Match the two sides' benchmarks and compare each metric family asked for.

    With ``normalize``, time is compared through each variant's paired ratio to its suite's
    reference, measured within each run, instead of absolute times.

    Raises:
        ValueError: ``normalize`` on a side without paired ratios, or nothing in common.
    """
    notes = []
    if base.machine != current.machine:
        notes.append(
            f"BASE and CURRENT come from different machines ({base.machine} vs {current.machine}): "
            + ("time is compared through ratios to each run's reference." if normalize
               else "absolute times are not comparable; --normalize compares ratios to the reference instead.")
        )  # fmt: skip
    if not normalize and base.kind == current.kind == "pipebench" and "time" in families:
        notes.append(
            "Time is compared as absolute times: a slowdown of the machine while one run measured a group "
            "moves every variant of that group; --normalize compares paired ratios, which cancel it."
        )
    base_measures = {k: v for k, v in base.measures.items() if k[1] in families}
    current_measures = {k: v for k, v in current.measures.items() if k[1] in families}
    if normalize:
        if base.kind != "pipebench" or current.kind != "pipebench":
            raise ValueError("--normalize needs pipebench run directories on both sides (they hold paired ratios)")
        base_measures = {k: v for k, v in base_measures.items() if k[1] != "time"}
        current_measures = {k: v for k, v in current_measures.items() if k[1] != "time"}
        if "time" in families:
            base_measures.update({(i, "time"): m for i, m in base.ratios.items()})
            current_measures.update({(i, "time"): m for i, m in current.ratios.items()})
    current_index = _index(current_measures)
    base_index = _index(base_measures)
    comparisons, missing = [], []
    for key, measure in base_measures.items():
        other = current_index.get(key) or (current_index.get((measure.alias, key[1])) if measure.alias else None)
        if other is None:
            missing.append(f"{key[0]} ({key[1]})")
            continue
        comparisons.append(compare(measure, other, thresholds[key[1]], alpha))
    matched = {(c.id, c.family) for c in comparisons}
    added = [
        f"{k[0]} ({k[1]})"
        for k, m in current_measures.items()
        if k not in matched and (m.alias, k[1]) not in matched and base_index.get(k) is None
    ]
    if not comparisons:
        raise ValueError(f"{base.path} and {current.path} have no benchmark in common")
    return Outcome(comparisons, added, missing, notes)
