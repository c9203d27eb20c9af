"""Reading what ``pipebench compare`` compares: pipebench runs, pytest-benchmark and pyperf files.

Every format becomes a :class:`Side`: its measurements keyed by benchmark id (a pipebench
case id, a pytest-benchmark ``fullname``, a pyperf benchmark name) and metric family, and
the machine it came from. A pytest-benchmark benchmark also answers to the pipebench case
id in its ``extra_info``, so it can be matched with a pipebench run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.errors import InputError
from bench.stats import summarize
from bench.store import load_run, read_json

# pipebench metrics compared, and the family whose threshold applies to each.
FAMILIES = {"time_per_record": "time", "peak_memory": "memory", "allocations": "allocations"}


@dataclass(frozen=True)
class Measure:
    """One benchmark's figures for one metric: samples, or summary statistics alone."""

    id: str
    metric: str
    family: str
    unit: str
    center: float
    samples: tuple[float, ...] = ()
    mean: float | None = None
    stdev: float | None = None
    n: int = 1
    exact: bool = False
    alias: str | None = None


@dataclass(frozen=True)
class Side:
    """One side of a comparison."""

    path: Path
    kind: str
    machine: str
    measures: dict[tuple[str, str], Measure] = field(default_factory=dict)
    ratios: dict[str, Measure] = field(default_factory=dict)

    def ids(self) -> set[str]:
        return {key[0] for key in self.measures}


def load_side(path: Path) -> Side:
    """Read ``path`` in whichever of the three formats it is.

    Raises:
        InputError: missing, unreadable, truncated, or of no known format; names the file.
    """
    path = Path(path)
    if path.is_dir() or path.name == "results.json":
        return _from_pipebench(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    data = read_json(path)
    if isinstance(data, Mapping) and isinstance(data.get("benchmarks"), list) and "machine_info" in data:
        return _from_pytest_benchmark(path, data)
    if isinstance(data, Mapping) and isinstance(data.get("benchmarks"), list) and "version" in data:
        return _from_pyperf(path)
    if isinstance(data, Mapping) and data.get("schema") == "pipebench-results":
        return _from_pipebench(path)
    raise InputError(f"{path}: neither a pipebench run, a pytest-benchmark JSON nor a pyperf JSON file")


def _from_pipebench(path: Path) -> Side:
    run = load_run(path)
    measures: dict[tuple[str, str], Measure] = {}
    ratios: dict[str, Measure] = {}
    for row in run.rows:
        if row.metric == "ratio_to_reference":
            ratios[row.case_id] = Measure(
                row.case_id, row.metric, "time", "ratio", row.summary.median, row.samples,
                row.summary.mean, row.summary.stdev, row.summary.n,
            )  # fmt: skip
        elif row.metric in FAMILIES:
            exact = row.tool == "memray"
            measures[(row.case_id, FAMILIES[row.metric])] = Measure(
                row.case_id, row.metric, FAMILIES[row.metric], row.unit, row.summary.median,
                () if exact else row.samples, row.summary.mean, row.summary.stdev, row.summary.n, exact,
            )  # fmt: skip
    machine = f"{run.metadata.get('machine')} / {run.metadata.get('cpu_model')}"
    return Side(path, "pipebench", machine, measures, ratios)


def _time_measure(name: str, seconds: Iterable[float], summary: Mapping[str, Any], extra: Mapping[str, Any]) -> Measure:
    """A time measure in ns/record when the benchmark says how many records a call handles.

    pipebench's own suites all do, so their figures compare across the three formats;
    other benchmarks stay in seconds per call.
    """
    records = extra.get("records") or extra.get("pipebench_records")
    scale, unit = (1e9 / float(records), "ns/record") if records else (1.0, "s")
    return Measure(
        name, "time", "time", unit, float(summary["median"]) * scale, tuple(float(x) * scale for x in seconds),
        float(summary["mean"]) * scale, float(summary["stdev"]) * scale, int(summary["n"]),
        alias=extra.get("case_id"),
    )  # fmt: skip


def _from_pytest_benchmark(path: Path, data: Mapping[str, Any]) -> Side:
    measures = {}
    try:
        for bench in data["benchmarks"]:
            stats = bench["stats"]
            summary = {"median": stats["median"], "mean": stats["mean"], "stdev": stats["stddev"], "n": stats["rounds"]}
            name = str(bench["fullname"])
            measures[(name, "time")] = _time_measure(
                name, stats.get("data", ()), summary, bench.get("extra_info") or {}
            )
        machine = machine_name(data["machine_info"])
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{path}: malformed pytest-benchmark file ({type(error).__name__}: {error})") from None
    return Side(path, "pytest-benchmark", machine, measures)


def machine_name(info: Mapping[str, Any]) -> str:
    """How a pytest-benchmark ``machine_info`` names its machine: host and CPU."""
    return f"{info.get('node')} / {(info.get('cpu') or {}).get('brand_raw', info.get('processor'))}"


def _from_pyperf(path: Path) -> Side:
    import pyperf

    try:
        suite = pyperf.BenchmarkSuite.load(str(path))
    except Exception as error:  # pyperf raises plain exceptions of several kinds on bad files
        raise InputError(f"{path}: malformed pyperf file ({type(error).__name__}: {error})") from None
    measures = {}
    machines = set()
    for bench in suite:
        values = tuple(bench.get_values())
        if not values:
            continue
        summary = summarize(values).as_dict()
        name = bench.get_name()
        metadata = bench.get_metadata()
        measures[(name, "time")] = _time_measure(name, values, summary, metadata)
        machines.add(f"{metadata.get('hostname')} / {metadata.get('cpu_model_name')}")
    return Side(path, "pyperf", " + ".join(sorted(machines)) or "unknown", measures)


def pytest_benchmark_side(benchmarks: Iterable[Any], machine: str) -> Side:
    """A side built from the benchmarks (``Metadata`` objects) of a running pytest-benchmark session."""
    measures = {}
    for bench in benchmarks:
        if bench.stats is None or not bench.stats.data:
            continue
        data = tuple(bench.stats.data)
        summary = summarize(data).as_dict()
        measures[(bench.fullname, "time")] = _time_measure(bench.fullname, data, summary, bench.extra_info)
    return Side(Path("<this pytest run>"), "pytest-benchmark", machine, measures)
