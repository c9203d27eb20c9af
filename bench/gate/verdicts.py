"""The regression gate's statistics: ratio, interval, test and verdict per benchmark.

Pure functions over :class:`~pipebench.gate.data.Measurement` values. Timed values are compared as
clusters (the rounds of one process, or one batch of a pytest-benchmark session, share
its conditions): the ratio of medians gets a two-stage bootstrap interval and Welch's
test counts clusters, not rounds. A change is a *regression* when it is statistically
real and larger than the metric's threshold with confidence: the whole interval lies
beyond ``1 + threshold``. Counts (instructions, allocations) and memray's peak bytes are
deterministic: their ratio is compared with the threshold directly.

Verdicts say what the interval shows: ``slower``/``faster`` (and their memory and count
words) when it lies beyond the threshold, or below 1 for an improvement; ``unchanged``
when it holds 1 inside the threshold band; ``within threshold`` when it excludes 1 but
stays inside the band; ``inconclusive`` when it reaches past the threshold, with the
smallest change the data could have told apart from noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipebench.errors import UsageError
from pipebench.gate.caveats import caveats_across_runs
from pipebench.gate.data import GateInput, Measurement
from pipebench.metrics import FAMILIES, FAMILY_NAMES
from pipebench.stats import (
    cluster_test,
    clustered_ratio_estimate,
    clustered_ratio_of_medians,
    normal_p_value,
    normal_quantile,
    paired_cluster_test,
)
from pipebench.store import BASE_DIR

ALPHA = 0.05
_Z = normal_quantile()  # of the gate's intervals


@dataclass(frozen=True)
class RatioEstimate:
    """current / base, its interval at the gate's confidence, and the test that judged it."""

    ratio: float
    low: float
    high: float
    test: str
    p_value: float | None = None


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The verdict on one benchmark and metric family."""

    id: str
    family: str
    metric: str
    unit: str
    base: float
    current: float
    estimate: RatioEstimate
    threshold: float
    verdict: str
    detectable: float | None = None
    """For an inconclusive verdict: the smallest change the data could have told from noise."""

    @property
    def ratio(self) -> float:
        """Current / base."""
        return self.estimate.ratio

    @property
    def ci_low(self) -> float:
        """The interval's low end."""
        return self.estimate.low

    @property
    def ci_high(self) -> float:
        """The interval's high end."""
        return self.estimate.high

    @property
    def test(self) -> str:
        """The test behind the verdict (``exact``, ``welch/clusters``, ``z/sessions``...)."""
        return self.estimate.test

    @property
    def p_value(self) -> float | None:
        """The test's p-value, where it has one."""
        return self.estimate.p_value

    @property
    def regression(self) -> bool:
        """Whether the verdict is the family's bad direction (slower, or more)."""
        return self.verdict == FAMILIES[self.family].worse

    @property
    def regression_possible(self) -> bool:
        """An inconclusive comparison whose interval reaches past the regression threshold."""
        return self.verdict == "inconclusive" and self.ci_high >= 1.0 + self.threshold


def _sampled(base: Measurement, current: Measurement, session_noise: float = 0.0) -> RatioEstimate:
    interval = clustered_ratio_of_medians(base.clusters, current.clusters)
    if session_noise:
        return _with_session_noise(interval.estimate, interval.low, interval.high, session_noise)
    p_value = cluster_test(base.clusters, current.clusters)
    test = "welch/clusters" if p_value is not None else "bootstrap"
    return RatioEstimate(interval.estimate, interval.low, interval.high, test, p_value)


# How much two single-process sessions of unchanged code differ as a whole (σ of the log of
# one session's level): measured on a quiet two-core machine, two pytest-benchmark sessions'
# medians of the same benchmark differed by up to 2.3% with intervals from their own
# batches of rounds 0.3% wide. A session's batches share its process (memory layout, the
# machine's state), so they cannot show this; it is added to what they show.
SESSION_NOISE = 0.015


def _with_session_noise(estimate: float, low: float, high: float, noise: float) -> RatioEstimate:
    """The interval widened by each side's session-level noise, and the z-test that follows from it."""
    extra = _Z * noise * math.sqrt(2)
    below = math.sqrt(math.log(estimate / low) ** 2 + extra**2) if low > 0 else math.inf
    above = math.sqrt(math.log(high / estimate) ** 2 + extra**2)
    spread = (below + above) / (2 * _Z)
    p_value = normal_p_value(math.log(estimate), spread) if spread > 0 else None
    return RatioEstimate(estimate, estimate * math.exp(-below), estimate * math.exp(above), "z/sessions", p_value)


