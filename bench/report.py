"""``pipebench report``: comparison tables, scaling fits, findings and plots of one or more runs.

The numbers come from :mod:`bench.analysis` (pandas), the pictures from
:mod:`bench.plots` (matplotlib); this module assembles them into a :class:`Report` and
renders it as Markdown (tabulate), self-contained HTML (images embedded) and a CSV of the
per-case table. Several runs are reported side by side, each labelled with its machine
and commit; their samples are never pooled.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

import pandas as pd
from tabulate import tabulate

from bench import analysis, plots
from bench.analysis import SIZE_AXIS, Suites
from bench.formatting import format_bytes, format_interval
from bench.stats import CI_LABEL


@dataclass(frozen=True)
class Image:
    """A plot: its file name, caption and PNG bytes."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Section:
    """One suite's part of the report."""

    suite: str
    description: str
    comparison: pd.DataFrame
    scaling: pd.DataFrame
    images: list[Image] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """Everything a report shows, computed; rendering only formats it."""

    runs: list[str]
    notes: list[str]
    findings: dict[str, list[str]]
    sections: list[Section]
    table: pd.DataFrame
    side_by_side: pd.DataFrame | None


def _bytes(value: float) -> str:
    return "" if pd.isna(value) else format_bytes(value)


def _number(value: float, spec: str) -> str:
    return "" if pd.isna(value) else format(value, spec)


def _display_comparison(part: pd.DataFrame, axes: list[str], labels: dict[str, str], several: bool) -> pd.DataFrame:
    columns: dict[str, list[str]] = {}
    if several:
        columns["run"] = [labels[run] for run in part["run_id"]]
    for axis in axes:
        if axis in part and part[axis].notna().any():
            columns[axis] = ["" if pd.isna(v) else f"{int(v)}" for v in part[axis]]
    columns["variant"] = list(part["variant"])
    columns["ns/record"] = [_number(v, ",.1f") for v in part.get("time_per_record", pd.Series(dtype=float))]
    columns["records/s"] = [_number(v, ",.0f") for v in part.get("records_per_s", pd.Series(dtype=float))]
    columns["time vs ref"] = [_number(v, ".3g") for v in part["ratio"]]
    columns[CI_LABEL] = [
        "" if pd.isna(low) else format_interval(low, high) for low, high in zip(part["ratio_low"], part["ratio_high"])
    ]
    columns["verdict"] = list(part["verdict"])
    columns["peak"] = [_bytes(v) for v in part.get("peak_memory", pd.Series(dtype=float))]
    columns["B/record"] = [_number(v, ".1f") for v in part.get("bytes_per_record", pd.Series(dtype=float))]
    columns["instr/record"] = [_number(v, ",.0f") for v in part.get("instructions_per_record", pd.Series(dtype=float))]
    columns["allocs/record"] = [_number(v, ",.2f") for v in part.get("allocations_per_record", pd.Series(dtype=float))]
    length = len(part)
    return pd.DataFrame({k: (v if len(v) == length else [""] * length) for k, v in columns.items()})


def _display_scaling(part: pd.DataFrame, labels: dict[str, str], several: bool) -> pd.DataFrame:
    if part.empty:
        return part
    shown = pd.DataFrame(
        {
            "variant": part["variant"],
            "held": part["held"],
            "cost": part["measure"] + " vs " + part["against"],
            "slope": part["slope"].map("{:.2f}".format),
            "R\u00b2": part["r_squared"].map("{:.3f}".format),
            "top slope": part["top_slope"].map("{:.2f}".format),
            "growth": part["growth"],
        }
    )
    if several:
        shown.insert(0, "run", [labels[run] for run in part["run_id"]])
    return shown.reset_index(drop=True)


def _machine_notes(frame: pd.DataFrame) -> list[str]:
    runs = frame.drop_duplicates("run_id")
    if len(runs) < 2:
        return []
    machines = runs[["machine", "cpu_model"]].drop_duplicates()
    if len(machines) > 1:
        where = "; ".join(
            f"{r.run_id}: {analysis.plain_text(r.machine)}, {analysis.plain_text(r.cpu_model)}"
            for r in runs.itertuples()
        )
        return [
            f"These runs come from different machines ({where}). Absolute times are not comparable between "
            "them; compare each run's ratios to its own reference."
        ]
    return ["These runs come from the same machine and CPU model."]


def build(frame: pd.DataFrame, suites: Suites) -> Report:
    """Compute the whole report from the tidy frame of one or more runs and their suites' descriptions."""
    run_ids = list(dict.fromkeys(frame["run_id"]))
    labels = {run_id: analysis.run_label(frame, run_id) for run_id in run_ids}
    several = len(run_ids) > 1
    table = analysis.case_table(frame, suites)
    measured = "time_per_record" in table or "peak_memory" in table
    scaling = analysis.scaling_table(table, suites) if measured else pd.DataFrame()
    time_rows = frame[frame["metric"] == "time_per_record"]
    samples = {(r.run_id, r.case_id): r.samples for r in time_rows.itertuples()}
    sections = []
    for suite in dict.fromkeys(table["suite"]):
        part = table[table["suite"] == suite]
        described = suites.get(suite, {})
        images = []
        for run_id in run_ids:
            run_part = part[part["run_id"] == run_id]
            if run_part.empty:
                continue
            suffix = f"-{run_id}" if several else ""
            title = labels[run_id] if several else suite
            images += _suite_images(suite, described, run_part, samples, run_id, suffix, title)
        scaling_part = scaling[scaling["suite"] == suite] if not scaling.empty else scaling
        sections.append(
            Section(
                suite,
                described.get("description", ""),
                _display_comparison(part, analysis.size_axes(suites), labels, several),
                _display_scaling(scaling_part, labels, several),
                images,
            )
        )
    side_by_side = None
    if several and "ratio" in table:
        side_by_side = table.pivot_table(index="case_id", columns="run_id", values="ratio", sort=False)
        side_by_side.columns = [labels[c] for c in side_by_side.columns]
        side_by_side = side_by_side.dropna(how="all").reset_index()
    return Report(
        runs=[labels[r] for r in run_ids],
        notes=_machine_notes(frame),
        findings={labels[k]: v for k, v in analysis.findings(table, scaling, suites).items()},
        sections=sections,
        table=table,
        side_by_side=side_by_side,
    )


