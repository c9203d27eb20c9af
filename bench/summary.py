"""The end-of-run summary table: one line per case, time, memory and counts side by side."""

from __future__ import annotations

import pandas as pd
from tabulate import tabulate

from bench.results import RunResults
from bench.store import to_frame

_COLUMNS = {
    "time_per_record": "ns/record",
    "ratio_to_reference": "time vs ref [95% CI]",
    "peak_memory": "peak",
    "bytes_per_record": "B/record",
    "instructions_per_record": "instr/record",
    "allocations_per_record": "allocs/record",
}


def format_bytes(value: float) -> str:
    """``512 B``, ``1.5 KiB``, ``18.3 MiB``: binary units, one decimal above bytes."""
    for unit in ("B", "KiB", "MiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _cell(metric: str, row: pd.Series) -> str:
    if metric == "ratio_to_reference":
        return f"{row['estimate']:.3g}x [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"
    if metric == "peak_memory":
        return format_bytes(row["median"])
    if metric in ("time_per_record", "instructions_per_record"):
        return f"{row['median']:,.1f}"
    return f"{row['median']:,.2f}"


def summary_frame(results: RunResults) -> pd.DataFrame:
    """Cases as rows, the metrics of :data:`_COLUMNS` as formatted columns."""
    frame = to_frame([results])
    table: dict[str, dict[str, str]] = {}
    for _, row in frame[frame["metric"].isin(list(_COLUMNS))].iterrows():
        table.setdefault(row["case_id"], {})[_COLUMNS[row["metric"]]] = _cell(row["metric"], row)
    order = list(dict.fromkeys(frame["case_id"]))
    summary = pd.DataFrame.from_dict(table, orient="index").reindex(order)
    columns = [name for name in _COLUMNS.values() if name in summary.columns]
    return summary[columns].fillna("")


def render_summary(results: RunResults) -> str:
    """The summary as a plain-text table."""
    frame = summary_frame(results)
    if frame.empty:
        return "(no measurements)\n"
    return tabulate(frame, headers=["case", *frame.columns], tablefmt="simple", disable_numparse=True) + "\n"
