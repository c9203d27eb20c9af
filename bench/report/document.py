"""``pipebench report``: comparison tables, scaling fits, findings and plots of one or more runs.

The numbers come from :mod:`pipebench.report.analysis` (pandas), the pictures from
:mod:`pipebench.report.plots` (matplotlib); this module assembles them into a :class:`Report` and
renders it as Markdown (tabulate), self-contained HTML (images embedded) and a CSV of the
per-case table. Several runs are reported side by side, each labelled with its machine
and commit; their samples are never pooled.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup
from tabulate import tabulate

from pipebench.formatting import code_span, format_interval, markdown_text
from pipebench.metrics import (
    ALLOCATIONS_PER_RECORD,
    BYTES_PER_RECORD,
    ESTIMATED_CYCLES_PER_RECORD,
    INSTRUCTIONS_PER_RECORD,
    METRICS,
    PEAK_MEMORY,
    RATIO_TO_REFERENCE,
    TIME_PER_RECORD,
)
from pipebench.report import analysis, plots, templating
from pipebench.report.analysis import SIZE_AXIS, Suites, at_largest_size
from pipebench.stats import CI_LABEL


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
    environment: list[dict[str, str]]
    notes: list[str]
    findings: dict[str, list[str]]
    sections: list[Section]
    table: pd.DataFrame
    side_by_side: pd.DataFrame | None


def _number(value: float, spec: str) -> str:
    return "" if pd.isna(value) else format(value, spec)


def _metric_column(part: pd.DataFrame, metric: str) -> list[str]:
    """One metric's column, in the table's label and format."""
    return ["" if pd.isna(v) else METRICS[metric].format(v) for v in part.get(metric, pd.Series(dtype=float))]


def _display_comparison(
    part: pd.DataFrame, axes: list[str], labels: dict[str, str], several: bool, versus: str | None = None
) -> pd.DataFrame:
    """The suite's table; ``versus``: the variant its ratios were re-read against, named in their column."""
    columns: dict[str, list[str]] = {}
    if several:
        columns["run"] = [labels[run] for run in part["run_id"]]
    for axis in axes:
        if axis in part and part[axis].notna().any():
            columns[axis] = ["" if pd.isna(v) else f"{int(v)}" for v in part[axis]]
    columns["variant"] = list(part["variant"])
    timed = TIME_PER_RECORD in part and part[TIME_PER_RECORD].notna().any()
    if timed:
        columns[METRICS[TIME_PER_RECORD].label] = _metric_column(part, TIME_PER_RECORD)
        columns["records/s"] = [_number(v, ",.0f") for v in part.get("records_per_s", pd.Series(dtype=float))]
    if timed or part["ratio"].notna().any():
        columns[f"time vs {versus}" if versus else METRICS[RATIO_TO_REFERENCE].label] = [
            "" if pd.isna(v) else METRICS[RATIO_TO_REFERENCE].format(v) for v in part["ratio"]
        ]
        columns[CI_LABEL] = [
            "" if pd.isna(low) else format_interval(low, high)
            for low, high in zip(part["ratio_low"], part["ratio_high"])
        ]
    columns["verdict"] = list(part["verdict"])
    for metric in (PEAK_MEMORY, BYTES_PER_RECORD):
        if metric in part and part[metric].notna().any():  # a figure no run measured is no column
            columns[METRICS[metric].label] = _metric_column(part, metric)
    columns |= _count_columns(part, with_ratios=not timed)
    length = len(part)
    return pd.DataFrame({k: (v if len(v) == length else [""] * length) for k, v in columns.items()})


def _count_columns(part: pd.DataFrame, with_ratios: bool) -> dict[str, list[str]]:
    """The counts' columns: per record (per call for cases without records), and their ratios to the reference.

    Without time the counts answer "how much more than the reference", so their exact ratios are shown.
    """
    columns = {}
    for metric in (INSTRUCTIONS_PER_RECORD, ESTIMATED_CYCLES_PER_RECORD, ALLOCATIONS_PER_RECORD):
        shown = _count_shown(part, metric)
        if shown is None:
            continue
        columns[METRICS[shown].label] = _metric_column(part, shown)
        if with_ratios and part["is_reference"].any():
            columns[f"{METRICS[shown].label.split('/')[0]} vs ref"] = _count_ratios(part, shown)
    return columns


def _count_shown(part: pd.DataFrame, per_record: str) -> str | None:
    """The count shown for ``per_record``: itself where the cases have records, else the same count per call."""
    if per_record in part and part[per_record].notna().any():
        return per_record
    per_call = next(name for name, metric in METRICS.items() if metric.per_record == per_record)
    if per_call in part and part[per_call].notna().any():
        return per_call
    return None


def _count_ratios(part: pd.DataFrame, metric: str) -> list[str]:
    """Each case's count over its group's reference's (exact: counts do not vary), blank for the reference."""
    references = part[part["is_reference"]].drop_duplicates(["run_id", "group"]).set_index(["run_id", "group"])[metric]
    out = []
    for run_id, group, value, is_reference in zip(
        part["run_id"], part["group"], part[metric], part["is_reference"], strict=True
    ):
        reference = references.get((run_id, group))
        if is_reference or reference is None or pd.isna(reference) or not reference or pd.isna(value):
            out.append("")
        else:
            out.append(f"{value / reference:.3f}x")
    return out


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


