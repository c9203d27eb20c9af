"""What a comparison of two separate runs cannot see, said beside its verdicts.

Two runs taken at different times may have run on machines of different speeds, and a
ratio to a suite's reference cannot see the reference itself change; a side without
rounds can only be compared by its summaries. :func:`caveats_across_runs` withholds what
cannot be judged and names what was not seen, so that ``--strict`` can fail on it. An
A/B run (both sides measured together) needs none of this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipebench import conditions
from pipebench.gate.data import GateInput
from pipebench.metrics import FAMILIES

if TYPE_CHECKING:  # the verdicts call this module; it only reads their comparisons
    from pipebench.gate.verdicts import Comparison


@dataclass(frozen=True)
class Caveats:
    """The comparisons that stand, and what was withheld or not seen, with the lines that say so."""

    comparisons: list[Comparison]
    notes: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)


def caveats_across_runs(
    base: GateInput, current: GateInput, comparisons: list[Comparison], *, timed: bool, by_ratio: bool
) -> Caveats:
    """The caveats of comparing two separate runs (or files)."""
    notes = []
    if any(c.test == "medians/summaries" for c in comparisons):
        notes.append(
            "some benchmarks have no rounds on one side (a pytest-benchmark file saved without "
            "--benchmark-save-data): they are compared by their medians and deviations, which cannot tell "
            "a session's level from its noise; save with --benchmark-save-data for rounds"
        )
    kept, withheld = comparisons, []
    if timed:
        kept, why = _withheld_if_conditions_differ(base, current, comparisons)
        still = {id(c) for c in kept}  # by identity: comparing Comparisons field by field is quadratic
        withheld = [c.id for c in comparisons if id(c) not in still]
        notes += why
    unseen = _unseen_references(base, current) if by_ratio and timed else []
    if unseen:
        notes.append(
            f"time of {len(unseen)} suite reference(s) not compared ({', '.join(unseen[:3])}"
            + (", ..." if len(unseen) > 3 else "")
            + "): a ratio to a reference cannot see the reference itself change, so a slower reference reads "
            "as every other variant's speed-up; an A/B run (`pipebench run --against REV`, then `compare RUN`) "
            "gates each reference's own time"
        )
    return Caveats(kept, notes, unseen, withheld)


def _withheld_if_conditions_differ(
    base: GateInput, current: GateInput, comparisons: list[Comparison]
) -> tuple[list[Comparison], list[str]]:
    """Without time verdicts when the runs' machines ran at speeds too different to compare, and why.

    Where counts exist, each case whose time moved says which moved it: counts moved with
    it (the code), or time moved alone (the machine).
    """
    why = conditions.apart(base.metadata, current.metadata)
    if why is None:
        return comparisons, []
    notes = [f"time not compared: {why}; counts decide"]
    counted = {c.id: c for c in comparisons if c.family == "instructions"}
    for comparison in comparisons:
        if comparison.family == "time" and comparison.verdict in (FAMILIES["time"].worse, FAMILIES["time"].better):
            count = counted.get(comparison.id)
            if count is not None:
                moved = count.verdict in (FAMILIES["instructions"].worse, FAMILIES["instructions"].better)
                cause = "counts moved too: the code" if moved else "time moved and counts did not: the machine"
                notes.append(
                    f"  {comparison.id}: time {comparison.ratio:.3g}x, instructions {count.ratio:.3g}x: {cause}"
                )
    return [c for c in comparisons if c.family != "time"], notes


def _unseen_references(base: GateInput, current: GateInput) -> list[str]:
    """The references of the ratios compared, unless the two sides are one and the same run."""
    if base.run is None or current.run is None or base.run.results == current.run.results:
        return []
    compared = set(base.ratios) & set(current.ratios)
    rows = current.run.results.rows
    return sorted({row.reference for row in rows if row.case_id in compared and row.reference is not None})
