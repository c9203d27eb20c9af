"""Fitting estimated cycles' weights to measured time, and judging them on cases they never saw.

Pure functions over one run that measured time and counted with a simulated cache
(``pipebench run --cycles``). Each variant and its suite's reference make a pair: its
paired time ratio (variant / reference, taken within the same rounds, so the machine's
speed cancels) against the same two cases' instruction ratio and estimated-cycles ratio.
Ratios, not absolute figures, are fitted: a ratio is what every comparison pipebench makes
reads, and it needs no conversion from instructions' worth to seconds.

The weights minimize the log error of the cycles ratio against the time ratio over the
fitting pairs with a robust loss (scipy's ``least_squares``, ``soft_l1``). Variants their
suite tags vectorized are never fitted on: their kernels do several values' work per
instruction, which no weighting of instructions and misses expresses (fitted with them, the
last-level weight doubled, 123 to 244, and slotted records at 100,000 went from 6% over
time's ratio to 12% under it). They are judged all the same, in a group of their own, so where no
cache model follows time the output says so instead of hiding it in an average.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import optimize

from pipebench.counts.cycles import AGREEMENT, VECTORIZED, Weights, agrees, estimate
from pipebench.metrics import INSTRUCTIONS, L1_MISSES, LL_MISSES, RATIO_TO_REFERENCE
from pipebench.results import Row


@dataclass(frozen=True)
class Counted:
    """One case's counts per call: instructions and the simulated misses of each level."""

    instructions: float
    l1_misses: float
    ll_misses: float

    def cycles(self, weights: Weights) -> float:
        """Its estimated cycles under ``weights``."""
        return estimate(self.instructions, self.l1_misses, self.ll_misses, weights)


@dataclass(frozen=True)
class Pair:
    """A variant and its reference: their time ratio and their counts."""

    case_id: str
    suite: str
    records: int | None
    time_ratio: float
    variant: Counted
    reference: Counted
    vectorized: bool = False
    """The variant does its work in vectorized kernels (its suite tags it so): shown, never fitted on."""

    @property
    def instruction_ratio(self) -> float:
        """Variant instructions / reference instructions."""
        return self.variant.instructions / self.reference.instructions

    def cycles_ratio(self, weights: Weights) -> float:
        """Variant estimated cycles / reference estimated cycles under ``weights``."""
        return self.variant.cycles(weights) / self.reference.cycles(weights)


def pairs(rows: Iterable[Row], suites: Mapping[str, Mapping[str, Any]] | None = None) -> list[Pair]:
    """Every variant of ``rows`` with a paired time ratio and counts with cache simulation on both sides.

    ``suites`` (a run's ``metadata.suites``) marks the variants their suite tags vectorized.

    Raises:
        ValueError: no such pair (the run did not time, or did not count with ``--cycles``).
    """
    by_case: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, {})[row.metric] = row
    out = []
    for case_id, metrics in by_case.items():
        ratio = metrics.get(RATIO_TO_REFERENCE)
        if ratio is None or ratio.reference is None or ratio.reference not in by_case:
            continue
        variant, reference = _counted(metrics), _counted(by_case[ratio.reference])
        if variant is None or reference is None or reference.instructions <= 0:
            continue
        records = ratio.params.get("n")
        tags = ((suites or {}).get(ratio.suite) or {}).get("tags") or {}
        out.append(
            Pair(
                case_id,
                ratio.suite,
                records if isinstance(records, int) else None,
                ratio.value,
                variant,
                reference,
                VECTORIZED in tags.get(ratio.variant, ()),
            )
        )
    if not out:
        raise ValueError("no variant has both a paired time ratio and counts with cache simulation (run --cycles)")
    return sorted(out, key=lambda pair: pair.case_id)


def time_ratios(rows: Iterable[Row]) -> dict[str, float]:
    """Each variant's paired time ratio to its reference among one run's ``rows``, by case id."""
    return {row.case_id: row.value for row in rows if row.metric == RATIO_TO_REFERENCE and row.reference is not None}


def repeated(all_pairs: Sequence[Pair], more: Sequence[Mapping[str, float]]) -> list[Pair]:
    """``all_pairs`` with each time ratio the median, on the log scale, of its own and ``more`` runs' of its case.

    Time ratios repeat only so far: two quick runs on this project's VM at rest, one after
    the other, put 13 of the 39 pairs that are not vectorized more than 5% apart, so
    "within 10% of one run's time" is as sharp as that run. Counts need no such help (they
    repeat to the instruction), so they are the first run's. A case another run did not
    time keeps the ratios it has.
    """
    out = []
    for pair in all_pairs:
        values = [pair.time_ratio, *(ratios[pair.case_id] for ratios in more if pair.case_id in ratios)]
        middle = math.exp(float(np.median(np.log(values))))
        out.append(replace(pair, time_ratio=middle))
    return out


def _counted(metrics: dict[str, Row]) -> Counted | None:
    if not all(name in metrics for name in (INSTRUCTIONS, L1_MISSES, LL_MISSES)):
        return None
    return Counted(metrics[INSTRUCTIONS].value, metrics[L1_MISSES].value, metrics[LL_MISSES].value)