_ENVIRONMENT = (
    ("machine", "machine"),
    ("cpu_model", "CPU"),
    ("cpu_count", "cores"),
    ("python", "Python"),
    ("python_build", "build"),
    ("platform", "platform"),
    ("timestamp", "measured at"),
    ("size", "matrix"),
    ("method_version", "method version"),
    ("load_avg_1min", "load (1 min) at start"),
)


def _environment(row: pd.Series, label: str) -> dict[str, str]:
    """What a reader needs to know of where and how a run was measured."""
    shown = {"run": label}
    for column, name in _ENVIRONMENT:
        value = row.get(column)
        if value is not None and not (isinstance(value, float) and pd.isna(value)):
            shown[name] = analysis.plain_text(value)
    return shown


def build(frame: pd.DataFrame, suites: Suites, work: Mapping[str, list[tuple[str, float]]] | None = None) -> Report:
    """Compute the whole report from the tidy frame of one or more runs and their suites' descriptions.

    ``work``: where each counted case's instructions go (:func:`pipebench.explain.changes.where_work_goes`),
    for the last run; the report then shows it per suite at its largest size.
    """
    run_ids = list(dict.fromkeys(frame["run_id"]))
    labels = {run_id: analysis.run_label(frame, run_id) for run_id in run_ids}
    several = len(run_ids) > 1
    table = analysis.case_table(frame, suites)
    answered = analysis.answers(frame, suites)
    measured = TIME_PER_RECORD in table or PEAK_MEMORY in table
    scaling = analysis.scaling_table(table, suites) if measured else pd.DataFrame()
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
            images += _suite_images(suite, described, run_part, suffix, title)
        versus = described.get("reference") if "measured_reference" in described else None
        largest = _largest_groups(part, work or {})
        if largest:
            figure = plots.instructions_figure(largest, suite)
            images.append(
                Image(
                    f"report-{suite}-instructions.png", f"{suite}: where the instructions go", plots.png_bytes(figure)
                )
            )
        scaling_part = scaling[scaling["suite"] == suite] if not scaling.empty else scaling
        description = described.get("description", "")
        if versus:
            description += (
                f" (read against {versus}, from the rounds it shared with each variant; "
                f"measured against {described['measured_reference']})"
            )
        sections.append(
            Section(
                suite,
                description,
                _display_comparison(part, analysis.size_axes(suites), labels, several, versus),
                _display_scaling(scaling_part, labels, several),
                images,
            )
        )
    side_by_side = None
    if several and "ratio" in table:
        side_by_side = table.pivot_table(index="case_id", columns="run_id", values="ratio", sort=False)
        side_by_side.columns = [labels[c] for c in side_by_side.columns]
        side_by_side = side_by_side.dropna(how="all").map(lambda v: "" if pd.isna(v) else f"{v:.3g}").reset_index()
    return Report(
        runs=[labels[r] for r in run_ids],
        environment=[_environment(frame[frame["run_id"] == run_id].iloc[0], labels[run_id]) for run_id in run_ids],
        notes=_machine_notes(frame),
        findings=_with_work(
            {labels[k]: v for k, v in analysis.findings(table, scaling, suites, answered).items()}, table, work
        ),
        sections=sections,
        table=table,
        side_by_side=side_by_side,
    )


def _largest_groups(part: pd.DataFrame, work: Mapping[str, list[tuple[str, float]]]) -> dict[str, list]:
    """Where the work goes for the cases of the suite's largest n, labelled by variant and parameters."""
    counted = part[part["case_id"].isin(list(work))]
    if counted.empty:
        return {}
    largest = at_largest_size(counted).drop_duplicates("case_id")
    return {row.case_id.split("[", 1)[1].rstrip("]"): work[row.case_id] for row in largest.itertuples()}


def _with_work(findings: dict[str, list[str]], table: pd.DataFrame, work) -> dict[str, list[str]]:
    """The last run's findings gain, per suite, where each variant's instructions mostly go."""
    if not work or not findings:
        return findings
    last = list(findings)[-1]
    sentences = list(findings[last])
    for suite, part in table[table["run_id"] == table["run_id"].iloc[-1]].groupby("suite", sort=False):
        shares = _largest_groups(part, work)
        if not shares:
            continue
        described = "; ".join(
            f"{code_span(case)} {share:.0%} in {code_span(name)}"
            for case, parts in list(shares.items())[:6]
            for name, share in parts[:1]
        )
        sentences.append(f"{markdown_text(suite)}: where the instructions go (top function, callgrind): {described}.")
    return {**findings, last: sentences}


