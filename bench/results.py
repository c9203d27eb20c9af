"""The results schema: one tidy row per (case, metric), plus the run's metadata.

A results file is JSON::

    {
      "schema": "pipebench-results",
      "schema_version": 2,
      "run_id": "20261127T223341Z_4454547",
      "metadata": {"machine": ..., "cpu_model": ..., "python": ..., "commit": ..., "dirty": ...,
                   "patch": ..., "timestamp": ..., "size": "quick", "method": {"version": ...},
                   "tools": {"pyperf": "2.11.0", ...}, "counts": {...} (with --instructions)},
      "rows": [Row, ...]
    }

Each row: ``case_id``, ``suite``, ``variant``, ``group``, ``reference`` (the case id this
row's ratio is taken against, if any), ``params``, ``metric``, ``unit``, ``tool``,
``tool_version``, ``samples`` (possibly empty), ``sample_groups`` (how many of the samples,
in order, each worker process took: the samples of one process share its conditions),
``summary`` (n, median, mean, stdev, min, max), and for estimated quantities ``estimate``
with its ``ci`` (``[low, high]`` at ``confidence``); both null otherwise. A ratio's
estimate is the geometric mean of its paired samples, each process weighing the same.

Metrics (see :data:`METRICS`): ``time_per_record`` (ns/record, pyperf), ``ratio_to_reference``
(variant time over reference time, paired within a round, pipebench over pyperf values),
``peak_memory`` (bytes) and ``bytes_per_record`` (memray), ``instructions``,
``instructions_per_record``, ``allocations`` and ``allocations_per_record`` (callgrind).

Version history:
1 - first version.
2 - ``sample_groups``; allocations counted by callgrind (memray's counted its own
    profiler's objects); instructions; the measurement method in the metadata.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.cases import Case
from bench.stats import Interval, Summary, summarize

SCHEMA = "pipebench-results"
SCHEMA_VERSION = 2

METRICS: dict[str, tuple[str, str]] = {
    "time_per_record": ("ns/record", "time of one workload call divided by its records"),
    "ratio_to_reference": ("ratio", "variant time / reference time, paired within a round"),
    "peak_memory": ("bytes", "high-water mark of memory allocated during the workload"),
    "bytes_per_record": ("bytes/record", "peak memory divided by records (materialized workloads)"),
    "instructions": ("count", "CPU instructions of one workload call (callgrind)"),
    "instructions_per_record": ("count/record", "instructions divided by records"),
    "allocations": ("count", "allocator calls of one workload call, frees not counted (callgrind)"),
    "allocations_per_record": ("count/record", "allocations divided by records"),
}
"""Metric name to (unit, meaning)."""


@dataclass(frozen=True)
class Row:
    """One measurement of one metric of one case."""

    case_id: str
    suite: str
    variant: str
    group: str
    params: Mapping[str, Any]
    metric: str
    unit: str
    tool: str
    tool_version: str
    summary: Summary
    samples: tuple[float, ...] = ()
    sample_groups: tuple[int, ...] = ()
    ci: tuple[float, float] | None = None
    confidence: float | None = None
    estimate: float | None = None
    reference: str | None = None

    @property
    def clusters(self) -> list[tuple[float, ...]]:
        """The samples grouped by process (one group when the row does not say)."""
        if not self.sample_groups or sum(self.sample_groups) != len(self.samples):
            return [self.samples] if self.samples else []
        out, start = [], 0
        for size in self.sample_groups:
            out.append(self.samples[start : start + size])
            start += size
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "suite": self.suite,
            "variant": self.variant,
            "group": self.group,
            "reference": self.reference,
            "params": dict(self.params),
            "metric": self.metric,
            "unit": self.unit,
            "tool": self.tool,
            "tool_version": self.tool_version,
            "samples": list(self.samples),
            "sample_groups": list(self.sample_groups),
            "summary": self.summary.as_dict(),
            "ci": list(self.ci) if self.ci is not None else None,
            "confidence": self.confidence,
            "estimate": self.estimate,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Row:
        """Rebuild a row; raises ``KeyError``/``TypeError``/``ValueError`` on a malformed one."""
        summary = data["summary"]
        ci = data.get("ci")
        return cls(
            case_id=str(data["case_id"]),
            suite=str(data["suite"]),
            variant=str(data["variant"]),
            group=str(data["group"]),
            params=dict(data["params"]),
            metric=str(data["metric"]),
            unit=str(data["unit"]),
            tool=str(data["tool"]),
            tool_version=str(data["tool_version"]),
            summary=Summary(
                int(summary["n"]),
                float(summary["median"]),
                float(summary["mean"]),
                float(summary["stdev"]),
                float(summary["min"]),
                float(summary["max"]),
            ),
            samples=tuple(float(x) for x in data.get("samples", ())),
            sample_groups=tuple(int(x) for x in data.get("sample_groups", ())),
            ci=(float(ci[0]), float(ci[1])) if ci is not None else None,
            confidence=data.get("confidence"),
            estimate=data.get("estimate"),
            reference=data.get("reference"),
        )


def make_row(
    case: Case,
    metric: str,
    clusters: Sequence[Sequence[float]],
    *,
    tool: str,
    tool_version: str,
    interval: Interval | None = None,
    reference: str | None = None,
) -> Row:
    """A row for ``case`` and ``metric`` from its samples, grouped by the process that took them.

    The unit comes from :data:`METRICS`.
    """
    samples = [value for cluster in clusters for value in cluster]
    summary = summarize(samples)
    return Row(
        case_id=case.id,
        suite=case.suite,
        variant=case.variant,
        group=case.group,
        params=case.param_dict,
        metric=metric,
        unit=METRICS[metric][0],
        tool=tool,
        tool_version=tool_version,
        summary=summary,
        samples=tuple(samples),
        sample_groups=tuple(len(cluster) for cluster in clusters if len(cluster)),
        ci=(interval.low, interval.high) if interval is not None else None,
        confidence=interval.confidence if interval is not None else None,
        estimate=interval.estimate if interval is not None else None,
        reference=reference,
    )


@dataclass(frozen=True)
class RunResults:
    """Everything a run measured: its id, where and how, and the rows."""

    run_id: str
    metadata: Mapping[str, Any]
    rows: tuple[Row, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "metadata": dict(self.metadata),
            "rows": [row.as_dict() for row in self.rows],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResults:
        """Rebuild results; raises ``ValueError`` naming what is wrong with ``data``."""
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            raise ValueError("not a pipebench results file")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"results schema version {version!r}, this pipebench reads {SCHEMA_VERSION}")
        try:
            rows = tuple(Row.from_dict(row) for row in data["rows"])
            return cls(str(data["run_id"]), dict(data["metadata"]), rows)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ValueError(f"malformed results: {type(error).__name__}: {error}") from None
