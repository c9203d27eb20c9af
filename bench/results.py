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

Metrics (see :data:`pipebench.metrics.METRICS`): ``time_per_record`` (ns/record, pyperf), ``ratio_to_reference``
(variant time over reference time, paired within a round, pipebench over pyperf values),
``peak_memory`` (bytes) and ``bytes_per_record`` (memray), ``instructions``,
``instructions_per_record``, ``allocations`` and ``allocations_per_record`` (callgrind).

Version history:
1 - first version.
2 - ``sample_groups``; allocations counted by callgrind (memray's counted its own
    profiler's objects); instructions; the measurement method in the metadata.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from pipebench import conditions
from pipebench.cases import Case, ParamValue
from pipebench.metrics import METRICS
from pipebench.stats import SUMMARY_FIGURES, Interval, Summary, summarize

SCHEMA = "pipebench-results"
MAX_ROWS = 50_000
"""The most rows a results file may hold. Reading is linear in them: comparing two files of
20,000 rows took 8 s and 210 MB here, so 50,000 take about 20 s and 500 MB."""
SCHEMA_VERSION = 2


def clusters_of(samples: Sequence[float], sample_groups: Sequence[int]) -> list[tuple[float, ...]]:
    """``samples`` grouped by the process that took them, ``sample_groups`` long each.

    One group when the sizes do not add up to the samples (a row that does not say).
    """
    if not sample_groups or sum(sample_groups) != len(samples):
        return [tuple(samples)] if len(samples) else []
    out, start = [], 0
    for size in sample_groups:
        out.append(tuple(samples[start : start + size]))
        start += size
    return out


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
    def value(self) -> float:
        """The row's one figure: a ratio's estimate, else the median of its samples."""
        return self.estimate if self.estimate is not None else self.summary.median

    @property
    def clusters(self) -> list[tuple[float, ...]]:
        """The samples grouped by process (one group when the row does not say)."""
        return clusters_of(self.samples, self.sample_groups)

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready data."""
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
        """Rebuild a row; raises ``KeyError``/``TypeError``/``ValueError`` on a malformed one.

        Names become file names and table cells, so they are held to :data:`SAFE_NAME`;
        numbers must be finite and not negative (no metric here can be).
        """
        if not isinstance(data, Mapping):
            raise TypeError("a row is not an object")
        metric = str(data["metric"])
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}")
        ci, reference = data.get("ci"), data.get("reference")
        estimate, confidence = data.get("estimate"), data.get("confidence")
        row = cls(
            case_id=safe_name(data["case_id"], "case id"),
            suite=safe_name(data["suite"], "suite"),
            variant=safe_name(data["variant"], "variant"),
            group=safe_name(data["group"], "group"),
            params=_checked_params(data["params"]),
            metric=metric,
            unit=str(data["unit"]),
            tool=str(data["tool"]),
            tool_version=str(data["tool_version"]),
            summary=_checked_summary(data["summary"]),
            samples=tuple(non_negative_number(x, "sample") for x in data.get("samples") or ()),
            sample_groups=tuple(int(non_negative_number(x, "sample group")) for x in data.get("sample_groups") or ()),
            ci=(non_negative_number(ci[0], "ci"), non_negative_number(ci[1], "ci")) if ci is not None else None,
            confidence=non_negative_number(confidence, "confidence") if confidence is not None else None,
            estimate=non_negative_number(estimate, "estimate") if estimate is not None else None,
            reference=safe_name(reference, "reference") if reference is not None else None,
        )
        row.check_figures()
        return row

    def check_figures(self) -> None:
        """Refuse figures no measurement makes: an interval upside down or missing its estimate, a ratio of 0.

        Raises:
            ValueError: which figure, of which row.
        """
        if self.ci is not None and self.ci[0] > self.ci[1]:
            raise ValueError(f"{self.case_id} {self.metric}: interval {list(self.ci)} is upside down")
        if self.ci is not None and self.estimate is not None and not self.ci[0] <= self.estimate <= self.ci[1]:
            raise ValueError(f"{self.case_id} {self.metric}: estimate {self.estimate} lies outside {list(self.ci)}")
        if METRICS[self.metric].paired and (min(self.samples, default=1.0) <= 0 or self.estimate == 0):
            raise ValueError(f"{self.case_id} {self.metric}: a ratio of times cannot be 0")


def _checked_params(params: Any) -> dict[str, ParamValue]:
    if not isinstance(params, Mapping):
        raise TypeError("params is not an object")
    for key, value in params.items():
        safe_name(key, "parameter")
        if isinstance(value, str):
            safe_name(value, "parameter value")
        else:
            non_negative_number(value, f"parameter {key}")
    return dict(params)


def _checked_summary(summary: Any) -> Summary:
    if not isinstance(summary, Mapping):
        raise TypeError("summary is not an object")
    figures = (non_negative_number(summary[key], f"summary {key}") for key in SUMMARY_FIGURES)
    return Summary(int(non_negative_number(summary["n"], "summary n")), *figures)


SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.,=+\-\[\]]{0,199}$")
"""What a name read from a results file may hold: it becomes part of file names and of
Markdown, HTML and CSV cells, so nothing that is a path, markup or a spreadsheet formula
there (a formula starts with ``=``, ``+``, ``-`` or ``@``: a name starts with a letter or digit)."""


def safe_name(value: Any, what: str) -> str:
    """``value`` if it is a safe name (:data:`SAFE_NAME`, and not ``.`` or ``..`` anywhere).

    Raises:
        ValueError: it is not.
    """
    if not isinstance(value, str) or not SAFE_NAME.match(value) or ".." in value or value == ".":
        raise ValueError(f"{what} {str(value)[:60]!r} is not a name (letters, digits and _ . , = + - [ ] only)")
    return value


def non_negative_number(value: Any, what: str) -> float:
    """``value`` as a float if it is a finite, non-negative number (not a bool).

    Raises:
        ValueError: it is not.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} {str(value)[:30]!r} is not a number")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} {value!r} is not a finite, non-negative number")
    return number