def _from_summaries(base: Measurement, current: Measurement) -> RatioEstimate:
    """The ratio of medians with a delta-method interval and Welch's test, when only summaries are known.

    Medians, not means: a session's mean follows its slowest rounds (a baseline whose mean
    was pulled up by a few outliers made a real 15% slowdown read as 0.79, faster). The
    spread of a median is taken as 1.2533 standard deviations over the root of the rounds.
    """
    mb, mc = base.center, current.center
    sb, sc = base.stdev or 0.0, current.stdev or 0.0
    nb, nc = max(base.n, 1), max(current.n, 1)
    estimate = mc / mb
    if nb < 2 or nc < 2 or (sb == 0.0 and sc == 0.0):
        return RatioEstimate(estimate, estimate, estimate, "none")
    se_b, se_c = 1.2533 * sb / math.sqrt(nb), 1.2533 * sc / math.sqrt(nc)
    spread = math.sqrt((se_c / mc) ** 2 + (se_b / mb) ** 2)
    p_value = normal_p_value(math.log(estimate), spread) if spread > 0 else None
    low, high = estimate * math.exp(-_Z * spread), estimate * math.exp(_Z * spread)
    return RatioEstimate(estimate, low, high, "medians/summaries", p_value)


def _exact_ratio(base: float, current: float) -> float:
    """``current / base`` for counts and bytes: 1 when both are zero, infinite from zero to more."""
    if base == 0:
        return 1.0 if current == 0 else math.inf
    return current / base


def compare(
    base: Measurement, current: Measurement, threshold: float, alpha: float = ALPHA, session_noise: float = 0.0
) -> Comparison:
    """Compare one benchmark's measure on both sides.

    ``session_noise``: for sides whose samples all come from one process each (pytest-benchmark
    sessions), the session-level noise their own samples cannot show (:data:`SESSION_NOISE`).
    """
    if base.exact and current.exact:
        ratio = _exact_ratio(base.center, current.center)
        estimate = RatioEstimate(ratio, ratio, ratio, "exact")
    elif base.clusters and base.clusters == current.clusters:
        # The very same values (a run compared with itself): nothing is uncertain.
        estimate = RatioEstimate(1.0, 1.0, 1.0, "identical")
    elif base.clusters and current.clusters and len(base.samples) >= 2 and len(current.samples) >= 2:
        estimate = _sampled(base, current, session_noise if base.family == "time" else 0.0)
    else:
        estimate = _from_summaries(base, current)
    floor = FAMILIES[current.family].floor(base.center)
    negligible = estimate.test == "exact" and abs(current.center - base.center) < floor
    verdict, detectable = judge(estimate, threshold, alpha, current.family, negligible=negligible)
    return Comparison(
        id=base.id,
        family=current.family,
        metric=current.metric,
        unit=current.unit,
        base=base.center,
        current=current.center,
        estimate=estimate,
        threshold=threshold,
        verdict=verdict,
        detectable=detectable,
    )


def judge(
    estimate: RatioEstimate, threshold: float, alpha: float, family: str, negligible: bool = False
) -> tuple[str, float | None]:
    """The verdict and, for an inconclusive one, the smallest detectable change (a fraction).

    ``negligible``: an exact figure moved by less than its family's noise floor.
    """
    ratio, low, high, p_value = estimate.ratio, estimate.low, estimate.high, estimate.p_value
    limit = 1.0 + threshold
    if estimate.test == "exact":
        if not negligible and ratio > limit:
            return FAMILIES[family].worse, None
        if not negligible and ratio < 1.0 / limit:
            return FAMILIES[family].better, None
        return ("unchanged" if ratio == 1.0 else "within threshold"), None
    significant = p_value is None or p_value < alpha
    if significant and low > limit:
        return FAMILIES[family].worse, None
    if significant and high < 1.0:
        return FAMILIES[family].better, None
    if 1.0 / limit < low and high < limit:
        return ("unchanged" if low <= 1.0 <= high else "within threshold"), None
    detectable = max(high / ratio - 1.0, 1.0 - low / ratio) if ratio > 0 else math.inf
    return "inconclusive", detectable