def fit(candidates: Sequence[Pair]) -> Weights:
    """The weights (each at least 0) whose cycles ratios come closest to the time ratios of ``candidates``.

    Vectorized pairs are left out of the fit: a kernel that does several values' work per
    instruction is faster than any weighting of instructions and misses can say.

    Raises:
        ValueError: fewer pairs than weights.
    """
    fitting = [pair for pair in candidates if not pair.vectorized]
    if len(fitting) < 2:
        raise ValueError(f"{len(fitting)} pair(s) that are not vectorized to fit two weights: at least 2 are needed")

    def residuals(values: np.ndarray) -> np.ndarray:
        weights = Weights(l1=float(values[0]), ll=float(values[1]))
        return np.array([math.log(pair.cycles_ratio(weights) / pair.time_ratio) for pair in fitting])

    # Both start at KCachegrind's weights; the scale of 0.1 (10% in log) marks where a
    # residual stops counting fully.
    solution = optimize.least_squares(
        residuals, x0=[10.0, 100.0], bounds=([0.0, 0.0], [np.inf, np.inf]), loss="soft_l1", f_scale=AGREEMENT
    )
    return Weights(l1=round(float(solution.x[0]), 1), ll=round(float(solution.x[1]), 1))


@dataclass(frozen=True)
class Judged:
    """A held-out pair and the weights fitted without it."""

    pair: Pair
    weights: Weights

    @property
    def cycles_ratio(self) -> float:
        """Its estimated-cycles ratio under the weights that never saw it."""
        return self.pair.cycles_ratio(self.weights)


def by_suite(all_pairs: Sequence[Pair]) -> list[Judged]:
    """Every pair judged by weights fitted on the other suites' pairs (leave one suite out).

    Raises:
        ValueError: fewer than two suites, or too few pairs outside one.
    """
    suites = list(dict.fromkeys(pair.suite for pair in all_pairs))
    if len(suites) < 2:
        raise ValueError("judging by suite needs pairs of at least two suites")
    out = []
    for suite in suites:
        weights = fit([pair for pair in all_pairs if pair.suite != suite])
        out += [Judged(pair, weights) for pair in all_pairs if pair.suite == suite]
    return out


def by_size(all_pairs: Sequence[Pair], fitting_sizes: Iterable[int]) -> list[Judged]:
    """The pairs of sizes other than ``fitting_sizes`` records, judged by weights fitted on those sizes.

    Raises:
        ValueError: too few pairs of the fitting sizes, or none of any other size.
    """
    sizes = set(fitting_sizes)
    fitting = [pair for pair in all_pairs if pair.records in sizes]
    judged = [pair for pair in all_pairs if pair.records not in sizes]
    if not judged:
        raise ValueError(f"every pair is of the fitting sizes {sorted(sizes)}: none is left to judge")
    weights = fit(fitting)
    return [Judged(pair, weights) for pair in judged]


def family(pair: Pair) -> str:
    """How a pair is grouped in the judgement: its suite, and its vectorized variants apart."""
    return f"{pair.suite} (vectorized)" if pair.vectorized else pair.suite


@dataclass(frozen=True)
class Judgement:
    """How well instructions and estimated cycles follow time over some pairs."""

    name: str
    pairs: int
    instructions_agree: int
    cycles_agree: int


def judge(judged: Sequence[Judged], key: Callable[[Pair], str]) -> list[Judgement]:
    """For each ``key`` (a suite, say) and for all pairs: how many of each metric's ratios agree with time."""
    groups: dict[str, list[Judged]] = {}
    for item in judged:
        groups.setdefault(key(item.pair), []).append(item)
    groups["all"] = list(judged)
    return [
        Judgement(
            name,
            len(members),
            sum(agrees(item.pair.instruction_ratio, item.pair.time_ratio) for item in members),
            sum(agrees(item.cycles_ratio, item.pair.time_ratio) for item in members),
        )
        for name, members in groups.items()
    ]


def render(overall: Weights, judged: Sequence[Judged], judgements: Sequence[Judgement], runs: int = 1) -> str:
    """The weights, each held-out pair's ratios and the weights that judged it, and the agreement by suite."""
    lines = [
        f"weights fitted on every pair that is not vectorized: L1 miss {overall.l1:g}, "
        f"LL miss {overall.ll:g} (instructions' worth)",
        *([f"time: each pair's median over {runs} runs' paired ratios"] if runs > 1 else []),
        "",
        f"{'held-out pair':<54} {'time':>7} {'instr':>7} {'cycles':>7}  weights (L1, LL) fitted without it",
    ]
    for item in judged:
        pair = item.pair
        marks = (" i" if not agrees(pair.instruction_ratio, pair.time_ratio) else "  ") + (
            " c" if not agrees(item.cycles_ratio, pair.time_ratio) else "  "
        )
        lines.append(
            f"{pair.case_id:<54} {pair.time_ratio:7.3f} {pair.instruction_ratio:7.3f} {item.cycles_ratio:7.3f}"
            f"{marks}  {item.weights.l1:g}, {item.weights.ll:g}"
        )
    lines += ["", f"within {AGREEMENT:.0%} of time (i, c: instructions, cycles outside it)"]
    for judgement in judgements:
        lines.append(
            f"  {judgement.name:<22} instructions {judgement.instructions_agree}/{judgement.pairs}, "
            f"estimated cycles {judgement.cycles_agree}/{judgement.pairs}"
        )
    if judged:
        for name, ratio_of in (
            ("instructions", lambda item: item.pair.instruction_ratio),
            ("estimated cycles", lambda item: item.cycles_ratio),
        ):
            worst = max(
                judged, key=lambda item, ratio_of=ratio_of: abs(math.log(ratio_of(item) / item.pair.time_ratio))
            )
            lines.append(f"largest disagreement, {name}: {_disagreement(worst.pair, ratio_of(worst))}")
    return "\n".join(lines) + "\n"


def _disagreement(pair: Pair, ratio: float) -> str:
    return f"{pair.case_id} ({ratio:.3f} against time's {pair.time_ratio:.3f}, {ratio / pair.time_ratio - 1:+.0%})"