_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_NUMBER_OR_NULL = {"type": ["number", "null"]}
_NAMES = {"type": "array", "items": _TEXT}
_SUITE = {
    "type": "object",
    "properties": {
        "description": _TEXT,
        "variant_axis": _TEXT,
        "reference": _TEXT_OR_NULL,
        "axes": _NAMES,
        "swept": _NAMES,
        "finding": {"anyOf": [{"type": "null"}, {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2}]},
        "threaded": {"type": "boolean"},
        "tags": {"type": "object", "additionalProperties": _NAMES},
        "questions": {"type": "array", "items": {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2}},
    },
}
METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "machine": _TEXT_OR_NULL,
        "platform": _TEXT_OR_NULL,
        "cpu_model": _TEXT_OR_NULL,
        "cpu_count": {"type": ["integer", "null"], "minimum": 1},
        "python": _TEXT_OR_NULL,
        "commit": _TEXT_OR_NULL,
        "dirty": {"type": "boolean"},
        "patch": _TEXT_OR_NULL,
        "timestamp": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"},
        "size": {"enum": ["quick", "full"]},
        "tools": {"type": "object", "additionalProperties": _TEXT},
        "load_avg_1min": _NUMBER_OR_NULL,
        "method": {"type": "object", "properties": {"version": {"type": "integer"}}},
        "counts": {
            "type": "object",
            "properties": {
                "cache": {"type": "object", "properties": {"model": _TEXT, "estimate": _TEXT}, "required": ["model"]},
                "guest_cpu_features": {"type": "array", "items": _TEXT},
            },
            "additionalProperties": _TEXT_OR_NULL,
        },
        "suites": {"type": "object", "additionalProperties": _SUITE},
        "conditions": {
            "type": "object",
            "properties": {
                "samples": {"type": "integer", "minimum": 0},
                **{key: _NUMBER_OR_NULL for key in ("load_min", "load_median", "load_max", "calibration_ns")},
                "calibrated_by": {"enum": [conditions.WORKERS, conditions.THREAD]},
            },
        },
        "against": {
            "type": "object",
            "properties": {"revision": _TEXT, "commit": _TEXT, "left_out": _NAMES},
        },
        "executed": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": _NAMES},
        },
        "changed": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": _TEXT, "function": _TEXT},
                "required": ["path", "function"],
            },
        },
        "shard": {
            "type": "object",
            "properties": {
                "index": {"type": "integer", "minimum": 1},
                "count": {"type": "integer", "minimum": 1},
                "selection": _TEXT_OR_NULL,
            },
            "required": ["index", "count"],
        },
        "merged_from": {"type": "array", "items": {"type": "object"}},
        "machines": {"type": "object", "additionalProperties": _TEXT_OR_NULL},
        "side": _TEXT,
    },
}
"""What pipebench reads of a run's metadata, and the types it reads them as (JSON Schema).

Fields it does not read may hold anything: a run keeps what its tools reported.
"""

_VALIDATOR = jsonschema.Draft202012Validator(METADATA_SCHEMA)


def _checked_metadata(metadata: Any) -> dict[str, Any]:
    """The run's metadata, every field pipebench reads checked against :data:`METADATA_SCHEMA`.

    Raises:
        TypeError: a field is not what a run writes; the message names it.
    """
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(metadata))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path)
        value = json.dumps(error.instance)
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise TypeError(f"metadata{' ' + where if where else ''}: {shown} is not {_expected(error)}")
    return dict(metadata)