@dataclass(frozen=True)
class Outcome:
    """Everything ``pipebench compare`` found."""

    comparisons: list[Comparison]
    added: list[str]
    missing: list[str]
    notes: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)
    """References whose own time nothing compared (ratios to them cannot see them change)."""
    withheld: list[str] = field(default_factory=list)
    """Benchmarks whose time verdict was withheld: the two runs' machines ran at different speeds."""
    not_measured: list[str] = field(default_factory=list)
    """Functions changed since the base that no measured case executes (an A/B run's)."""

    @property
    def regressions(self) -> list[Comparison]:
        """The comparisons that regressed."""
        return [c for c in self.comparisons if c.regression]

    @property
    def inconclusive(self) -> list[Comparison]:
        """The comparisons whose data could not tell."""
        return [c for c in self.comparisons if c.verdict == "inconclusive"]

    def failed(self, strict: bool = False) -> bool:
        """A regression; with ``strict``, also one not ruled out.

        Not ruled out: an inconclusive comparison, a benchmark missing, a reference unseen,
        time withheld, or changed code that no case measures.
        """
        if self.regressions:
            return True
        could_hide = any(c.regression_possible for c in self.comparisons) or self.missing or self.unseen
        could_hide = could_hide or self.withheld or self.not_measured
        return strict and bool(could_hide)


def _index(measures: Mapping[tuple[str, str], Measurement]) -> dict[tuple[str, str], Measurement]:
    index = dict(measures)
    for (_name, family), measure in measures.items():
        if measure.case_id:
            index.setdefault((measure.case_id, family), measure)
    return index


def _time_measures(side: GateInput, by_ratio: bool) -> dict[tuple[str, str], Measurement]:
    """A side's time measures: its paired ratios to the reference, or its absolute times."""
    if by_ratio:
        return {(case_id, "time"): measure for case_id, measure in side.ratios.items()}
    return {key: measure for key, measure in side.measures.items() if key[1] == "time"}


def _notes(base: GateInput, current: GateInput, absolute: bool, families: tuple[str, ...]) -> list[str]:
    notes = []
    pipebench_time = base.kind == current.kind == "pipebench" and "time" in families
    if base.machine != current.machine:
        notes.append(
            f"BASE and CURRENT come from different machines ({base.machine} vs {current.machine}): "
            + (
                "time is compared through ratios to each run's reference."
                if pipebench_time and not absolute
                else "absolute times are not comparable across machines."
            )
        )
    compiled = _compiled_apart(base, current, families)
    if compiled:
        notes.append(compiled)
    if pipebench_time and absolute:
        notes.append(
            "--absolute-time: times of two runs are compared as they are, so a slowdown of the machine while "
            "one run measured a group moves every variant of it; the default compares paired ratios, which cancel it."
        )
    return notes


def _compiled_apart(base: GateInput, current: GateInput, families: tuple[str, ...]) -> str | None:
    """A line where the two sides' counts come from packages compiled at paths of different lengths."""
    if not any(FAMILIES[family].counted for family in families):
        return None
    paths = [(side.metadata.get("counts") or {}).get("compiled_at") for side in (base, current)]
    if not all(isinstance(path, str) for path in paths) or len(paths[0]) == len(paths[1]):
        return None
    return (
        f"counts from environments whose packages were compiled at paths of different lengths "
        f"({len(paths[0])} and {len(paths[1])} characters: {paths[0]}, {paths[1]}): that length moves counts "
        "a little (pipebench's own cases, counted so: up to 0.05% of instructions, 0.6% of estimated cycles); "
        "for counts equal to the instruction, install both at paths of one length"
    )


def compare_paired(
    ratio: Measurement, threshold: float, *, base: float, current: float, alpha: float = ALPHA
) -> Comparison:
    """Judge one case's head/base ratio of an A/B run, its values paired within rounds.

    ``base`` and ``current`` are the two sides' times, shown beside the ratio.
    """
    interval = clustered_ratio_estimate(ratio.clusters)
    estimate = RatioEstimate(
        interval.estimate, interval.low, interval.high, "paired/clusters", paired_cluster_test(ratio.clusters)
    )
    verdict, detectable = judge(estimate, threshold, alpha, ratio.family)
    return Comparison(
        id=ratio.id,
        family=ratio.family,
        metric=ratio.metric,
        unit=ratio.unit,
        base=base,
        current=current,
        estimate=estimate,
        threshold=threshold,
        verdict=verdict,
        detectable=detectable,
    )


