"""The timing runner: pyperf data, measured in interleaved worker processes.

pyperf's own ``Runner`` measures one benchmark at a time, all its processes in a row, so
two variants are never measured side by side and slow drift on a shared machine lands on
whichever ran later. Here each comparison group (the variants of one suite at one
parameter set) is measured by several worker processes in turn
(:mod:`pipebench.timing.worker`), each interleaving the group's variants round by round in
rotating order. The values are pyperf ``Run`` objects with pyperf's metadata, merged into
one :class:`pyperf.BenchmarkSuite` that pyperf's own commands read. Paired ratios are
taken between the values of the same process and round, and their interval resamples
processes, then rounds (:func:`pipebench.stats.clustered_ratio_estimate`).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyperf

from pipebench.cases import Case
from pipebench.errors import BenchError
from pipebench.metrics import RATIO_TO_BASE, RATIO_TO_REFERENCE, TIME_PER_RECORD
from pipebench.processes import HEAD, Code, check_exit, run_module, single_threaded_environment, started
from pipebench.provenance import PIPEBENCH_VERSION
from pipebench.results import Row, make_row
from pipebench.stats import clustered_ratio_estimate, paired_ratios
from pipebench.timing.worker import CALIBRATION_KEY, LOOPS, ROUND, ROUND_KEY, RoundPlan


@dataclass(frozen=True)
class TimingPlan:
    """How much to measure: worker processes per group, rounds per process, value length.

    A plain run's group is timed by ``processes`` processes of ``rounds`` rounds, each
    case giving one value of at least ``min_time`` seconds a round. A group whose warm-up
    round lasts over ``heavy_round`` seconds (one call of the O(n*w) references at
    n=100,000 lasts over a second) takes ``heavy_rounds`` rounds in each of
    ``heavy_processes`` processes instead: its values are one call each, and every other
    process would cost it a warm-up call as long as a value. A plan's heavy groups hold as
    many values as its light ones (``processes * rounds == heavy_processes *
    heavy_rounds``): pyperf's t-test needs two benchmarks of equal length, and a group
    near the line (this project's longest light round 0.23 s, its shortest heavy one
    0.37 s, at rest) can fall on either side of it on another machine or under load, so
    ``python -m pyperf compare_to`` tests every benchmark of two runs of one plan.

    An A/B run, and pytest's paired groups (:mod:`pipebench.pytest.paired`), take their
    values in ``pairs`` pairs of processes by the ``short_*`` fields, as many short rounds
    as fit each group: an A/B run's head and base hold the same number of values
    benchmark by benchmark, so ``compare_to`` tests one side against the other; between
    two A/B runs a group whose warm-up fell either side of a round's budget can hold
    different numbers, and ``compare_to`` then shows that benchmark without its test.
    Short values are for pairs only: in a plain run (four processes of up to 24 rounds of
    2.5 ms, this project's VM at rest), they moved the C-level variants' ratios up from
    their 20 ms values' (scipy's window at n=10,000, w=10: 0.0388 against 0.0312, and
    0.0315 in pytest-benchmark's own loop; the vectorized pipeline at n=10,000, w=500:
    0.00210 against 0.00141 and 0.00127), where a pair's two sides share whatever the
    value's length does to them.
    """

    processes: int
    rounds: int
    min_time: float
    heavy_processes: int = 2
    heavy_rounds: int = 4
    heavy_round: float = 0.5
    warmups: int = 1
    pairs: int = 6
    short_rounds: int = 48
    short_min_time: float = 0.0025
    """Paired values (:func:`measure_ab`, :func:`short_round_plan`): up to this many rounds of values this short.

    A pair's two values of a case are taken one after the other, and a pair is only as
    good as the conditions they share: on this project's 2-core VM under CPU burners on
    both cores, its speed came and went in steps (records at n=10,000 at 1.2 or 2.4 ms a
    call from one value to the next), and a value that straddles a step makes a wild
    ratio. Short values straddle fewer. Records at n=10,000, the named tuple made 10%
    slower, three A/B runs a plan under the burners: six pairs of two 20 ms rounds gave
    head/base intervals a median 19-27% wide, six of eight 5 ms rounds 7%, six of sixteen
    2.5 ms rounds 4.5%, for the same 17-23 s of the group's timing. More rounds then
    narrow it further, more pairs less so (the same, the gate's patches applied, 3 runs
    each: the named tuple's interval 3.6-7.2% wide with 16 rounds, 2.2-4.9% with 48,
    2.7-5.0% with 16 rounds in 12 pairs), and the named tuple's 10% cleared a 5% threshold
    in 19 of 20 validation rounds with 48 (11 of 20 with 16). 48 rounds cost the records
    group about 15 s more (27-34 s against 43-51 s for the whole A/B run). A group whose round
    is longer (one call of the deque window at w=500) takes as many rounds as fit the
    same time, at least two.
    """

    def first_process(self) -> RoundPlan:
        """The first process's rounds: its warm-up round shows whether the group is heavy."""
        return RoundPlan(self.rounds, self.warmups, heavy_round=self.heavy_round, heavy_rounds=self.heavy_rounds)


