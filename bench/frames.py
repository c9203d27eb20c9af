"""The tidy DataFrame of one or more runs, and the suites they describe: what the report reads.

One line per (run, case, metric), with the run's metadata, the case's parameters under
their own names and the summary of its samples. Runs are read by what they stored of
their suites, never by the matrix of the code reading them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from pipebench.results import RunResults

VERSUS = "versus"
"""The metadata key of a run re-read against a variant (:func:`pipebench.timing.versus.against`):
``{"variant": name, "suites": [...]}``; :func:`suite_descriptions` names the variant as those suites' reference."""

_METADATA_COLUMNS = (
    "machine",
    "cpu_model",
    "cpu_count",
    "python",
    "python_build",
    "platform",
    "commit",
    "dirty",
    "timestamp",
    "size",
    "load_avg_1min",
)


def to_frame(runs: Iterable[RunResults]) -> pd.DataFrame:
    """The rows of ``runs`` as one tidy DataFrame, one line per (run, case, metric).

    Columns: ``run_id``, the run metadata in :data:`_METADATA_COLUMNS` and ``method_version`` (``timestamp`` a
    timezone-aware datetime), ``case_id``, ``suite``, ``variant``, ``group``,
    ``is_reference``, ``reference``, ``metric``, ``value`` (the figure to read: a ratio's
    estimate, otherwise the median), ``unit``, ``tool``, ``tool_version``, the
    summary (``count`` of samples, ``median``, ``mean``, ``stdev``, ``min``, ``max``),
    ``estimate``, ``ci_low``, ``ci_high``, ``samples`` (a tuple), ``sample_groups`` (how many of them
    each process took, in order: values of a group's cases at one index were taken side by side) and one column per case
    parameter under its own name (``n``, ``w``, ...; nullable integers when whole).
    """
    lines = []
    params: dict[str, None] = {}
    for run in runs:
        meta = {name: run.metadata.get(name) for name in _METADATA_COLUMNS}
        meta["method_version"] = (run.metadata.get("method") or {}).get("version")
        references = {name: suite.get("reference") for name, suite in suite_descriptions([run]).items()}
        for row in run.rows:
            summary = row.summary.as_dict()
            params.update(dict.fromkeys(row.params))
            lines.append(
                {
                    "run_id": run.run_id,
                    **meta,
                    "case_id": row.case_id,
                    "suite": row.suite,
                    "variant": row.variant,
                    "group": row.group,
                    "is_reference": row.variant == references.get(row.suite),
                    "reference": row.reference,
                    "metric": row.metric,
                    # The figure to read: for a ratio the clustered estimate (the median of
                    # all its pooled pairs can fall on the other side of 1).
                    "value": row.value,
                    "unit": row.unit,
                    "tool": row.tool,
                    "tool_version": row.tool_version,
                    "count": summary.pop("n"),
                    **summary,
                    "estimate": row.estimate,
                    "ci_low": row.ci[0] if row.ci else None,
                    "ci_high": row.ci[1] if row.ci else None,
                    "samples": row.samples,
                    "sample_groups": row.sample_groups,
                    **row.params,
                }
            )
    frame = pd.DataFrame(lines)
    if "timestamp" in frame:
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce")
    for name in params:
        column = frame[name]
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.notna().sum() == column.notna().sum() and (numbers.dropna() % 1 == 0).all():
            # A parameter missing from some suites (``w``) stays an integer, not a float.
            frame[name] = numbers.astype("Int64")
    return frame


def suite_descriptions(runs: Iterable[RunResults]) -> dict[str, dict[str, Any]]:
    """What each suite of ``runs`` was when they were measured (the latest run's word wins).

    A run stores its suites' descriptions (:meth:`pipebench.matrix.Suite.describe`); for a
    run from before it did, they are read from its rows: the reference is the case its
    ratios were taken against, the axes are its parameters, ``n`` is swept.
    """
    suites: dict[str, dict[str, Any]] = {}
    for run in runs:
        stored = run.metadata.get("suites")
        if isinstance(stored, dict):
            suites.update({name: dict(description) for name, description in stored.items()})
            _read_versus(run, suites)
            continue
        variants = {row.case_id: row.variant for row in run.rows}
        for row in run.rows:
            if row.suite in suites and suites[row.suite]["reference"] is not None:
                continue
            axes = [name for name in row.params if row.params[name] != row.variant]
            suites[row.suite] = {
                "description": "",
                "reference": variants.get(row.reference) if row.reference else None,
                "axes": axes,
                "swept": ["n"] if "n" in axes else [],
                "finding": None,
            }
        _read_versus(run, suites)
    return suites


def _read_versus(run: RunResults, suites: dict[str, dict[str, Any]]) -> None:
    """A run re-read against a variant (:func:`pipebench.timing.versus.against`) names it as their reference.

    The reference the suite was measured against stays known as ``measured_reference``.
    """
    versus = run.metadata.get(VERSUS)
    if not isinstance(versus, dict):
        return
    for name in versus["suites"]:
        described = suites.setdefault(name, {"description": "", "axes": ["n"], "swept": [], "finding": None})
        described.setdefault("measured_reference", described.get("reference"))
        described["reference"] = versus["variant"]
