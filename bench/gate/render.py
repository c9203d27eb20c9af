"""Renderings of a gate outcome: terminal table, Markdown, JSON, github-action-benchmark.

All take an :class:`~pipebench.gate.verdicts.Outcome` and return text; none decides anything.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tabulate import tabulate

from pipebench.formatting import format_interval, format_percent, markdown_text
from pipebench.gate.verdicts import Comparison, Outcome
from pipebench.stats import CI_LABEL


def _p(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def _row(comparison: Comparison) -> list[str]:
    verdict = comparison.verdict
    if comparison.regression:
        verdict += " (REGRESSION)"
    if comparison.verdict == "inconclusive":
        # What is known, in the terms of the columns beside it: the interval and the threshold.
        verdict += f" (interval reaches past {format_percent(comparison.threshold)})"
    return [
        comparison.id,
        comparison.family,
        f"{comparison.base:.4g}",
        f"{comparison.current:.4g}",
        f"{comparison.ratio:.3f}",
        format_interval(comparison.ci_low, comparison.ci_high, 4),
        f"{comparison.test} {_p(comparison.p_value)}".strip(),
        format_percent(comparison.threshold),
        verdict,
    ]


_HEADERS = ["benchmark", "metric", "base", "current", "ratio", CI_LABEL, "test p", "threshold", "verdict"]


def _summary(outcome: Outcome, strict: bool) -> str:
    regressions = len(outcome.regressions)
    inconclusive = len(outcome.inconclusive)
    possible = sum(c.regression_possible for c in outcome.comparisons)
    words = f"{len(outcome.comparisons)} compared, {regressions} regression(s), {inconclusive} inconclusive"
    if possible:
        words += f" ({possible} could hide a regression)"
    if strict and not regressions and outcome.failed(strict):
        words += (
            " -- --strict fails on what could hide a regression: inconclusive, missing, unseen, withheld"
            " or changed and not measured"
        )
    return words


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: such a figure is written as null."""
    return value if value is None or math.isfinite(value) else None


def _lists(outcome: Outcome) -> list[str]:
    lines = []
    if outcome.added:
        lines.append(f"added (only in CURRENT): {', '.join(outcome.added)}")
    if outcome.missing:
        lines.append(f"missing (only in BASE): {', '.join(outcome.missing)}")
    lines += [f"changed, not measured: {function}" for function in outcome.not_measured]
    return lines


def render_table(outcome: Outcome, strict: bool = False) -> str:
    """The outcome as a plain-text table, the regression lists and a one-line status."""
    rows = [_row(c) for c in outcome.comparisons]
    lines = [*outcome.notes, tabulate(rows, headers=_HEADERS, tablefmt="simple", disable_numparse=True)]
    return "\n".join([*lines, *_lists(outcome), _summary(outcome, strict)]) + "\n"


# Markdown puts the verdict second: at a CI page's width the columns after the sixth are
# off screen. Comparisons that need a look come first.
_MD_ORDER = (8, 1, 0, 4, 5, 2, 3, 6, 7)
_FOLD_AFTER = 10


def _attention(comparison: Comparison) -> int:
    if comparison.regression:
        return 0
    return 1 if comparison.regression_possible else 2


def _folded(title: str, items: list[str]) -> list[str]:
    """A list in the Markdown, folded in ``<details>`` when it is long."""
    if len(items) <= _FOLD_AFTER:
        return [f"- {title}: {', '.join(items)}"]
    return [
        f"<details><summary>{title}: {len(items)}</summary>",
        "",
        *[f"- {item}" for item in items],
        "",
        "</details>",
    ]


def render_markdown(outcome: Outcome, strict: bool = False) -> str:
    """For a CI job summary: the status agrees with the exit code, what needs a look comes first."""
    status = "FAILED" if outcome.failed(strict) else "passed"
    lines = [f"### pipebench compare: {status}", "", f"**{_summary(outcome, strict)}**", ""]
    lines += [f"> {markdown_text(note)}" for note in outcome.notes]
    ordered = sorted(outcome.comparisons, key=_attention)
    table = [[markdown_text(_row(c)[i]) for i in _MD_ORDER] for c in ordered]
    headers = [_HEADERS[i] for i in _MD_ORDER]
    shown, rest = table[:50], table[50:]
    lines += ["", tabulate(shown, headers=headers, tablefmt="github", disable_numparse=True), ""]
    if rest:
        more = tabulate(rest, headers=headers, tablefmt="github", disable_numparse=True)
        lines += [f"<details><summary>{len(rest)} more comparisons</summary>", "", more, "", "</details>", ""]
    if outcome.missing:
        lines += _folded("missing (only in BASE)", [markdown_text(item) for item in outcome.missing])
    if outcome.added:
        lines += _folded("added (only in CURRENT)", [markdown_text(item) for item in outcome.added])
    if outcome.not_measured:
        lines += _folded("changed, not measured", [markdown_text(item) for item in outcome.not_measured])
    return "\n".join(lines) + "\n"


def _as_dict(comparison: Comparison) -> dict[str, Any]:
    return {
        "id": comparison.id,
        "family": comparison.family,
        "metric": comparison.metric,
        "unit": comparison.unit,
        "base": _finite(comparison.base),
        "current": _finite(comparison.current),
        "ratio": _finite(comparison.ratio),
        "ci": [_finite(comparison.ci_low), _finite(comparison.ci_high)],
        "test": comparison.test,
        "p_value": _finite(comparison.p_value),
        "threshold": comparison.threshold,
        "verdict": comparison.verdict,
        "regression": comparison.regression,
        "detectable": _finite(comparison.detectable),
    }


def render_json(outcome: Outcome, strict: bool = False) -> str:
    """The outcome as a JSON document (non-finite numbers as null)."""
    document = {
        "regression": bool(outcome.regressions),
        "failed": outcome.failed(strict),
        "strict": strict,
        "comparisons": [_as_dict(c) for c in outcome.comparisons],
        "added": outcome.added,
        "missing": outcome.missing,
        "notes": outcome.notes,
        "references_not_compared": outcome.unseen,
        "time_withheld": outcome.withheld,
        "changed_not_measured": outcome.not_measured,
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def render_github_action_benchmark(outcome: Outcome, strict: bool = False) -> str:
    """The ``customSmallerIsBetter`` format: one entry per benchmark and metric, CURRENT's value."""
    entries = [
        {
            "name": f"{c.id} ({c.family})",
            "unit": c.unit,
            "value": _finite(c.current),
            "range": f"{format_interval(c.ci_low, c.ci_high, 4)} x base",
            "extra": f"ratio {c.ratio:.3f}, verdict {c.verdict}",
        }
        for c in outcome.comparisons
    ]
    return json.dumps(entries, indent=2, allow_nan=False) + "\n"


RENDERERS = {
    "table": render_table,
    "md": render_markdown,
    "json": render_json,
    "github-action-benchmark": render_github_action_benchmark,
}
