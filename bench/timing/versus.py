"""Ratios against any variant: a run's paired rounds re-expressed against another member of each group.

The timing worker takes every case of a group in the same rounds (one value of each, in
turn, round after round), so a case's i-th value and any other member's i-th value were
taken side by side, exactly as its value and its reference's were. The time ratio of any
two members is therefore read from the rounds a run already holds, with the estimator and
interval of the run's own ratios to the reference (:func:`pipebench.stats.clustered_ratio_estimate`):
nothing is measured again and nothing is divided by hand.

Pure functions over :class:`~pipebench.results.RunResults`; a re-expressed run is a new
value (the stored one is never changed) whose suites name the chosen variant as their
reference, so every table, plot and finding made from it is read against that variant.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipebench.errors import UsageError
from pipebench.frames import VERSUS
from pipebench.metrics import RATIO_TO_REFERENCE, TIME_PER_RECORD
from pipebench.provenance import PIPEBENCH_VERSION
from pipebench.results import Row, RunResults, row_beside
from pipebench.stats import Clusters, Interval, clustered_ratio_estimate, paired_ratios

_TOOL = "pipebench"


@dataclass(frozen=True)
class Paired:
    """One case's time over another's, from the rounds they shared."""

    ratios: tuple[tuple[float, ...], ...]
    interval: Interval


def paired(variant: Clusters, against: Clusters) -> Paired | None:
    """``variant``'s times over ``against``'s, round by round, or None where their rounds were not shared.

    Two cases were timed side by side when their values fall into the same processes in
    the same numbers (what the timing worker writes for a group); values of different
    runs, or of a group timed apart, are not paired and give no ratio.
    """
    shapes = [len(cluster) for cluster in variant], [len(cluster) for cluster in against]
    if not shapes[0] or shapes[0] != shapes[1] or any(value <= 0 for cluster in against for value in cluster):
        return None
    ratios = tuple(tuple(paired_ratios(mine, theirs)) for mine, theirs in zip(variant, against, strict=True))
    return Paired(ratios, clustered_ratio_estimate(ratios))


def ratio_row(variant: Row, against: Row, ratio: Paired) -> Row:
    """The ``ratio_to_reference`` row of ``variant`` read against ``against``."""
    return row_beside(
        variant,
        RATIO_TO_REFERENCE,
        ratio.ratios,
        tool=_TOOL,
        tool_version=PIPEBENCH_VERSION,
        interval=ratio.interval,
        reference=against.case_id,
    )


def suites_with(run: RunResults, variant: str) -> list[str]:
    """The suites of ``run`` that timed a variant named ``variant``."""
    return list(dict.fromkeys(r.suite for r in run.rows if r.variant == variant and r.metric == TIME_PER_RECORD))


def against(run: RunResults, variant: str) -> RunResults:
    """``run`` with each suite that timed ``variant`` read against it instead of its own reference.

    In those suites every other timed case gets its ratio to ``variant``'s case of its
    group; the suite's old reference becomes a member like the others. Suites without the
    variant keep their reference. A group of those suites whose ``variant`` case was not
    timed keeps no ratio (there is nothing to pair with).

    Raises:
        UsageError: no suite of ``run`` timed a variant of that name.
    """
    suites = suites_with(run, variant)
    if not suites:
        timed = sorted({r.variant for r in run.rows if r.metric == TIME_PER_RECORD})
        known = ", ".join(timed) if timed else "none: the run holds no times"
        raise UsageError(f"--versus {variant}: no suite of {run.run_id} timed a variant of that name (timed: {known})")
    times = [r for r in run.rows if r.metric == TIME_PER_RECORD and r.suite in suites]
    anchors = {r.group: r for r in times if r.variant == variant}
    kept = [r for r in run.rows if not (r.metric == RATIO_TO_REFERENCE and r.suite in suites)]
    ratios = []
    for row in times:
        anchor = anchors.get(row.group)
        if anchor is None or anchor is row:
            continue
        ratio = paired(row.clusters, anchor.clusters)
        if ratio is not None:
            ratios.append(ratio_row(row, anchor, ratio))
    metadata = {**run.metadata, VERSUS: {"variant": variant, "suites": suites}}
    return RunResults(run.run_id, metadata, (*kept, *ratios))