def _suite_images(suite, described, part, suffix, title) -> list[Image]:
    """The suite's pictures, the one that answers its question (the ratios) first."""
    images = []
    if "ratio" in part and part["ratio"].notna().any():
        against = described.get("reference") or "the reference"
        figure = plots.ratio_figure(part, title, against)
        caption = f"{suite}: time against {against}"
        images.append(Image(f"report-{suite}-ratios{suffix}.png", caption, plots.png_bytes(figure)))
    timed = part[part[TIME_PER_RECORD].notna()] if TIME_PER_RECORD in part else part.iloc[0:0]
    if timed.empty:
        return images
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
    f"(below 1: faster); the verdict follows from its {CI_LABEL}. A variant's ns/record is the reference's "
    "median times that ratio, so the two columns agree (each case's own median is in summary.csv). "
    "Memory figures are "
    "memray's (Python allocators traced); B/record is shown where the workload holds all its records. "
    "instr/record and allocs/record are callgrind's counts (runs with --instructions): CPU instructions "
    "and allocator calls per record, the same on any load. est. cycles/record (runs with --cycles) adds "
    "callgrind's simulated cache misses to the instructions, each weighted by what a miss costs, "
    "so it sees what instructions cannot: records that no longer fit the caches. "
    "Growth is named from the top slope: the log-log slope between the two largest sizes."
)


def _markdown_table(frame: pd.DataFrame) -> str:
    """A table of figures and names, every cell and header shown letter for letter."""
    cells = [[markdown_text(value) for value in row] for row in frame.astype(str).itertuples(index=False)]
    headers = [markdown_text(column) for column in frame.columns]
    return tabulate(cells, headers=headers, tablefmt="pipe", disable_numparse=True)


def _markdown_image(image: Image) -> str:
    return f"![{markdown_text(image.title)}]({quote(image.name)})"


def to_markdown(report: Report) -> str:
    """The report as Markdown, images referenced by file name.

    Names, notes and descriptions come from the runs' files; each is written as text
    (:func:`pipebench.formatting.markdown_text`), never as markup. Findings are Markdown
    already, their names in code spans made for them.
    """
    lines = ["# pipebench report", "", "Runs:", *[f"- {markdown_text(label)}" for label in report.runs], ""]
    lines += [*[f"> {markdown_text(note)}" for note in report.notes], ""] if report.notes else []
    lines += ["## Findings", ""]
    for label, sentences in report.findings.items():
        if len(report.findings) > 1:
            lines += [f"### {markdown_text(label)}", ""]
        lines += [f"- {sentence}" for sentence in sentences] or ["- (no timed comparison in this run)"]
        lines.append("")
    lines += ["## Environment", ""]
    for environment in report.environment:
        lines += [f"- {markdown_text(name)}: {markdown_text(value)}" for name, value in environment.items()] + [""]
    lines += [_GUIDE, ""]
    for section in report.sections:
        lines += [f"## {markdown_text(section.suite)}", "", markdown_text(section.description), ""]
        lines += [_markdown_image(image) for image in section.images[:1]] + [""]
        lines += [_markdown_table(section.comparison), ""]
        if not section.scaling.empty:
            lines += ["Scaling:", "", _markdown_table(section.scaling), ""]
        lines += [_markdown_image(image) for image in section.images[1:]] + [""]
    if report.side_by_side is not None:
        lines += ["## Ratios side by side", "", _markdown_table(report.side_by_side), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Cell:
    text: str
    css: str = ""


@dataclass(frozen=True)
class _TableView:
    columns: list[str]
    rows: list[list[_Cell]]


_TEXT_COLUMNS = {"run", "variant", "held", "cost", "growth", "case_id", "verdict"}
# Tables longer than this are folded under a summary line.
FOLD_AFTER = 24


def _css(column: str, text: str) -> str:
    if column == "verdict":
        return "v-" + text.split(" (", 1)[0].replace(" ", "-") if text else "text"
    return "text" if column in _TEXT_COLUMNS else ""


def _view(frame: pd.DataFrame) -> _TableView:
    columns = [str(column) for column in frame.columns]
    rows = [
        [_Cell(text, _css(column, text)) for column, text in zip(columns, map(str, values), strict=True)]
        for values in frame.itertuples(index=False)
    ]
    return _TableView(columns, rows)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (Jinja2; findings rendered from Markdown; PNGs embedded)."""
    # Findings are Markdown (names in backticks); raw HTML in them is escaped, not rendered.
    markdown = MarkdownIt("commonmark", {"html": False})
    findings = {
        label: [Markup(markdown.renderInline(sentence)) for sentence in sentences]
        for label, sentences in report.findings.items()
    }
    sections = [
        {
            "suite": section.suite,
            "description": section.description,
            "comparison": _view(section.comparison),
            "scaling": None if section.scaling.empty else _view(section.scaling),
            "images": [
                {"title": image.title, "data": base64.b64encode(image.png).decode("ascii")} for image in section.images
            ],
        }
        for section in report.sections
    ]
    side_by_side = None if report.side_by_side is None else _view(report.side_by_side)
    return templating.render(
        "report.html.j2",
        report=report,
        findings=findings,
        sections=sections,
        side_by_side=side_by_side,
        guide=_GUIDE,
        fold_after=FOLD_AFTER,
    )


def to_csv(report: Report) -> str:
    """The per-case table with unformatted numbers."""
    return report.table.to_csv(index=False)
