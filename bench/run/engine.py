"""``pipebench run``'s engine: time, memory and counts for selected cases, into a run directory.

Time, memory and counts are measured in separate processes and passes (tracking memory
slows code down several times, counting under valgrind fifty). The run directory is marked incomplete from its creation
until the tidy results are written, so an interrupted run (Ctrl-C, a crashed worker)
never looks complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import provenance, store
from bench.cases import Case
from bench.counts import runner as counts
from bench.errors import UsageError
from bench.matrix import SUITES, all_cases, groups_of
from bench.memory import runner as memory
from bench.proof import runner as proof
from bench.results import Row, RunResults
from bench.timing import runner as timing

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunRequest:
    """What to measure and where to put it."""

    cases: Sequence[Case]
    size: str = "quick"
    time: bool = True
    memory: bool = True
    instructions: bool = False
    out: Path | None = None
    runs_root: Path = store.DEFAULT_RUNS_ROOT
    flamegraphs: Sequence[str] = ()
    jobs: int = 2
    shard: tuple[int, int] | None = None


def planned_steps(request: RunRequest) -> int:
    """How many progress steps the run will report: proofs and timing processes by group, the rest by case."""
    groups = groups_of(request.cases, all_cases(request.size))
    per_case = int(request.memory) + int(request.instructions)
    timed = timing.PLANS[request.size].processes if request.time else 0
    return len(groups) * (1 + timed) + len(request.cases) * per_case


def method(request: RunRequest) -> dict:
    """How this run measures: the method's version and the plans it followed."""
    return {
        "version": provenance.METHOD_VERSION,
        "timing": asdict(timing.PLANS[request.size]) if request.time else None,
        "gc": "collected once before a group's values, paused while they are timed",
        "clock": "CPU time of the measuring thread (time.thread_time); of the process for threaded suites",
        "counting": asdict(counts.PLAN) if request.instructions else None,
    }


def run_metadata(request: RunRequest, valgrind: str | None) -> dict[str, Any]:
    """What the run stores about itself.

    Where it ran (:func:`bench.provenance.collect`), how it measured, its shard, its suites'
    descriptions and, when it counts, what the counts depend on.
    """
    info = provenance.collect(request.size)
    info["method"] = method(request)
    if request.shard is not None:
        info["shard"] = {"index": request.shard[0], "count": request.shard[1]}
    info["suites"] = {
        name: SUITES[name].describe(request.size) for name in dict.fromkeys(c.suite for c in request.cases)
    }
    if valgrind is not None:
        info["counts"] = {"valgrind": valgrind, "interpreter": counts.build_identity(), "cpu": info["cpu_model"]}
    return info


@dataclass(frozen=True)
class RunOutcome:
    """Where a finished run is, what it measured, and the flame graphs it wrote."""

    run_dir: Path
    results: RunResults
    flamegraphs: tuple[Path, ...] = ()


def execute(request: RunRequest, progress: Progress | None = None) -> RunOutcome:
    """Measure, store and return the run directory, its results and its flame graphs.

    Raises:
        UsageError: nothing to measure, or a flame graph asked for a case not measured.
        bench.errors.BenchError: a worker failed; the run directory stays marked incomplete.
    """
    if not (request.time or request.memory or request.instructions):
        raise UsageError("nothing to measure: --no-time and --no-memory without --instructions")
    if request.flamegraphs and not request.memory:
        raise UsageError("--flamegraph needs the memory measurement")
    if request.jobs < 1:
        raise UsageError(f"--jobs {request.jobs}: at least 1 process is needed")
    flame_cases = _flamegraph_cases(request)
    valgrind = counts.valgrind_version() if request.instructions else None
    proof.prove(groups_of(request.cases, all_cases(request.size)), request.size, request.jobs, progress)
    run = store.RunWriter.new(run_metadata(request, valgrind), out=request.out, runs_root=request.runs_root)
    rows: list[Row] = []
    flamegraphs: list[Path] = []
    if request.time:
        groups = groups_of(request.cases, all_cases(request.size))
        with run.scratch() as scratch:
            suite = timing.measure(groups, timing.PLANS[request.size], request.size, scratch, progress)
        run.write_pyperf(suite)
        rows += timing.rows(suite, groups)
    if request.memory:
        directory = run.tool_dir(store.MEMRAY_DIR)
        figures = memory.measure(request.cases, request.size, directory, request.jobs, progress)
        rows += memory.rows(request.cases, figures)
        flamegraphs = [memory.flamegraph(case, directory) for case in flame_cases]
    if valgrind is not None:
        directory = run.tool_dir(store.CALLGRIND_DIR)
        figures = counts.measure(request.cases, request.size, directory, request.jobs, progress)
        rows += counts.rows(request.cases, figures, valgrind)
    results = run.finish(rows)
    return RunOutcome(run.run_dir, results, tuple(flamegraphs))


def _flamegraph_cases(request: RunRequest) -> list[Case]:
    chosen = []
    for wanted in request.flamegraphs:
        match = [case for case in request.cases if case.id == wanted]
        if not match:
            raise UsageError(f"--flamegraph {wanted}: not among the selected cases")
        chosen += match
    return chosen
