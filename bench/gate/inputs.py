"""Reading what ``pipebench compare`` compares: pipebench runs, pytest-benchmark and pyperf files.

Every format becomes a :class:`GateInput`: its measurements keyed by benchmark id (a pipebench
case id, a pytest-benchmark ``fullname``, a pyperf benchmark name) and metric family, and
the machine it came from. A pytest-benchmark benchmark also answers to the pipebench case
id in its ``extra_info``, so it can be matched with a pipebench run.

Timed values keep the structure they were taken in: a pipebench run's values by worker
process, a pyperf file's by run (a pyperf run is a process), and a pytest-benchmark
session's, which all come from one process, in contiguous batches of rounds, so that
rounds that shared a burst of load are not counted as independent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipebench.errors import InputError
from pipebench.executed.changes import ChangedFunction, not_measured
from pipebench.gate.data import GateInput, Measurement
from pipebench.metrics import METRICS, TIME_PER_RECORD
from pipebench.results import non_negative_number
from pipebench.stats import summarize
from pipebench.store import BASE_DIR, RESULTS_FILE, missing, open_run, read_json

TIME = METRICS[TIME_PER_RECORD].family
# A single pytest-benchmark session is cut into this many contiguous batches of rounds.
SESSION_BATCHES = 10


def checked(values: Iterable[Any], what: str, *, allow_zero: bool = False) -> tuple[float, ...]:
    """``values`` as floats, all finite and positive (or zero where allowed).

    Raises:
        ValueError: a value that is not a number, not finite, negative, or zero where a
            time or a ratio cannot be.
    """
    out = []
    for value in values:
        number = non_negative_number(value, what)
        if number == 0 and not allow_zero:
            raise ValueError(f"{what}: {value!r} is not a positive number")
        out.append(number)
    return tuple(out)


def batches(values: Sequence[float], count: int = SESSION_BATCHES) -> tuple[tuple[float, ...], ...]:
    """``values`` cut in order into at most ``count`` contiguous batches of near-equal size."""
    values = tuple(values)
    count = max(1, min(count, len(values) // 2 or 1))
    size, extra = divmod(len(values), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(values[start:end])
        start = end
    return tuple(part for part in out if part)


def load_gate_input(path: Path) -> GateInput:
    """Read ``path`` in whichever of the three formats it is.

    Raises:
        InputError: missing, unreadable, truncated, malformed, or of no known format; names the file.
    """
    path = Path(path)
    if path.is_dir() or path.name == "results.json":
        return _from_pipebench(path)
    if (reason := missing(path)) is not None:
        raise InputError(reason)
    data = read_json(path)
    try:
        if isinstance(data, Mapping) and isinstance(data.get("benchmarks"), list) and "machine_info" in data:
            return _from_pytest_benchmark(path, data)
        if isinstance(data, Mapping) and isinstance(data.get("benchmarks"), list) and "version" in data:
            return _from_pyperf(path)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as error:
        raise InputError(f"{path}: malformed benchmark file ({type(error).__name__}: {error})") from None
    if isinstance(data, Mapping) and data.get("schema") == "pipebench-results":
        return _from_pipebench(path)
    raise InputError(f"{path}: neither a pipebench run, a pytest-benchmark JSON nor a pyperf JSON file")


def load_ab(path: Path) -> tuple[GateInput, GateInput]:
    """The two sides of an A/B run (``pipebench run --against REV``): its base side and itself.

    Raises:
        InputError: ``path`` is not a finished A/B run.
    """
    path = Path(path)
    run_dir = path.parent if path.name == RESULTS_FILE else path
    if not (run_dir / BASE_DIR).is_dir():
        raise InputError(
            f"{path}: not an A/B run (measure one with `pipebench run --against REV`, or give BASE and CURRENT)"
        )
    return _from_pipebench(run_dir / BASE_DIR), _from_pipebench(run_dir)


def _from_pipebench(path: Path) -> GateInput:
    stored = open_run(path)
    run = stored.results
    measures: dict[tuple[str, str], Measurement] = {}
    ratios: dict[str, Measurement] = {}
    ab_ratios: dict[str, Measurement] = {}
    try:
        for row in run.rows:
            metric = METRICS[row.metric]
            if not metric.gated:
                continue
            clusters = tuple(tuple(cluster) for cluster in row.clusters)
            if metric.paired:
                checked(row.samples, f"{row.case_id} {row.metric}")
                (ratios if metric.against == "reference" else ab_ratios)[row.case_id] = Measurement(
                    id=row.case_id,
                    metric=row.metric,
                    family=metric.family,
                    unit=row.unit,
                    center=row.value,
                    clusters=clusters,
                    mean=row.summary.mean,
                    stdev=row.summary.stdev,
                    n=row.summary.n,
                )
            else:
                checked(row.samples or (row.summary.median,), f"{row.case_id} {row.metric}", allow_zero=metric.exact)
                measures[(row.case_id, metric.family)] = Measurement(
                    id=row.case_id,
                    metric=row.metric,
                    family=metric.family,
                    unit=row.unit,
                    center=row.summary.median,
                    clusters=() if metric.exact else clusters,
                    mean=row.summary.mean,
                    stdev=row.summary.stdev,
                    n=row.summary.n,
                    exact=metric.exact,
                )
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    machine = f"{run.metadata.get('machine')} / {run.metadata.get('cpu_model')}"
    return GateInput(
        path=path,
        kind="pipebench",
        machine=machine,
        measures=measures,
        ratios=ratios,
        ab_ratios=ab_ratios,
        not_measured=_not_measured(run.metadata),
        # Every pipebench method times CPU time: of the measuring thread, or of the process.
        clock="time.thread_time",
        metadata=run.metadata,
        run=stored,
    )


def _not_measured(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """The functions an A/B run found changed since its base that none of its cases executes.

    Their types were checked when the run was read (:data:`pipebench.results.METADATA_SCHEMA`).
    """
    changed = metadata.get("changed")
    if changed is None:
        return ()
    functions = [ChangedFunction(item["path"], item["function"]) for item in changed]
    return tuple(str(function) for function in not_measured(functions, metadata.get("executed") or {}))


def _time_measure(
    name: str, clusters: Sequence[Sequence[float]], summary: Mapping[str, Any], extra: Mapping[str, Any]
) -> Measurement:
    """A time measure in ns/record when the benchmark says how many records a call handles.

    pipebench's own suites all do, so their figures compare across the three formats;
    other benchmarks stay in seconds per call.
    """
    records = extra.get("records") or extra.get("pipebench_records")
    if records is not None and (not isinstance(records, int | float) or isinstance(records, bool) or records <= 0):
        raise ValueError(f"{name}: records {records!r} is not a positive number")
    scale, unit = (1e9 / float(records), "ns/record") if records else (1.0, "s")
    median, mean, stdev = (
        checked([summary[key]], f"{name} {key}", allow_zero=key == "stdev")[0] for key in ("median", "mean", "stdev")
    )
    checked([median, mean], f"{name} time")
    scaled = tuple(tuple(value * scale for value in checked(cluster, f"{name} samples")) for cluster in clusters)
    case_id = extra.get("case_id")
    return Measurement(
        id=name,
        metric=TIME_PER_RECORD if records else "time per call",
        family=TIME,
        unit=unit,
        center=median * scale,
        clusters=scaled,
        mean=mean * scale,
        stdev=stdev * scale,
        n=int(checked([summary["n"]], f"{name} rounds")[0]),
        case_id=str(case_id) if case_id is not None else None,
    )


def _from_pytest_benchmark(path: Path, data: Mapping[str, Any]) -> GateInput:
    measures = {}
    for bench in data["benchmarks"]:
        stats = bench["stats"]
        summary = {"median": stats["median"], "mean": stats["mean"], "stdev": stats["stddev"], "n": stats["rounds"]}
        name = str(bench["fullname"])
        extra = bench.get("extra_info") or {}
        if not isinstance(extra, Mapping):
            raise TypeError(f"{name}: extra_info is not an object")
        measures[(name, TIME)] = _time_measure(name, batches(stats.get("data") or ()), summary, extra)
    info = data["machine_info"]
    if not isinstance(info, Mapping):
        raise TypeError("machine_info is not an object")
    timers = {str((bench.get("options") or {}).get("timer")) for bench in data["benchmarks"]} - {"None"}
    clock = timers.pop() if len(timers) == 1 else None
    return GateInput(path=path, kind="pytest-benchmark", machine=machine_name(info), measures=measures, clock=clock)


def machine_name(info: Mapping[str, Any]) -> str:
    """How a pytest-benchmark ``machine_info`` names its machine: host and CPU."""
    cpu = info.get("cpu")
    brand = cpu.get("brand_raw") if isinstance(cpu, Mapping) else None
    return f"{info.get('node')} / {brand or info.get('processor')}"


def _from_pyperf(path: Path) -> GateInput:
    import pyperf

    try:
        suite = pyperf.BenchmarkSuite.load(str(path))
    except Exception as error:  # pyperf raises plain exceptions of several kinds on bad files
        raise InputError(f"{path}: malformed pyperf file ({type(error).__name__}: {error})") from None
    measures = {}
    machines = set()
    for bench in suite:
        clusters = [list(run.values) for run in bench.get_runs() if run.values]
        values = [value for cluster in clusters for value in cluster]
        if not values:
            continue
        summary = summarize(checked(values, f"{bench.get_name()} values")).as_dict()
        name = bench.get_name()
        metadata = bench.get_metadata()
        measures[(name, TIME)] = _time_measure(name, clusters, summary, metadata)
        machines.add(f"{metadata.get('hostname')} / {metadata.get('cpu_model_name')}")
    return GateInput(path=path, kind="pyperf", machine=" + ".join(sorted(machines)) or "unknown", measures=measures)


def session_gate_input(benchmarks: Iterable[Any], machine: str, clock: str | None = None) -> GateInput:
    """A side built from the benchmarks (``Metadata`` objects) of a running pytest-benchmark session.

    ``clock``: the session's timer (``--benchmark-timer``).
    """
    measures = {}
    for bench in benchmarks:
        if bench.stats is None or not bench.stats.data:
            continue
        data = tuple(bench.stats.data)
        summary = summarize(data).as_dict()
        measures[(bench.fullname, TIME)] = _time_measure(bench.fullname, batches(data), summary, bench.extra_info)
    return GateInput(
        path=Path("<this pytest run>"), kind="pytest-benchmark", machine=machine, measures=measures, clock=clock
    )
