"""A run's every benchmark in github-action-benchmark's ``customSmallerIsBetter`` format.

That action keeps its own history of each benchmark, so it wants every benchmark of one
run, not a comparison: one entry per case and metric, ``{"name", "unit", "value",
"range", "extra"}``, where ``range`` is ``"± x"`` in the value's own units (half the
width of its 95% interval, for timed values) and smaller is better for every metric here.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pipebench.metrics import METRICS, shown
from pipebench.results import Row, RunResults
from pipebench.stats import median_interval


def _value_and_range(row: Row) -> tuple[float, str | None]:
    if row.estimate is not None and row.ci is not None:
        return row.estimate, f"± {(row.ci[1] - row.ci[0]) / 2:.4g}"
    if len(row.samples) > 1:
        interval = median_interval(row.samples)
        return interval.estimate, f"± {(interval.high - interval.low) / 2:.4g}"
    return row.summary.median, None


def entries(results: RunResults) -> list[dict[str, Any]]:
    """One entry per case and exported metric of ``results``, cases in run order."""
    out = []
    present: dict[str, set[str]] = {}
    for row in results.rows:
        present.setdefault(row.case_id, set()).add(row.metric)
    wanted = {name for metrics in present.values() for name in shown(metrics)}
    for metric in (name for name in METRICS if name in wanted):
        for row in (r for r in results.rows if r.metric == metric and metric in shown(present[r.case_id])):
            value, spread = _value_and_range(row)
            if not math.isfinite(value):
                continue
            entry: dict[str, Any] = {"name": f"{row.case_id} {metric}", "unit": row.unit, "value": value}
            if spread is not None:
                entry["range"] = spread
            entry["extra"] = f"{row.tool} {row.tool_version}; run {results.run_id}; n={row.summary.n}"
            out.append(entry)
    return out


def render(results: RunResults) -> str:
    """The entries as JSON text."""
    return json.dumps(entries(results), indent=2, allow_nan=False) + "\n"
