"""``pipebench run``'s engine: time, memory and counts for selected cases, into a run directory.

Time, memory and counts are measured in separate processes and passes (tracking memory
slows code down several times, counting under valgrind fifty). The run directory is marked incomplete from its creation
until the tidy results are written, so an interrupted run (Ctrl-C, a crashed worker)
never looks complete.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipebench import conditions, provenance, store
from pipebench.cases import Case
from pipebench.counts import bytecodes, cycles
from pipebench.counts import runner as counts
from pipebench.errors import UsageError
from pipebench.executed import changes
from pipebench.executed import runner as executed
from pipebench.matrix import SUITES, all_cases, groups_of
from pipebench.memory import runner as memory
from pipebench.processes import HARNESS, HEAD, MEASURED, Code, module_output
from pipebench.proof import runner as proof
from pipebench.results import Row, RunResults
from pipebench.timing import runner as timing

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunRequest:
    """What to measure and where to put it."""

    cases: Sequence[Case]
    size: str = "quick"
    time: bool = True
    memory: bool = True
    instructions: bool = False
    cycles: bool = False
    """Count with a simulated cache too (it implies ``instructions``)."""
    out: Path | None = None
    runs_root: Path = store.DEFAULT_RUNS_ROOT
    flamegraphs: Sequence[str] = ()
    jobs: int = 2
    shard: tuple[int, int] | None = None
    selection: str | None = None
    """With ``shard``: the digest of the whole selection the shard was cut from."""
    against: str | None = None
    """A/B: also measure this revision's code, side by side with the working tree's."""

    @property
    def counted(self) -> bool:
        """Whether the run counts under valgrind: for instructions, or for estimated cycles too."""
        return self.instructions or self.cycles


def planned_steps(request: RunRequest) -> int:
    """How many progress steps the run will report: proofs and timing processes by group, the rest by case."""
    groups = groups_of(request.cases, all_cases(request.size))
    sides = 1 if request.against is None else 2
    per_case = int(request.memory) + 2 * int(request.counted)  # counted, then its bytecodes traced
    timed = timing.PLANS[request.size].processes if request.time else 0
    traced = int(request.against is not None)
    return len(groups) * (sides + traced + timed) + len(request.cases) * per_case * sides


def method(request: RunRequest) -> dict:
    """How this run measures: the method's version and the plans it followed."""
    return {
        "version": provenance.METHOD_VERSION,
        "timing": asdict(timing.PLANS[request.size]) if request.time else None,
        "gc": "collected once before a group's values, paused while they are timed",
        "clock": "CPU time of the measuring thread (time.thread_time); of the process for threaded suites",
        "counting": asdict(counts.PLAN) if request.counted else None,
    }


def run_metadata(request: RunRequest, valgrind: str | None) -> dict[str, Any]:
    """What the run stores about itself.

    Where it ran (:func:`pipebench.provenance.collect`), how it measured, its shard, its suites'
    descriptions and, when it counts, what the counts depend on. An A/B run adds which
    functions each case executes (``executed``) and which changed since the base
    (``changed``): the trace is of no use without the changes, and over the quick matrix,
    whose cases reach 100,000 records, it took 28 s.
    """
    info = provenance.collect(request.size)
    info["method"] = method(request)
    if request.shard is not None:
        info["shard"] = {"index": request.shard[0], "count": request.shard[1], "selection": request.selection}
    info["suites"] = {
        name: SUITES[name].describe(request.size) for name in dict.fromkeys(c.suite for c in request.cases)
    }
    if valgrind is not None:
        info["counts"] = counts.fingerprint(
            info["cpu_model"], cycles.MODEL if request.cycles else None, recompiled=True
        )
    return info


@dataclass(frozen=True)
class RunOutcome:
    """Where a finished run is, what it measured, and the flame graphs it wrote."""

    run_dir: Path
    results: RunResults
    flamegraphs: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()


def execute(request: RunRequest, progress: Progress | None = None) -> RunOutcome:
    """Measure, store and return the run directory, its results and its flame graphs.

    Raises:
        UsageError: nothing to measure, or a flame graph asked for a case not measured.
        pipebench.errors.BenchError: a worker failed; the run directory stays marked incomplete.
    """
    if not (request.time or request.memory or request.counted):
        raise UsageError("nothing to measure: --no-time and --no-memory without --instructions")
    if request.flamegraphs and not request.memory:
        raise UsageError("--flamegraph needs the memory measurement")
    if request.jobs < 1:
        raise UsageError(f"--jobs {request.jobs}: at least 1 process is needed")
    if request.against is not None and request.shard is not None:
        raise UsageError("--against and --shard: an A/B run measures both sides of every group on one machine")
    if request.out is not None:
        store.check_new_run_dir(request.out)
    flame_cases = _flamegraph_cases(request)
    valgrind = counts.valgrind_version() if request.counted else None
    groups = groups_of(request.cases, all_cases(request.size))
    if request.against is not None:
        return _execute_ab(request, groups, valgrind, progress)
    proof.prove(groups, request.size, request.jobs, progress)
    run = store.RunWriter.new(run_metadata(request, valgrind), out=request.out, runs_root=request.runs_root)
    rows: list[Row] = []
    suite = None
    with conditions.Watch() as watched:
        if request.time:
            with run.scratch() as scratch:
                suite = timing.measure(groups, timing.PLANS[request.size], request.size, scratch, progress)
            run.write_pyperf(suite)
            rows += timing.rows(suite, groups)
        rows += _untimed(request, _members(groups), run, valgrind, HEAD, progress)
    flamegraphs = [memory.flamegraph(case, run.tool_dir(store.MEMRAY_DIR)) for case in flame_cases]
    measured = watched.summary(timing.calibration_ns(suite))
    return RunOutcome(run.run_dir, run.finish(rows, conditions=measured), tuple(flamegraphs))


