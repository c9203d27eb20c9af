"""The report's plots, drawn with matplotlib from the analysis tables.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot, so no global state
and no display needed); :func:`png_bytes` renders one to PNG.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bench.stats import CI_LABEL, median_interval

_WIDTH = 10.0


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _records_per_s_interval(samples: tuple[float, ...], median: float) -> tuple[float, float, float]:
    """Records/s (median) and its interval, from time-per-record samples in ns.

    A row stored without samples has its median alone: no interval is drawn for it.
    """
    if not samples:
        return 1e9 / median, 1e9 / median, 1e9 / median
    interval = median_interval(samples)
    return 1e9 / interval.estimate, 1e9 / interval.high, 1e9 / interval.low


def throughput_figure(table: pd.DataFrame, samples: dict[str, tuple[float, ...]], suite: str, title: str) -> Figure:
    """Records/s of every variant at every parameter set of ``suite``, with 95% interval bars."""
    part = table[(table["suite"] == suite) & table["time_per_record"].notna()]
    groups = list(dict.fromkeys(part["group"]))
    variants = list(dict.fromkeys(part["variant"]))
    figure = Figure(figsize=(_WIDTH, 4.2), layout="constrained")
    axes = figure.add_subplot()
    width = 0.8 / max(len(variants), 1)
    positions = np.arange(len(groups))
    for index, variant in enumerate(variants):
        heights, lower, upper = [], [], []
        for group in groups:
            match = part[(part["group"] == group) & (part["variant"] == variant)]
            if match.empty:
                heights.append(np.nan)
                lower.append(0.0)
                upper.append(0.0)
                continue
            rate, low, high = _records_per_s_interval(
                samples.get(match["case_id"].iloc[0], ()), match["time_per_record"].iloc[0]
            )
            heights.append(rate)
            lower.append(rate - low)
            upper.append(high - rate)
        axes.bar(positions + index * width, heights, width, label=variant, yerr=[lower, upper], capsize=2)
    axes.set_yscale("log")
    axes.set_ylabel("records per second (log scale)")
    axes.set_xticks(positions + width * (len(variants) - 1) / 2)
    labels = [group.split("[", 1)[1].rstrip("]") if "[" in group else group for group in groups]
    axes.set_xticklabels(labels, rotation=30, ha="right")
    axes.set_title(f"{title}: throughput per variant (bars: {CI_LABEL} of the median)")
    axes.legend(fontsize="small", ncols=min(len(variants), 6))
    axes.grid(axis="y", which="both", alpha=0.3)
    return figure


def scaling_figure(table: pd.DataFrame, title: str, against: str, facet: str | None = None) -> Figure:
    """Time per call (and, against N, peak memory) against an axis, log-log, one line per variant.

    ``table`` holds one suite's cases; ``facet`` is another axis with several values, drawn
    as side-by-side panels, one per value.
    """
    part = table.copy()
    part["call_ms"] = part["time_per_record"] * part["n"] / 1e6
    facets = sorted(part[facet].dropna().unique()) if facet else [None]
    measures = [("call_ms", "time per call (ms)")]
    if against == "n" and "peak_memory" in part:
        measures.append(("peak_memory", "peak memory (bytes)"))
    figure = Figure(figsize=(_WIDTH, 3.6 * len(measures)), layout="constrained")
    grid = figure.subplots(len(measures), len(facets), squeeze=False)
    for column_index, value in enumerate(facets):
        subset = part if value is None else part[part[facet] == value]
        for row_index, (column, label) in enumerate(measures):
            axes = grid[row_index][column_index]
            for variant, lines in subset.groupby("variant", sort=False):
                lines = lines.dropna(subset=[column]).sort_values(against)
                axes.plot(lines[against].astype(float), lines[column], marker="o", label=variant)
            axes.set_xscale("log")
            axes.set_yscale("log")
            if row_index == len(measures) - 1:
                axes.set_xlabel(against.upper())
            if column_index == 0:
                axes.set_ylabel(label)
            if value is not None and row_index == 0:
                axes.set_title(f"{facet.upper()} = {int(value)}", fontsize="medium")
            axes.grid(which="both", alpha=0.3)
    grid[0][0].legend(fontsize="small")
    figure.suptitle(f"{title}: cost against {against.upper()} (log-log)")
    return figure
