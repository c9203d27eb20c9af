"""The table printed at the end of a run: one line per case, time, memory and counts side by side."""

from __future__ import annotations

import pandas as pd
from tabulate import tabulate

from pipebench.formatting import format_interval
from pipebench.frames import to_frame
from pipebench.metrics import METRICS, shown
from pipebench.results import RunResults
from pipebench.stats import CI_LABEL


def _heading(metric: str) -> str:
    label = METRICS[metric].label
    return f"{label} [{CI_LABEL}]" if METRICS[metric].paired else label


def _cell(metric: str, row: pd.Series) -> str:
    if METRICS[metric].paired:
        return f"{METRICS[metric].format(row['estimate'])}x {format_interval(row['ci_low'], row['ci_high'])}"
    return METRICS[metric].format(row["median"])


def run_table_frame(results: RunResults) -> pd.DataFrame:
    """Cases as rows, the metrics tables show (:func:`pipebench.metrics.shown`) as formatted columns."""
    frame = to_frame([results])
    if frame.empty:
        return pd.DataFrame()
    table: dict[str, dict[str, str]] = {}
    headings: dict[str, None] = {}
    for case_id, rows in frame.groupby("case_id", sort=False):
        by_metric = {row["metric"]: row for _, row in rows.iterrows()}
        for metric in shown(by_metric):
            table.setdefault(case_id, {})[_heading(metric)] = _cell(metric, by_metric[metric])
            headings.setdefault(_heading(metric))
    order = list(dict.fromkeys(frame["case_id"]))
    summary = pd.DataFrame.from_dict(table, orient="index").reindex(order)
    shown_order = [_heading(name) for name in METRICS if _heading(name) in headings]
    columns = [heading for heading in shown_order if heading in summary.columns]
    return summary[columns].fillna("")


def render_run_table(results: RunResults) -> str:
    """The summary as a plain-text table."""
    frame = run_table_frame(results)
    if frame.empty:
        return "(no measurements)\n"
    return tabulate(frame, headers=["case", *frame.columns], tablefmt="simple", disable_numparse=True) + "\n"
