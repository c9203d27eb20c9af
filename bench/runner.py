"""``pipebench run``'s engine: time and memory for selected cases, into a run directory.

Time and memory are measured in separate processes and passes (tracking allocations
slows code down several times). The run directory is marked incomplete from its creation
until the tidy results are written, so an interrupted run (Ctrl-C, a crashed worker)
never looks complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import memory, metadata, store, timing
from bench.cases import Case
from bench.errors import UsageError
from bench.matrix import all_cases
from bench.results import Row, RunResults

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunRequest:
    """What to measure and where to put it."""

    cases: Sequence[Case]
    size: str = "quick"
    time: bool = True
    memory: bool = True
    out: Path | None = None
    runs_root: Path = store.DEFAULT_RUNS_ROOT
    flamegraphs: Sequence[str] = ()
    memory_jobs: int = 2


def planned_steps(request: RunRequest) -> int:
    """How many progress steps the run will report at most (worker processes and memory cases)."""
    groups = timing.groups_of(request.cases, all_cases(request.size)) if request.time else []
    return len(groups) * timing.PLANS[request.size].processes + (len(request.cases) if request.memory else 0)


def execute(request: RunRequest, progress: Progress | None = None) -> tuple[Path, RunResults]:
    """Measure, store and return the run directory and its results.

    Raises:
        UsageError: nothing to measure, or a flame graph asked for a case not measured.
        bench.errors.BenchError: a worker failed; the run directory stays marked incomplete.
    """
    if not (request.time or request.memory):
        raise UsageError("nothing to measure: --no-time and --no-memory together")
    if request.flamegraphs and not request.memory:
        raise UsageError("--flamegraph needs the memory measurement")
    flame_cases = _flamegraph_cases(request)
    info = metadata.collect(request.size)
    run_id = metadata.run_id(info)
    run_dir = store.start_run(request.out or store.new_run_dir(request.runs_root, run_id))
    info["time_plan"] = asdict(timing.PLANS[request.size]) if request.time else None
    rows: list[Row] = []
    if request.time:
        groups = timing.groups_of(request.cases, all_cases(request.size))
        suite = timing.measure(groups, timing.PLANS[request.size], request.size, progress)
        store.write_pyperf(run_dir, suite)
        rows += timing.rows(suite, groups)
    if request.memory:
        directory = run_dir / store.MEMRAY_DIR
        figures = memory.measure(request.cases, request.size, directory, request.memory_jobs, progress)
        rows += memory.rows(request.cases, figures)
        for case in flame_cases:
            memory.flamegraph(case, directory)
    results = RunResults(run_id, info, tuple(rows))
    store.finish_run(run_dir, results)
    return run_dir, results


def _flamegraph_cases(request: RunRequest) -> list[Case]:
    chosen = []
    for wanted in request.flamegraphs:
        match = [case for case in request.cases if case.id == wanted]
        if not match:
            raise UsageError(f"--flamegraph {wanted}: not among the selected cases")
        chosen += match
    return chosen