def _suite_images(suite, described, part, samples, run_id, suffix, title) -> list[Image]:
    images = []
    timed = part[part["time_per_record"].notna()] if "time_per_record" in part else part.iloc[0:0]
    if timed.empty:
        return images
    case_samples = {case_id: samples[(run_id, case_id)] for case_id in timed["case_id"]}
    figure = plots.throughput_figure(timed, case_samples, suite, title)
    images.append(Image(f"report-{suite}-throughput{suffix}.png", f"{suite}: records/s", plots.png_bytes(figure)))
    axes = list(described.get("axes", [SIZE_AXIS]))
    for against in described.get("swept", ()):
        if against not in part or part[against].nunique() < 2:
            continue
        facet = next((axis for axis in axes if axis != against and axis in part and part[axis].nunique() > 1), None)
        figure = plots.scaling_figure(part, title, against, facet)
        name, caption = f"report-{suite}-vs-{against}{suffix}.png", f"{suite}: cost against {against.upper()}"
        images.append(Image(name, caption, plots.png_bytes(figure)))
    return images


_GUIDE = (
    "time vs ref is the variant's time over the reference's, paired round by round in the same run "
    f"(below 1: faster); the verdict follows from its {CI_LABEL}. Memory figures are "
    "memray's (Python allocators traced); B/record is shown where the workload holds all its records. "
    "instr/record and allocs/record are callgrind's counts (runs with --instructions): CPU instructions "
    "and allocator calls per record, the same on any load. "
    "Growth is named from the top slope: the log-log slope between the two largest sizes."
)


def to_markdown(report: Report) -> str:
    """The report as Markdown, images referenced by file name."""
    lines = ["# pipebench report", "", "Runs:", *[f"- {label}" for label in report.runs], ""]
    lines += [*[f"> {note}" for note in report.notes], ""] if report.notes else []
    lines += ["## Findings", ""]
    for label, sentences in report.findings.items():
        if len(report.findings) > 1:
            lines += [f"### {label}", ""]
        lines += [f"- {sentence}" for sentence in sentences] or ["- (no timed comparison in this run)"]
        lines.append("")
    lines += [_GUIDE, ""]
    for section in report.sections:
        lines += [f"## {section.suite}", "", section.description, ""]
        lines += [
            tabulate(section.comparison, headers="keys", tablefmt="pipe", showindex=False, disable_numparse=True),
            "",
        ]
        if not section.scaling.empty:
            lines += ["Scaling:", ""]
            lines += [
                tabulate(section.scaling, headers="keys", tablefmt="pipe", showindex=False, disable_numparse=True),
                "",
            ]
        lines += [f"![{image.title}]({image.name})" for image in section.images] + [""]
    if report.side_by_side is not None:
        lines += ["## Ratios side by side", ""]
        lines += [tabulate(report.side_by_side, headers="keys", tablefmt="pipe", showindex=False, floatfmt=".3g"), ""]
    return "\n".join(lines)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}"
    "table{border-collapse:collapse;font-size:.85em;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f2f2f2}"
    "td:nth-child(-n+3){text-align:left}img{max-width:100%}blockquote{background:#fff6d8;padding:.5em 1em}"
)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (PNG plots embedded as data URIs)."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>pipebench report</title>",
        f"<style>{_STYLE}</style></head><body><h1>pipebench report</h1><p>Runs:</p><ul>",
        *[f"<li>{html.escape(label)}</li>" for label in report.runs],
        "</ul>",
        *[f"<blockquote>{html.escape(note)}</blockquote>" for note in report.notes],
        "<h2>Findings</h2>",
    ]
    for label, sentences in report.findings.items():
        if len(report.findings) > 1:
            parts.append(f"<h3>{html.escape(label)}</h3>")
        items = [f"<li>{html.escape(s)}</li>" for s in sentences] or ["<li>(no timed comparison in this run)</li>"]
        parts += ["<ul>", *items, "</ul>"]
    parts.append(f"<p><small>{html.escape(_GUIDE)}</small></p>")
    for section in report.sections:
        parts += [f"<h2>{html.escape(section.suite)}</h2>", f"<p>{html.escape(section.description)}</p>"]
        parts.append(section.comparison.to_html(index=False, border=0))
        if not section.scaling.empty:
            parts += ["<h3>Scaling</h3>", section.scaling.to_html(index=False, border=0)]
        for image in section.images:
            data = base64.b64encode(image.png).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(image.title)}' src='data:image/png;base64,{data}'></figure>")
    if report.side_by_side is not None:
        parts += [
            "<h2>Ratios side by side</h2>",
            report.side_by_side.to_html(index=False, border=0, float_format="{:.3g}".format),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def to_csv(report: Report) -> str:
    """The per-case table with unformatted numbers."""
    return report.table.to_csv(index=False)
