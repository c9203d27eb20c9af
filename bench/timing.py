"""The timing runner: pyperf data, measured in interleaved worker processes.

pyperf's own ``Runner`` measures one benchmark at a time, all its processes in a row, so
two variants are never measured side by side and slow drift on a shared machine lands on
whichever ran later. Here each comparison group (the variants of one suite at one
parameter set) is measured by ``processes`` worker processes in turn
(:mod:`bench.timing_worker`), each interleaving the group's variants round by round in
rotating order. The values are pyperf ``Run`` objects with pyperf's metadata, merged into
one :class:`pyperf.BenchmarkSuite` that pyperf's own commands read. Paired ratios are
taken between the values of the same process and round.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyperf

from bench.cases import Case
from bench.errors import BenchError
from bench.metadata import PIPEBENCH_VERSION
from bench.results import Row, make_row
from bench.stats import geometric_mean_interval, paired_ratios
from bench.timing_worker import RoundPlan
from bench.workers import run_module


@dataclass(frozen=True)
class TimingPlan:
    """How much to measure: worker processes per group, their rounds, and value length.

    A group whose round lasts longer than ``heavy_round`` seconds gets ``heavy_processes``
    processes instead of ``processes``: its values are long and steady, and the time is
    better spent on the short, noisy groups.
    """

    processes: int
    rounds: RoundPlan
    min_time: float
    heavy_round: float = 1.0
    heavy_processes: int = 2


PLANS = {
    "quick": TimingPlan(3, RoundPlan(warmups=1, min_rounds=2, max_rounds=10, budget=0.6), min_time=0.02),
    "full": TimingPlan(4, RoundPlan(warmups=1, min_rounds=2, max_rounds=12, budget=1.5), min_time=0.05),
}


def round_seconds(suite: pyperf.BenchmarkSuite) -> float:
    """The length of one round of a group, from its first process's warm-up values."""
    total = 0.0
    for benchmark in suite:
        warmups = benchmark.get_runs()[0].warmups or ()
        if warmups:
            loops, value = warmups[-1]
            total += loops * value
    return total


Progress = Callable[[str], None]


def groups_of(cases: Sequence[Case], all_known: Sequence[Case]) -> list[list[Case]]:
    """The comparison groups of ``cases``, each with its reference first.

    A group's reference is added when the selection left it out: a ratio needs it.
    """
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.group, [])
        if case not in groups[case.group]:
            groups[case.group].append(case)
    ordered = []
    for members in groups.values():
        reference = next((c for c in all_known if c.group == members[0].group and c.is_reference), None)
        if reference is not None and reference not in members:
            members.insert(0, reference)
        members.sort(key=lambda c: not c.is_reference)
        ordered.append(members)
    return ordered


def measure(
    groups: Sequence[Sequence[Case]], plan: TimingPlan, size: str, progress: Progress | None = None
) -> pyperf.BenchmarkSuite:
    """Measure every group; return the merged pyperf suite.

    Raises:
        BenchError: a worker process failed (its last error line is in the message).
    """
    suite: pyperf.BenchmarkSuite | None = None
    with tempfile.TemporaryDirectory(prefix="pipebench-timing-") as scratch:
        for group_index, group in enumerate(groups):
            loops: dict[str, int] | None = None
            processes = plan.processes
            process = 0
            while process < processes:
                if progress is not None:
                    progress(f"time {group[0].group} ({process + 1}/{processes})")
                spec = {
                    "size": size,
                    "cases": [case.id for case in group],
                    "rounds": asdict(plan.rounds),
                    # Each process starts the rotation elsewhere, so that over the processes
                    # every variant leads a round about equally often.
                    "rotation": process,
                    "min_time": plan.min_time,
                    "loops": loops,
                }
                result = _run_worker(Path(scratch), f"{group_index}-{process}", spec, group[0].group)
                if loops is None:
                    loops = {bench.get_name(): bench.get_metadata()["loops"] for bench in result}
                    if round_seconds(result) > plan.heavy_round:
                        skipped = processes - min(processes, plan.heavy_processes)
                        processes -= skipped
                        for _ in range(skipped):
                            if progress is not None:
                                progress(f"time {group[0].group} (long rounds: {processes} processes)")
                if suite is None:
                    suite = result
                else:
                    for benchmark in result:
                        suite.add_runs(benchmark)
                process += 1
    if suite is None:
        raise BenchError("nothing to time")
    return suite


def _run_worker(scratch: Path, tag: str, spec: dict, group: str) -> pyperf.BenchmarkSuite:
    spec_path, output_path = scratch / f"{tag}.spec.json", scratch / f"{tag}.pyperf.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    run_module("bench.timing_worker", [str(spec_path), str(output_path)], f"timing worker for {group}")
    return pyperf.BenchmarkSuite.load(str(output_path))


def run_values(benchmark: pyperf.Benchmark) -> list[list[float]]:
    """The values of each run (worker process) of a benchmark, in round order."""
    return [list(run.values) for run in benchmark.get_runs() if run.values]


def rows(suite: pyperf.BenchmarkSuite, groups: Sequence[Sequence[Case]]) -> list[Row]:
    """Tidy rows: time per record for every case, paired ratios for every non-reference."""
    version = pyperf.__version__
    by_name = {bench.get_name(): bench for bench in suite}
    out: list[Row] = []
    for group in groups:
        reference = next((case for case in group if case.is_reference), None)
        for case in group:
            benchmark = by_name[case.id]
            records = benchmark.get_metadata()["pipebench_records"]
            seconds = [value for run in run_values(benchmark) for value in run]
            per_record = [value * 1e9 / records for value in seconds]
            out.append(make_row(case, "time_per_record", per_record, tool="pyperf", tool_version=version))
            if reference is None or case is reference:
                continue
            ratios = [
                ratio
                for variant_run, reference_run in zip(
                    run_values(benchmark), run_values(by_name[reference.id]), strict=True
                )
                for ratio in paired_ratios(variant_run, reference_run)
            ]
            out.append(
                make_row(
                    case,
                    "ratio_to_reference",
                    ratios,
                    tool="pipebench",
                    tool_version=PIPEBENCH_VERSION,
                    interval=geometric_mean_interval(ratios),
                    reference=reference.id,
                )
            )
    return out