# JSON Schema's type names, as the one-line errors say them.
_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _expected(error: jsonschema.exceptions.ValidationError) -> str:
    """What the schema wanted, in words."""
    wanted = error.schema
    if error.validator == "type":
        kinds = wanted["type"] if isinstance(wanted["type"], list) else [wanted["type"]]
        return " or ".join(_TYPE_WORDS[kind] for kind in kinds)
    if error.validator == "enum":
        return "one of " + ", ".join(map(str, wanted["enum"]))
    if error.validator == "pattern":
        return "an ISO 8601 time"
    if error.validator == "required":
        return "complete (" + error.message.split(" is a required", 1)[0] + " is missing)"
    if error.validator == "anyOf":
        return " or ".join(_kind(option) for option in wanted["anyOf"])
    return f"valid ({error.validator} {json.dumps(error.validator_value)[:30]})"


def _kind(schema: Mapping[str, Any]) -> str:
    if schema.get("type") == "array" and schema.get("minItems") == schema.get("maxItems") is not None:
        return f"a list of {schema['minItems']}"
    return _TYPE_WORDS.get(str(schema.get("type")), str(schema.get("type")))


def _check_suites(metadata: Mapping[str, Any], rows: Sequence[Row]) -> None:
    """Each described suite's axes are numeric parameters of its rows, its swept axes among them.

    Raises:
        ValueError: they are not; the message names the suite and the axis.
    """
    for name, described in (metadata.get("suites") or {}).items():
        suite_rows = [row for row in rows if row.suite == name]
        if not suite_rows:
            continue
        variant_axis = described.get("variant_axis")
        for axis in described.get("axes", ()):
            numeric = all(
                not isinstance(row.params.get(axis), bool) and isinstance(row.params.get(axis), int | float)
                for row in suite_rows
            )
            if axis == variant_axis or not numeric:
                raise ValueError(f"metadata suites.{name}.axes: {axis!r} is not a numeric parameter of its cases")
        stray = [axis for axis in described.get("swept", ()) if axis not in described.get("axes", ())]
        if stray:
            raise ValueError(f"metadata suites.{name}.swept: {stray[0]!r} is not one of its axes")
        if variant_axis is not None and any(
            row.params.get(variant_axis, row.variant) != row.variant for row in suite_rows
        ):
            raise ValueError(f"metadata suites.{name}: a case's {variant_axis!r} is not its variant")


def _measured(
    metric: str,
    clusters: Sequence[Sequence[float]],
    tool: str,
    tool_version: str,
    interval: Interval | None,
    reference: str | None,
) -> dict[str, Any]:
    """A row's fields other than its case's: the metric, its unit, the samples by process and their summary."""
    samples = [value for cluster in clusters for value in cluster]
    return {
        "metric": metric,
        "unit": METRICS[metric].unit,
        "tool": tool,
        "tool_version": tool_version,
        "summary": summarize(samples),
        "samples": tuple(samples),
        "sample_groups": tuple(len(cluster) for cluster in clusters if len(cluster)),
        "ci": (interval.low, interval.high) if interval is not None else None,
        "confidence": interval.confidence if interval is not None else None,
        "estimate": interval.estimate if interval is not None else None,
        "reference": reference,
    }


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

    The unit comes from :data:`pipebench.metrics.METRICS`.
    """
    return Row(
        case_id=case.id,
        suite=case.suite,
        variant=case.variant,
        group=case.group,
        params=case.param_dict,
        **_measured(metric, clusters, tool, tool_version, interval, reference),
    )


def row_beside(
    row: Row,
    metric: str,
    clusters: Sequence[Sequence[float]],
    *,
    tool: str,
    tool_version: str,
    interval: Interval | None = None,
    reference: str | None = None,
) -> Row:
    """A row of ``metric`` for ``row``'s case, from samples derived from its own (a ratio, say)."""
    return Row(
        case_id=row.case_id,
        suite=row.suite,
        variant=row.variant,
        group=row.group,
        params=row.params,
        **_measured(metric, clusters, tool, tool_version, interval, reference),
    )


@dataclass(frozen=True)
class RunResults:
    """Everything a run measured: its id, where and how, and the rows."""

    run_id: str
    metadata: Mapping[str, Any]
    rows: tuple[Row, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The run as plain JSON-ready data, with its schema name and version."""
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
            raise ValueError(
                f"results schema version {version!r}, this pipebench reads {SCHEMA_VERSION}: "
                "re-measure with this pipebench (`pipebench run ... --out DIR`)"
            )
        try:
            if not isinstance(data["rows"], list):
                raise TypeError("rows is not a list")
            if len(data["rows"]) > MAX_ROWS:
                raise ValueError(
                    f"{len(data['rows']):,} rows, more than the {MAX_ROWS:,} a run may hold "
                    "(the full matrix with every metric is about 1,000)"
                )
            rows = tuple(Row.from_dict(row) for row in data["rows"])
            seen: set[tuple[str, str]] = set()
            for row in rows:
                if (row.case_id, row.metric) in seen:
                    raise ValueError(f"{row.case_id} {row.metric} appears twice")
                seen.add((row.case_id, row.metric))
            metadata = _checked_metadata(data["metadata"])
            _check_suites(metadata, rows)
            return cls(safe_name(data["run_id"], "run id"), metadata, rows)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ValueError(f"malformed results: {type(error).__name__}: {error}") from None