def _members(groups: Sequence[Sequence[Case]]) -> list[Case]:
    """Every case of ``groups``: the selected ones and the references added beside them."""
    return [case for group in groups for case in group]


def _untimed(
    request: RunRequest,
    cases: Sequence[Case],
    run: store.RunWriter,
    valgrind: str | None,
    code: Code,
    progress: Progress | None,
) -> list[Row]:
    """Memory and counts of ``cases`` on one side, into ``run``'s tool directories.

    ``cases`` holds each group's reference even when the selection left it out: a
    variant's memory and counts are read against its reference's, as its time is.
    """
    rows: list[Row] = []
    if request.memory:
        directory = run.tool_dir(store.MEMRAY_DIR)
        figures = memory.measure(cases, request.size, directory, request.jobs, progress, code)
        rows += memory.rows(cases, figures)
    if valgrind is not None:
        directory = run.tool_dir(store.CALLGRIND_DIR)
        cache = cycles.MODEL if request.cycles else None
        figures = counts.measure(cases, request.size, directory, request.jobs, progress, code, cache)
        rows += counts.rows(cases, figures, valgrind)
        # Beside each profile, the Python functions' own bytecodes: what explain names.
        bytecodes.measure(cases, request.size, directory, request.jobs, progress, code)
    return rows


def _execute_ab(
    request: RunRequest, groups: Sequence[Sequence[Case]], valgrind: str | None, progress: Progress | None
) -> RunOutcome:
    """Both sides of an A/B run: the working tree (head) and ``request.against`` (base), in one run directory.

    The base side is the head's harness over the base revision's measured code, from a
    temporary worktree removed afterwards. Time is taken in lock-step
    (:func:`pipebench.timing.runner.measure_ab`); memory and counts side by side.
    """
    commit = provenance.resolve_revision(request.against)
    with provenance.worktree(commit) as tree, tempfile.TemporaryDirectory(prefix="pipebench-base-") as links:
        base = Code.linked(Path(links) / "code", tree)
        groups, lacking = _groups_at_base(request, groups, base, commit)
        cases = [case for case in request.cases if any(case in group for group in groups)]
        request = dataclasses.replace(request, cases=cases)
        proof.prove(groups, request.size, request.jobs, progress)
        proof.prove(groups, request.size, request.jobs, progress, code=base, side=f" at {commit[:7]}")
        info = run_metadata(request, valgrind)
        info["against"] = {"revision": request.against, "commit": commit[:7], "left_out": lacking}
        info["executed"] = executed.trace(groups, request.size, request.jobs, progress)
        changed = changes.changed_functions(provenance.PACKAGE_ROOT, commit, list(MEASURED.values()))
        info["changed"] = [{"path": change.path, "function": change.function} for change in changed]
        run = store.RunWriter.new(info, out=request.out, runs_root=request.runs_root)
        base_info = {key: value for key, value in info.items() if key not in ("against", "executed", "changed")}
        base_info.update(commit=commit[:7], dirty=False, patch=None, side="base")
        base_run = store.RunWriter(run.run_dir / store.BASE_DIR, store.run_id(base_info), base_info)
        rows: list[Row] = []
        base_rows: list[Row] = []
        head_suite = base_suite = None
        with conditions.Watch() as watched:
            if request.time:
                with run.scratch() as scratch:
                    head_suite, base_suite = timing.measure_ab(
                        groups, timing.PLANS[request.size], request.size, scratch, base, progress
                    )
                run.write_pyperf(head_suite)
                base_run.write_pyperf(base_suite)
                rows += timing.rows(head_suite, groups)
                rows += timing.ab_rows(head_suite, base_suite, [case for group in groups for case in group])
                base_rows += timing.rows(base_suite, groups)
            rows += _untimed(request, _members(groups), run, valgrind, HEAD, progress)
            base_rows += _untimed(request, _members(groups), base_run, valgrind, base, progress)
        base_run.finish(base_rows, conditions=watched.summary(timing.calibration_ns(base_suite)))
        notes = [f"not at {commit[:7]}, so not measured: {', '.join(lacking)}"] if lacking else []
        measured = watched.summary(timing.calibration_ns(head_suite))
        return RunOutcome(run.run_dir, run.finish(rows, conditions=measured), notes=tuple(notes))


def _groups_at_base(
    request: RunRequest, groups: Sequence[Sequence[Case]], base: Code, commit: str
) -> tuple[list[Sequence[Case]], list[str]]:
    """The groups whose every case the base revision has, and the selected cases it lacks.

    A case new in the working tree (a variant the base's code does not have) has nothing
    to be compared with; its whole group is left out, since each side's ratios need the
    same cases.

    Raises:
        UsageError: the base has none of the selected groups.
    """
    size = "--full" if request.size == "full" else "--quick"
    listed = module_output(HARNESS, ["list", "--format", "json", size], f"listing the cases at {commit[:7]}", code=base)
    known = {case["id"] for case in json.loads(listed)}
    kept = [group for group in groups if all(case.id in known for case in group)]
    lacking = [case.id for case in request.cases if case.id not in known]
    if not kept:
        raise UsageError(f"--against {request.against}: {commit[:7]} has none of the selected cases' groups")
    return kept, lacking


def _flamegraph_cases(request: RunRequest) -> list[Case]:
    chosen = []
    for wanted in request.flamegraphs:
        match = [case for case in request.cases if case.id == wanted]
        if not match:
            raise UsageError(f"--flamegraph {wanted}: not among the selected cases")
        chosen += match
    return chosen
