"""The timing runner: pyperf data, measured in interleaved worker processes.

pyperf's own ``Runner`` measures one benchmark at a time, all its processes in a row, so
two variants are never measured side by side and slow drift on a shared machine lands on
whichever ran later. Here each comparison group (the variants of one suite at one
parameter set) is measured by several worker processes in turn
(:mod:`bench.timing.worker`), each interleaving the group's variants round by round in
rotating order. The values are pyperf ``Run`` objects with pyperf's metadata, merged into
one :class:`pyperf.BenchmarkSuite` that pyperf's own commands read. Paired ratios are
taken between the values of the same process and round, and their interval resamples
processes, then rounds (:func:`bench.stats.clustered_ratio_estimate`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyperf

from bench.cases import Case
from bench.errors import BenchError
from bench.metrics import RATIO_TO_REFERENCE, TIME_PER_RECORD
from bench.processes import run_module
from bench.provenance import PIPEBENCH_VERSION
from bench.results import Row, make_row
from bench.stats import clustered_ratio_estimate, paired_ratios
from bench.timing.worker import RoundPlan


@dataclass(frozen=True)
class TimingPlan:
    """How much to measure: worker processes per group, rounds per process, value length.

    Every benchmark of a run gets the same number of values, ``processes * rounds``, so
    that ``python -m pyperf compare_to`` can test any two runs for significance. A group
    whose round lasts longer than ``heavy_round`` seconds spreads those values over
    ``heavy_processes`` processes instead: its long values are steady, and each process
    costs it about 0.35 s of start-up, imports and inputs, and a warm-up call per case.
    Half a second per round is where fewer, longer processes start to save time.
    """

    processes: int
    rounds: int
    min_time: float
    heavy_processes: int = 2
    heavy_round: float = 0.5
    warmups: int = 1

    def __post_init__(self) -> None:
        if self.values % self.heavy_processes:
            raise ValueError("processes * rounds must divide evenly among heavy_processes")

    @property
    def values(self) -> int:
        """Values per benchmark."""
        return self.processes * self.rounds

    def first_process(self) -> RoundPlan:
        """The first process's rounds: it finds out whether the group is heavy."""
        return RoundPlan(self.rounds, self.warmups, self.heavy_round, self.values // self.heavy_processes)


PLANS = {
    # Six processes of two rounds rather than three of four: the spread between processes
    # is the larger one for paired ratios, and it takes processes to estimate it.
    "quick": TimingPlan(processes=6, rounds=2, min_time=0.02),
    "full": TimingPlan(processes=8, rounds=3, min_time=0.05, heavy_processes=3),
}

Progress = Callable[[str], None]


def measure(
    groups: Sequence[Sequence[Case]], plan: TimingPlan, size: str, scratch: Path, progress: Progress | None = None
) -> pyperf.BenchmarkSuite:
    """Measure every group; return the merged pyperf suite.

    ``scratch`` is an empty directory for the workers' files (inside the run directory, so
    that a run killed outright leaves nothing elsewhere); it is emptied as files are read.

    Raises:
        BenchError: a worker process failed (its last error line is in the message).
    """
    suite: pyperf.BenchmarkSuite | None = None
    for index, group in enumerate(groups):
        for result in _group_processes(scratch, f"g{index}", group, plan, size, progress):
            if suite is None:
                suite = result
                continue
            for benchmark in result:
                suite.add_runs(benchmark)
    if suite is None:
        raise BenchError("nothing to time")
    return suite


def _group_processes(
    scratch: Path, tag: str, group: Sequence[Case], plan: TimingPlan, size: str, progress: Progress | None
) -> Iterator[pyperf.BenchmarkSuite]:
    """Run one group's worker processes in turn, yielding the values of each."""
    rounds, loops = plan.first_process(), None
    processes, process = plan.processes, 0
    while process < processes:
        if progress is not None:
            progress(f"time {group[0].group} ({process + 1}/{processes})")
        spec = {
            "size": size,
            "cases": [case.id for case in group],
            "rounds": asdict(rounds),
            # Each process starts the rotation elsewhere, so that over the processes every
            # variant leads a round about equally often.
            "rotation": process,
            "min_time": plan.min_time,
            "loops": loops,
        }
        result = _run_worker(scratch, f"{tag}-{process}", spec, group[0].group)
        if loops is None:
            loops = {bench.get_name(): bench.get_metadata()["loops"] for bench in result}
            taken = len(result.get_benchmarks()[0].get_runs()[0].values)
            rounds = RoundPlan(taken, plan.warmups)
            if taken != plan.rounds:
                # A heavy group: the same number of values from fewer, longer processes.
                if progress is not None:
                    for _ in range(processes - plan.heavy_processes):
                        progress(f"time {group[0].group} (long rounds: {plan.heavy_processes} processes)")
                processes = plan.heavy_processes
        yield result
        process += 1


def _run_worker(scratch: Path, tag: str, spec: dict, group: str) -> pyperf.BenchmarkSuite:
    spec_path, output_path = scratch / f"{tag}.spec.json", scratch / f"{tag}.pyperf.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    try:
        run_module("bench.timing.worker", [str(spec_path), str(output_path)], f"timing worker for {group}")
        return pyperf.BenchmarkSuite.load(str(output_path))
    finally:
        spec_path.unlink(missing_ok=True)
        output_path.unlink(missing_ok=True)


def run_values(benchmark: pyperf.Benchmark) -> list[list[float]]:
    """The values of each run (worker process) of a benchmark, in round order."""
    return [list(run.values) for run in benchmark.get_runs() if run.values]


def rows(suite: pyperf.BenchmarkSuite, groups: Sequence[Sequence[Case]]) -> list[Row]:
    """Tidy rows: time per record for every case, paired ratios for every non-reference.

    Samples keep their process structure (``sample_groups``): values of one process share
    its conditions, so intervals resample processes first, then rounds within them.
    """
    version = pyperf.__version__
    by_name = {bench.get_name(): bench for bench in suite}
    out: list[Row] = []
    for group in groups:
        reference = next((case for case in group if case.is_reference), None)
        for case in group:
            benchmark = by_name[case.id]
            records = benchmark.get_metadata()["pipebench_records"]
            per_record = [[value * 1e9 / records for value in run] for run in run_values(benchmark)]
            out.append(make_row(case, TIME_PER_RECORD, per_record, tool="pyperf", tool_version=version))
            if reference is None or case is reference:
                continue
            ratios = [
                paired_ratios(variant_run, reference_run)
                for variant_run, reference_run in zip(
                    run_values(benchmark), run_values(by_name[reference.id]), strict=True
                )
            ]
            out.append(
                make_row(
                    case,
                    RATIO_TO_REFERENCE,
                    ratios,
                    tool="pipebench",
                    tool_version=PIPEBENCH_VERSION,
                    interval=clustered_ratio_estimate(ratios),
                    reference=reference.id,
                )
            )
    return out
