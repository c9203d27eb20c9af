"""The table printed at the end of a run: one line per case, time, memory and counts side by side."""

from __future__ import annotations

import pandas as pd
from tabulate import tabulate

from bench.formatting import format_bytes, format_interval
from bench.frames import to_frame
from bench.results import RunResults
from bench.stats import CI_LABEL

_COLUMNS = {
    "time_per_record": "ns/record",
    "ratio_to_reference": f"time vs ref [{CI_LABEL}]",
    "peak_memory": "peak",
    "bytes_per_record": "B/record",
    "instructions_per_record": "instr/record",
    "allocations_per_record": "allocs/record",
}


def _cell(metric: str, row: pd.Series) -> str:
    if metric == "ratio_to_reference":
        return f"{row['estimate']:.3g}x {format_interval(row['ci_low'], row['ci_high'])}"
    if metric == "peak_memory":
        return format_bytes(row["median"])
    if metric in ("time_per_record", "instructions_per_record"):
        return f"{row['median']:,.1f}"
    return f"{row['median']:,.2f}"


def run_table_frame(results: RunResults) -> pd.DataFrame:
    """Cases as rows, the metrics of :data:`_COLUMNS` as formatted columns."""
    frame = to_frame([results])
    if frame.empty:
        return pd.DataFrame()
    table: dict[str, dict[str, str]] = {}
    for _, row in frame[frame["metric"].isin(list(_COLUMNS))].iterrows():
        table.setdefault(row["case_id"], {})[_COLUMNS[row["metric"]]] = _cell(row["metric"], row)
    order = list(dict.fromkeys(frame["case_id"]))
    summary = pd.DataFrame.from_dict(table, orient="index").reindex(order)
    columns = [name for name in _COLUMNS.values() if name in summary.columns]
    return summary[columns].fillna("")


def render_run_table(results: RunResults) -> str:
    """The summary as a plain-text table."""
    frame = run_table_frame(results)
    if frame.empty:
        return "(no measurements)\n"
    return tabulate(frame, headers=["case", *frame.columns], tablefmt="simple", disable_numparse=True) + "\n"