PLANS = {
    # Five processes of two rounds rather than four of three: the spread between processes
    # is the larger one for paired ratios, and it takes processes to estimate it. 20 runs
    # of a group each on this project's VM at rest, the share of intervals (BCa) holding
    # the runs' median: the windows group at n=10,000, w=50, 59/60 with five processes,
    # 57/60 with six, 51/60 with four of three rounds; records at n=10,000 95/100 with
    # five. Heavy groups (a round over 0.3 s: the O(n*w) references at n=100,000), two
    # processes of five rounds, the light groups' ten values: 13 of the reference's long
    # calls a group (a calibration, two warm-ups, ten values), where two processes of six
    # rounds took 15, and six processes of two (the w=50 groups, under half a second a
    # round) 19. Two processes of four rounds (eight values) had covered stages 77/80,
    # windows at w=50 60/60 and at w=500 59/60, the pipeline at w=50 37/40, at rest.
    "quick": TimingPlan(processes=5, rounds=2, min_time=0.02, heavy_rounds=5, heavy_round=0.3),
    "full": TimingPlan(processes=8, rounds=3, min_time=0.05, heavy_processes=3, heavy_rounds=8, pairs=8),
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
            rounds = RoundPlan(len(result.get_benchmarks()[0].get_runs()[0].values), plan.warmups)
            if result.get_benchmarks()[0].get_metadata()[ROUND_KEY] > plan.heavy_round:
                # A heavy group: its long values from fewer processes.
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
        run_module("pipebench.timing.worker", [str(spec_path), str(output_path)], f"timing worker for {group}")
        return pyperf.BenchmarkSuite.load(str(output_path))
    finally:
        spec_path.unlink(missing_ok=True)
        output_path.unlink(missing_ok=True)


def short_round_plan(plan: TimingPlan, cases: int) -> RoundPlan:
    """The first process's rounds of short values: as many as fit the plan's time for a group of ``cases``."""
    budget = plan.short_rounds * plan.short_min_time * cases
    return RoundPlan(plan.short_rounds, plan.warmups, budget=budget)


def measure_ab(
    groups: Sequence[Sequence[Case]],
    plan: TimingPlan,
    size: str,
    scratch: Path,
    base: Code,
    progress: Progress | None = None,
) -> tuple[pyperf.BenchmarkSuite, pyperf.BenchmarkSuite]:
    """Time every group on both sides of an A/B run, the head's and the base's rounds in lock-step.

    Each of the plan's ``pairs`` is a pair of processes, a head worker and a base worker (``base``'s
    code) started together, each calibrating its own loops in its first pair; the driver
    then lets one value of one side be taken while the other waits, then the same case's
    value of the other (:class:`pipebench.timing.worker.Lockstep`), the side that goes
    first alternating. The plan's ``short_*`` fields set the values' length and the
    rounds; the first pair's two sides agree on how many (:func:`short_round_plan`, by the
    longer of their warm-up rounds), and every later pair takes as many, so both sides
    and every pair of a group hold the same number of values.

    Raises:
        BenchError: a worker failed.
    """
    suites: list[pyperf.BenchmarkSuite | None] = [None, None]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [None]
    for index, group in enumerate(groups):
        loops: list[dict | None] = [None, None]
        rounds = short_round_plan(plan, len(group))
        for process in range(plan.pairs):
            if progress is not None:
                progress(f"time {group[0].group} head and base ({process + 1}/{plan.pairs})")
            # Both sides of a pair on one vCPU: on a shared machine each vCPU's speed comes and
            # goes on its own (a loop pinned to each in turn took 12 or 20 ms on either, at
            # different moments), so two values a moment apart on two vCPUs need not agree.
            specs = [
                {
                    "size": size,
                    "cases": [case.id for case in group],
                    "rounds": asdict(rounds),
                    "rotation": process,
                    "min_time": plan.short_min_time,
                    "loops": loops[side],
                    "lockstep": True,
                    "cpu": cpus[process % len(cpus)],
                }
                for side in (0, 1)
            ]
            results = _lockstep_pair(scratch, f"g{index}-{process}", specs, (HEAD, base), group[0].group, process)
            for side, result in enumerate(results):
                if loops[side] is None:
                    loops[side] = {bench.get_name(): bench.get_metadata()["loops"] for bench in result}
                suites[side] = _joined(suites[side], result)
            rounds = RoundPlan(len(results[0].get_benchmarks()[0].get_runs()[0].values), plan.warmups)
    head, base_suite = suites
    if head is None or base_suite is None:
        raise BenchError("nothing to time")
    return head, base_suite


def _joined(suite: pyperf.BenchmarkSuite | None, result: pyperf.BenchmarkSuite) -> pyperf.BenchmarkSuite:
    if suite is None:
        return result
    for benchmark in result:
        suite.add_runs(benchmark)
    return suite


def _lockstep_pair(
    scratch: Path, tag: str, specs: Sequence[dict], codes: Sequence[Code], group: str, first: int
) -> list[pyperf.BenchmarkSuite]:
    """Run a head and a base worker of one group together, one round at a time each; return their suites."""
    paths = []
    for side, spec in zip(("head", "base"), specs):
        spec_path, output_path = scratch / f"{tag}-{side}.spec.json", scratch / f"{tag}-{side}.pyperf.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        paths.append((spec_path, output_path))
    what = [f"timing worker for {group} ({side})" for side in ("head", "base")]
    try:
        with contextlib.ExitStack() as stack:
            workers = [
                stack.enter_context(
                    started(
                        "pipebench.timing.worker", [str(a), str(b)], env=single_threaded_environment(code), code=code
                    )
                )
                for (a, b), code in zip(paths, codes)
            ]
            _drive(workers, first)
            for worker, name in zip(workers, what):
                _, stderr = worker.communicate()
                check_exit(worker, stderr, name)
        return [pyperf.BenchmarkSuite.load(str(output)) for _, output in paths]
    finally:
        for spec_path, output_path in paths:
            spec_path.unlink(missing_ok=True)
            output_path.unlink(missing_ok=True)


AGREEMENTS = tuple(f"{word} " for word in (LOOPS, ROUND))


def _drive(workers: Sequence[subprocess.Popen], first: int) -> None:
    """Let the workers take their values one at a time, alternating which side goes first, until both end.

    Where both sides say the same word of agreement (``loops`` once calibrated, ``round``
    once warmed up: :class:`pipebench.timing.worker.Lockstep`), each is answered with the
    larger of the two figures. A worker that stops speaking the protocol (it failed, or
    said a figure that is not one) ends the driving; closing the others' input (as
    ``communicate`` does next) stops them, and the exit codes tell.
    """
    said = [worker.stdout.readline().strip() for worker in workers]
    turn = first
    while all(word in ("wait", "end") or word.startswith(AGREEMENTS) for word in said):
        words = {word.partition(" ")[0] for word in said}
        if len(words) == 1 and said[0].startswith(AGREEMENTS):
            try:
                larger = _larger([json.loads(word.partition(" ")[2]) for word in said])
            except (ValueError, KeyError, TypeError):
                return  # a figure that is not one (or not the same kind on both sides): protocol broken
            answer = f"{words.pop()} {json.dumps(larger)}"
            said = [_told(worker, answer) for worker in workers]
            continue
        if "wait" not in said:
            return
        for side in (turn % 2, (turn + 1) % 2):
            if said[side] == "wait":
                said[side] = _told(workers[side], "go")
        turn += 1


def _larger(figures: Sequence) -> object:
    """The larger figure, or each key's larger figure where the figures are mappings."""
    if all(isinstance(figure, dict) for figure in figures):
        return {key: max(figure[key] for figure in figures) for key in figures[0]}
    return max(figures)


def _told(worker: subprocess.Popen, word: str) -> str:
    """Say ``word`` to a worker; return what it says next."""
    worker.stdin.write(word + "\n")
    worker.stdin.flush()
    return worker.stdout.readline().strip()


def calibration_ns(suite: pyperf.BenchmarkSuite | None) -> float | None:
    """The median of the timing processes' calibrations (:class:`pipebench.timing.worker.Speeds`).

    One figure a process, however many cases its group has; ``None`` when no process
    calibrated (data written before workers did).
    """
    figures, groups = [], set()
    for benchmark in suite or ():
        group = benchmark.get_metadata().get("pipebench_group")
        if group in groups:
            continue  # the group's other cases were timed by the same processes
        groups.add(group)
        figures += [run.get_metadata().get(CALIBRATION_KEY) for run in benchmark.get_runs()]
    figures = [figure for figure in figures if isinstance(figure, int | float)]
    return round(statistics.median(figures), 3) if figures else None


def run_values(benchmark: pyperf.Benchmark) -> list[list[float]]:
    """The values of each run (worker process) of a benchmark, in round order."""
    return [list(run.values) for run in benchmark.get_runs() if run.values]


def ab_rows(head: pyperf.BenchmarkSuite, base: pyperf.BenchmarkSuite, cases: Sequence[Case]) -> list[Row]:
    """Each case's head time over its base time, paired round by round within each pair of processes."""
    base_by_name = {bench.get_name(): bench for bench in base}
    out = []
    for benchmark in head:
        case = next((c for c in cases if c.id == benchmark.get_name()), None)
        if case is None:
            continue
        ratios = [
            paired_ratios(head_run, base_run)
            for head_run, base_run in zip(run_values(benchmark), run_values(base_by_name[case.id]), strict=True)
        ]
        out.append(
            make_row(
                case,
                RATIO_TO_BASE,
                ratios,
                tool="pipebench",
                tool_version=PIPEBENCH_VERSION,
                interval=clustered_ratio_estimate(ratios),
            )
        )
    return out


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