def _ab_time(base: GateInput, current: GateInput, thresholds: Mapping[str, float], alpha: float) -> list[Comparison]:
    """An A/B run's time verdicts: every case's own head/base ratio, each suite's reference included."""
    times = [{key[0]: m.center for key, m in side.measures.items() if key[1] == "time"} for side in (base, current)]
    return [
        compare_paired(
            ratio,
            thresholds[ratio.family],
            base=times[0].get(case_id, math.nan),
            current=times[1].get(case_id, math.nan),
            alpha=alpha,
        )
        for case_id, ratio in current.ab_ratios.items()
    ]


def compare_sides(
    base: GateInput,
    current: GateInput,
    thresholds: Mapping[str, float],
    *,
    absolute_time: bool = False,
    families: tuple[str, ...] = FAMILY_NAMES,
    alpha: float = ALPHA,
) -> Outcome:
    """Match the two sides' benchmarks and compare each metric family asked for.

    Time of two pipebench runs is compared through each variant's paired ratio to its
    suite's reference, measured within each run: it holds across runs and machines. With
    ``absolute_time`` (and for the other formats) absolute times are compared. An A/B
    run's two sides (``base`` its ``base/`` directory) are compared by each case's own
    head/base ratio.

    Raises:
        UsageError: nothing in common.
    """
    ab = current.run is not None and base.path == current.run.directory / BASE_DIR
    timed = "time" in families
    # Ratios only where both sides hold them: a ratio is not comparable with a time.
    by_ratio = base.kind == current.kind == "pipebench" and not absolute_time
    base_measures, current_measures = (_measures(side, families, by_ratio, ab) for side in (base, current))
    comparisons = _ab_time(base, current, thresholds, alpha) if ab and timed else []
    matched, added, missing = _matched(base_measures, current_measures)
    # A pytest-benchmark session is one process: its level moves as a whole from session to session.
    session_noise = SESSION_NOISE if "pytest-benchmark" in (base.kind, current.kind) else 0.0
    comparisons += [compare(b, c, thresholds[b.family], alpha, session_noise) for b, c in matched]
    if not comparisons:
        for side in (base, current):
            held = {family for _, family in side.measures}
            if not held & set(families):
                raise UsageError(f"{side.path}: {_holdings(side, held)}: no {' or '.join(families)} to compare")
        raise UsageError(f"{base.path} and {current.path} have no benchmark in common")
    if ab:
        return Outcome(comparisons, added, missing, not_measured=list(current.not_measured))
    caveats = caveats_across_runs(base, current, comparisons, timed=timed, by_ratio=by_ratio)
    notes = _notes(base, current, absolute_time, families) + caveats.notes
    if missing:
        notes.insert(0, f"{len(missing)} benchmark(s) of BASE are missing from CURRENT and were not compared")
    return Outcome(caveats.comparisons, added, missing, notes, caveats.unseen, caveats.withheld)


def _holdings(side: GateInput, held: set[str]) -> str:
    """What one side holds, in words: a pytest-benchmark file holds times only."""
    if side.kind == "pytest-benchmark":
        return (
            "a pytest-benchmark file holds times only (counts come from "
            "`pytest --benchmark-only --pipebench-instructions --pipebench-out DIR`)"
        )
    if side.kind == "pyperf":
        return "a pyperf file holds times only"
    return f"it holds {', '.join(sorted(held)) or 'nothing comparable'}"


def _measures(
    side: GateInput, families: tuple[str, ...], by_ratio: bool, ab: bool
) -> dict[tuple[str, str], Measurement]:
    """A side's measures of the families asked for, time as the gate compares it across runs."""
    measures = {k: v for k, v in side.measures.items() if k[1] in families and k[1] != "time"}
    if "time" in families and not ab:
        measures.update(_time_measures(side, by_ratio))
    return measures


def _matched(
    base: Mapping[tuple[str, str], Measurement], current: Mapping[tuple[str, str], Measurement]
) -> tuple[list[tuple[Measurement, Measurement]], list[str], list[str]]:
    """The pairs of measures of one benchmark, and the benchmarks only CURRENT or only BASE has."""
    current_index, base_index = _index(current), _index(base)
    pairs, missing = [], []
    for key, measure in base.items():
        other = current_index.get(key) or (current_index.get((measure.case_id, key[1])) if measure.case_id else None)
        if other is None:
            missing.append(f"{key[0]} ({key[1]})")
        else:
            pairs.append((measure, other))
    matched = {(b.id, b.family) for b, _ in pairs}
    added = [
        f"{k[0]} ({k[1]})"
        for k, m in current.items()
        if k not in matched and (m.case_id, k[1]) not in matched and base_index.get(k) is None
    ]
    return pairs, added, missing
