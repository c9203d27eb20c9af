"""How ``pipebench explain`` and the C-level profile print what :mod:`pipebench.explain.changes` found."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipebench.counts import callgrind
from pipebench.explain.changes import CALLS_FLOOR, Explanation, per_record, top_by_own


def _signed(value: float, digits: int = 2) -> str:
    text = f"{value:+,.{digits}f}"
    return "0" if text.strip("+-0.,") == "" else text


def render(explanations: Sequence[Explanation], top: int = 10) -> str:
    """Each case's change per record (per call, for a case without records) and its top functions, one line each."""
    if not explanations:
        return "no counted case changed between the two runs\n"
    lines = []
    for item in explanations:
        per = f"/{item.per}"
        estimated = "" if item.cycles is None else f", {_signed(item.cycles, 1)} estimated cycles{per}"
        lines.append(
            f"{item.case_id}: {_signed(item.instructions, 1)} instructions{per}, "
            f"{_signed(item.allocations)} allocations{per}{estimated}"
        )
        for change in item.functions[:top]:
            parts = [f"{_signed(change.instructions, 1)} instr", f"{_signed(change.calls)} calls"]
            if change.cycles is not None:
                parts.insert(1, f"{_signed(change.cycles, 1)} est. cycles")
            if not math.isclose(change.allocations, 0.0, abs_tol=CALLS_FLOOR):
                parts.append(f"{_signed(change.allocations)} allocations")
            lines.append(f"  {change.function}: {', '.join(parts)} {per}")
        if len(item.functions) > top:
            lines.append(f"  ... {len(item.functions) - top} more functions changed")
        lines += _python_lines(item, top)
    return "\n".join(lines) + "\n"


def _python_lines(item: Explanation, top: int) -> list[str]:
    """The Python functions whose own bytecodes moved, or why they are not known."""
    if item.python is None:
        return ["  Python functions: not traced in both runs (runs counted by this version trace them)"]
    if not item.python:
        return ["  Python functions: the same bytecodes in every function"]
    lines = [f"  Python functions, own bytecodes/{item.per}:"]
    for change in item.python[:top]:
        lines.append(f"    {change.function}: {_signed(change.change)} ({change.base:,.2f} -> {change.current:,.2f})")
    if len(item.python) > top:
        lines.append(f"    ... {len(item.python) - top} more Python functions changed")
    return lines


def function_table(profile: callgrind.Profile, records: float, top: int = 10) -> str:
    """A case's functions by own instructions: own and inclusive instructions, calls and allocations per record."""
    from tabulate import tabulate

    scale = per_record(1.0, max(records, 1.0))
    total, ranked = top_by_own(profile, top)
    total = total or 1
    rows = [
        [
            cost.name,
            f"{cost.self_instructions / total:.1%}",
            f"{cost.self_instructions * scale:,.1f}",
            f"{cost.inclusive_instructions * scale:,.1f}",
            f"{cost.calls * scale:,.2f}",
            f"{cost.allocations * scale:,.2f}",
        ]
        for cost in ranked
    ]
    headers = ["function (callgrind)", "own share", "own instr", "incl. instr", "calls", "allocations"]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n(per record)\n"
