"""How ``pipebench history`` shows what :mod:`pipebench.history.series` found: a table, JSON and trend plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipebench import store
from pipebench.history.series import MIN_TIMED_POINTS, History, Series, Step

HISTORY_FILES = ("history.json", "history.html")


def render_table(steps: Sequence[Step], runs: int, series: int) -> str:
    """One line per step: where, how much, how sure."""
    from tabulate import tabulate

    head = f"{runs} runs, {series} series, {len(steps)} step(s)\n"
    if runs < MIN_TIMED_POINTS:
        head += (
            f"too few runs for a verdict on time: a timed series needs {MIN_TIMED_POINTS} runs of comparable "
            "conditions; counts and memory are compared run to run\n"
        )
    if not steps:
        return head
    rows = [
        [
            s.series.case_id,
            s.series.metric + (f" on {s.series.machine}" if s.series.machine else ""),
            s.commit,
            f"{s.change:+.1%}",
            f"{s.before:.4g} -> {s.after:.4g}",
            ("exact" if s.p_value is None else f"p={s.p_value:.2g}"),
        ]
        for s in steps
    ]
    headers = ["case", "metric", "first commit", "step", "level", "sure"]
    return head + tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n"


def as_json(steps: Sequence[Step]) -> list[dict]:
    """The steps as plain data."""
    return [
        {
            "case": s.series.case_id,
            "metric": s.series.metric,
            "machine": s.series.machine,
            "method": s.series.method,
            "commit": s.commit,
            "run": s.series.points[s.index].run_id,
            "before": s.before,
            "after": s.after,
            "change": s.change,
            "p_value": s.p_value,
        }
        for s in steps
    ]


def trend_figure(series: Series, steps: Sequence[Step]):
    """A series against commit order, each step marked at its first commit."""
    from matplotlib.figure import Figure

    from pipebench.report.plots import literal

    figure = Figure(figsize=(10.0, 2.6), layout="constrained")
    axes = figure.add_subplot()
    values = [p.value for p in series.points]
    axes.plot(range(len(values)), values, marker="o", markersize=3, linewidth=1)
    for step in steps:
        axes.axvline(step.index - 0.5, color="#c0392b", linewidth=1)
        axes.annotate(
            literal(f"{step.commit} {step.change:+.1%}"),
            (step.index - 0.5, max(values)),
            fontsize="small",
            color="#c0392b",
            xytext=(3, -10),
            textcoords="offset points",
        )
    ticks = list(range(0, len(values), max(1, len(values) // 12)))
    labels = [literal(series.points[i].commit) for i in ticks]
    axes.set_xticks(ticks, labels, rotation=30, ha="right", fontsize="small")
    axes.set_title(literal(series.name), fontsize="medium")
    axes.grid(alpha=0.3)
    return figure


def render_html(steps: Sequence[Step], series: Sequence[Series], runs: int) -> str:
    """A self-contained page: the steps, then a trend plot per changed series, largest step first."""
    import base64

    from pipebench.report import templating
    from pipebench.report.plots import png_bytes

    # Steps come largest first, so the series that moved most is drawn first.
    moved: dict[str, tuple[Series, list[Step]]] = {}
    for step in steps:
        moved.setdefault(step.series.name, (step.series, []))[1].append(step)
    plots = [
        {"name": name, "data": base64.b64encode(png_bytes(trend_figure(one, its))).decode("ascii")}
        for name, (one, its) in moved.items()
    ]
    return templating.render("history.html.j2", steps=as_json(steps), plots=plots, runs=runs, series=len(series))


def write(history: History, target: Path) -> str:
    """Write ``history.json`` and ``history.html`` into ``target``; return the JSON document."""
    document = json.dumps(as_json(history.steps), indent=2) + "\n"
    page = render_html(history.steps, history.series, len(history.runs))
    store.write_files(target, dict(zip(HISTORY_FILES, (document, page))))
    return document
