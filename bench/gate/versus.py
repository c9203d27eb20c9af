"""``compare --versus VARIANT``: each side's ratios against one variant, side by side beside the verdicts.

The gate judges head against base; a user who asks how their variant fares against
another (not the suite's reference) wants both sides read against that variant, each
from its own rounds (:func:`pipebench.timing.versus.against`). Nothing here is a verdict: the
table says where each side stands, the gate's verdicts stay what they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tabulate import tabulate

from pipebench.errors import UsageError
from pipebench.formatting import code_span, format_interval, markdown_text
from pipebench.gate.data import GateInput
from pipebench.metrics import RATIO_TO_REFERENCE
from pipebench.results import RunResults
from pipebench.stats import CI_LABEL, Interval
from pipebench.timing import versus


@dataclass(frozen=True)
class Standing:
    """One case's time over ``against``'s, on each side where that side timed both."""

    case_id: str
    against: str
    base: Interval | None
    head: Interval | None


def _intervals(run: RunResults, variant: str) -> dict[str, tuple[str, Interval]]:
    suites = set(versus.suites_with(run, variant))
    return {
        row.case_id: (row.reference or "", Interval(row.value, *(row.ci or (row.value, row.value))))
        for row in versus.against(run, variant).rows
        if row.metric == RATIO_TO_REFERENCE and row.suite in suites
    }


def standings(base: GateInput, current: GateInput, variant: str) -> list[Standing]:
    """Every case either side can read against ``variant``, in the head's order.

    Raises:
        UsageError: a side is not a pipebench run, or neither side timed ``variant``.
    """
    if base.run is None or current.run is None:
        foreign = base.path if base.run is None else current.path
        raise UsageError(f"--versus {variant}: {foreign} is not a pipebench run; its times hold no shared rounds")
    sides = []
    for side in (base.run.results, current.run.results):
        try:
            sides.append(_intervals(side, variant))
        except UsageError:
            sides.append({})
    if not sides[0] and not sides[1]:
        raise UsageError(f"--versus {variant}: neither {base.path} nor {current.path} timed a variant of that name")
    order = list(dict.fromkeys([*sides[1], *sides[0]]))
    return [
        Standing(
            case_id=case,
            against=(sides[1].get(case) or sides[0][case])[0],
            base=sides[0][case][1] if case in sides[0] else None,
            head=sides[1][case][1] if case in sides[1] else None,
        )
        for case in order
    ]


def _cells(interval: Interval | None) -> list[str]:
    if interval is None:
        return ["-", ""]
    return [f"{interval.estimate:.3g}", format_interval(interval.low, interval.high)]


def render_table(found: list[Standing], variant: str) -> str:
    """The standings as a plain-text table, headed by what they are."""
    rows = [[s.case_id, *_cells(s.base), *_cells(s.head)] for s in found]
    headers = ["case", f"base vs {variant}", CI_LABEL, f"head vs {variant}", CI_LABEL]
    title = f"against {variant} (each side from its own paired rounds; not a verdict):\n"
    return title + tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n\n"


def render_markdown(found: list[Standing], variant: str) -> str:
    """The standings as a Markdown table; names from the runs written as text."""
    lines = [
        f"### Against {code_span(variant)}",
        "",
        "Each side read against it from its own paired rounds; not a verdict.",
        "",
        f"| case | base vs {markdown_text(variant)} | {CI_LABEL} | head vs {markdown_text(variant)} | {CI_LABEL} |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {code_span(s.case_id)} | {' | '.join([*_cells(s.base), *_cells(s.head)])} |" for s in found]
    return "\n".join(lines) + "\n\n"


def as_data(found: list[Standing], variant: str) -> dict[str, Any]:
    """The standings as JSON-ready data."""

    def side(interval: Interval | None) -> dict[str, float] | None:
        if interval is None:
            return None
        return {"ratio": interval.estimate, "ci_low": interval.low, "ci_high": interval.high}

    return {
        "variant": variant,
        "cases": [{"id": s.case_id, "against": s.against, "base": side(s.base), "head": side(s.head)} for s in found],
    }
