"""The report's plots, drawn with matplotlib from the analysis tables.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot, so no global state
and no display needed); :func:`png_bytes` renders one to PNG.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from pipebench.metrics import PEAK_MEMORY, TIME_PER_RECORD
from pipebench.stats import CI_LABEL

_WIDTH = 10.0


def literal(text: object) -> str:
    """``text`` as matplotlib shows it letter for letter: a ``$`` would start its mathtext and can fail to parse."""
    return str(text).replace("$", r"\$")


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def ratio_figure(table: pd.DataFrame, title: str, against: str = "the reference") -> Figure:
    """Each variant's time over ``against``'s (the reference, by name), per parameter set: a point and its interval.

    The axis is logarithmic and centred on 1 (as much room above as below), so 2x slower
    and 2x faster are the same distance from "the same"; a bar chart on a log axis cut off
    near the data would make a 9% gap look large. The legend sits outside the axes, where
    it can cover nothing.
    """
    part = table[table["ratio"].notna()] if "ratio" in table else table.iloc[0:0]
    groups = list(dict.fromkeys(part["group"]))
    variants = list(dict.fromkeys(part["variant"]))
    figure = Figure(figsize=(_WIDTH, 4.2), layout="constrained")
    axes = figure.add_subplot()
    spread = 0.6 / max(len(variants), 1)
    positions = np.arange(len(groups))
    for index, variant in enumerate(variants):
        rows = part[part["variant"] == variant].set_index("group").reindex(groups)
        ratio, low, high = rows["ratio"].to_numpy(), rows["ratio_low"].to_numpy(), rows["ratio_high"].to_numpy()
        offsets = positions - 0.3 + spread * (index + 0.5)
        # An interval need not hold its estimate (a percentile bootstrap of a median can
        # fall beside it): the bar then starts at the point.
        below, above = np.fmax(ratio - low, 0.0), np.fmax(high - ratio, 0.0)
        axes.errorbar(offsets, ratio, yerr=[below, above], fmt="o", capsize=3, label=variant)
    axes.set_yscale("log")
    finite = part[["ratio_low", "ratio_high"]].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    reach = float(np.max(np.abs(np.log(finite)))) if finite.size else 1.0
    axes.set_ylim(np.exp(-reach * 1.15), np.exp(reach * 1.15))
    axes.axhline(1.0, color="0.3", linewidth=1)
    # Ticks read as ratios (0.5x, 1x, 2x), not as matplotlib's 5x10^-1 of a log axis.
    from matplotlib.ticker import FuncFormatter, LogLocator

    as_ratio = FuncFormatter(lambda value, _: f"{value:.3g}x")
    axes.yaxis.set_major_formatter(as_ratio)
    axes.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    axes.yaxis.set_minor_formatter(as_ratio)
    axes.set_ylabel(f"time / {literal(against)}'s time (log; 1x = same)")
    axes.set_xticks(positions)
    labels = [group.split("[", 1)[1].rstrip("]") if "[" in group else group for group in groups]
    axes.set_xticklabels(labels, rotation=30, ha="right")
    axes.set_title(f"{literal(title)}: each variant against {literal(against)} (bars: {CI_LABEL})")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    axes.grid(axis="y", which="both", alpha=0.3)
    return figure


def instructions_figure(shares: dict[str, list[tuple[str, float]]], title: str) -> Figure:
    """Where each case's instructions go: one stacked bar per case, its top functions and the rest.

    Each function keeps one colour of 20 across the bars; the legend goes under the axes,
    where it can cover nothing however many functions there are.
    """
    cases = list(shares)
    functions = list(dict.fromkeys(name for parts in shares.values() for name, _ in parts))
    rows = math.ceil((len(functions) + 1) / 3)
    figure = Figure(figsize=(_WIDTH, 0.45 * len(cases) + 0.3 * rows + 1.6), layout="constrained")
    axes = figure.add_subplot()
    colours = colormaps["tab20"].colors
    left = np.zeros(len(cases))
    bars = []
    for index, name in enumerate(functions):
        widths = np.array([dict(shares[case]).get(name, 0.0) for case in cases]) * 100
        bars.append(axes.barh(cases, widths, left=left, color=colours[index % len(colours)]))
        left += widths
    bars.append(axes.barh(cases, 100 - left, left=left, color="0.88"))
    axes.set_xlim(0, 100)
    axes.invert_yaxis()
    axes.set_xlabel("share of the call's instructions (%), by function (own instructions)")
    axes.set_title(f"{title}: where the instructions go (callgrind)")
    # Handles and labels given explicitly: matplotlib drops labels that start with "_",
    # and C function names often do (_PyEval_EvalFrameDefault).
    figure.legend(bars, [*map(literal, functions), "the rest"], fontsize="small", loc="outside lower center", ncols=3)
    return figure


def scaling_figure(table: pd.DataFrame, title: str, against: str, facet: str | None = None) -> Figure:
    """Time per record (and, against N, peak memory) against an axis, log-log, one line per variant.

    In the tables' units: ns/record and bytes. Against N a flat line is linear growth per
    call; against W a rising one is the window's cost.

    ``table`` holds one suite's cases; ``facet`` is another axis with several values, drawn
    as side-by-side panels, one per value.
    """
    part = table.copy()
    facets = sorted(part[facet].dropna().unique()) if facet else [None]
    measures = [(TIME_PER_RECORD, "time per record (ns)")]
    if against == "n" and PEAK_MEMORY in part:
        measures.append((PEAK_MEMORY, "peak memory (bytes)"))
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
    grid[0][-1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    figure.suptitle(f"{title}: cost against {against.upper()} (log-log)")
    return figure
