"""What changed between two runs' counts of a case, function by function (:mod:`pipebench.explain.render` prints it).

Each run counted with ``--instructions`` keeps callgrind's profile of every case (two
calls of its workload, in ``callgrind/``). Set side by side, the two profiles say where a
moved count went: per record, the change in each function's own instructions, in the
calls it received and in the allocator calls it made. Function names are those callgrind
sees: the interpreter's C functions (``deque_append``, ``list_append``,
``_PyEval_EvalFrameDefault``...). The Python functions are named from the bytecodes
each executed, traced beside the profile (:mod:`pipebench.counts.bytecodes`). The changes
are exact: counts repeat to the instruction, so a function that moved by +4.0 calls per
record was called four more times.
Profiles counted with a simulated cache (``run --cycles``) also give each function's own
estimated cycles, so a change that only moved cache misses is found where it happened.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipebench import store
from pipebench.counts import bytecodes, callgrind, cycles
from pipebench.counts.runner import PLAN
from pipebench.errors import UsageError
from pipebench.metrics import INSTRUCTIONS, INSTRUCTIONS_PER_RECORD
from pipebench.results import RunResults

# Changes smaller than these, per record, are not listed: below them is rounding of the
# two calls' difference, not a change of the code.
INSTRUCTIONS_FLOOR = 0.5
CALLS_FLOOR = 0.005
# A kept profile covers the calls between the count plan's two dumps.
CALLS = PLAN.calls[1] - PLAN.calls[0]


def per_record(count: float, records: float) -> float:
    """A profile's count as per call, per record."""
    return count / CALLS / records


@dataclass(frozen=True)
class FunctionChange:
    """One function's change between BASE and CURRENT, per record."""

    function: str
    instructions: float
    calls: float
    allocations: float
    cycles: float | None = None
    """Its own estimated cycles' change, where both profiles simulated the cache."""


@dataclass(frozen=True)
class BytecodeChange:
    """One Python function's own bytecodes per record, in BASE and in CURRENT."""

    function: str
    base: float
    current: float

    @property
    def change(self) -> float:
        """CURRENT's bytecodes per record less BASE's."""
        return self.current - self.base


@dataclass(frozen=True)
class Explanation:
    """A case's whole change per record, and the functions it came from, largest first."""

    case_id: str
    instructions: float
    allocations: float
    functions: tuple[FunctionChange, ...]
    cycles: float | None = None
    """The case's estimated cycles' change, where both profiles simulated the cache."""
    per: str = "record"
    """What the figures are per: ``record``, or ``call`` for a case that has no records (a pytest-benchmark test)."""
    python: tuple[BytecodeChange, ...] | None = None
    """The Python functions whose own bytecodes moved, largest change first; None where a run traced none."""


def own_cycles(cost: callgrind.FunctionCost | callgrind.Profile) -> float | None:
    """A function's own (or a whole profile's) estimated cycles; None when counted without cache simulation."""
    events = cost.totals if isinstance(cost, callgrind.Profile) else cost.self_events
    try:
        l1_misses, ll_misses = cycles.misses(events)
    except KeyError:
        return None
    return cycles.estimate(events[callgrind.INSTRUCTIONS_EVENT], l1_misses, ll_misses)


def function_changes(
    base: callgrind.Profile,
    current: callgrind.Profile,
    base_records: float,
    current_records: float,
    by: str = "instructions",
) -> list[FunctionChange]:
    """Every function whose counts per record moved past the floors, the largest change first.

    ``by="cycles"`` (profiles with cache simulation) ranks by own estimated cycles, and a
    function whose misses alone moved is listed too.
    """
    empty = callgrind.FunctionCost("")
    simulated = own_cycles(base) is not None and own_cycles(current) is not None
    if by == "cycles" and not simulated:
        raise UsageError("--by cycles: both runs must be counted with a simulated cache (run --cycles)")
    out = []
    for name in set(base.functions) | set(current.functions):
        old, new = base.functions.get(name, empty), current.functions.get(name, empty)
        moved = {
            change: per_record(getattr(new, field), current_records) - per_record(getattr(old, field), base_records)
            for change, field in (
                ("instructions", "self_instructions"),
                ("calls", "calls"),
                ("allocations", "allocations"),
            )
        }
        if simulated:
            moved["cycles"] = per_record(own_cycles(new) or 0.0, current_records) - per_record(
                own_cycles(old) or 0.0, base_records
            )
        change = FunctionChange(function=name, **moved)
        if (
            abs(change.instructions) >= INSTRUCTIONS_FLOOR
            or abs(change.calls) >= CALLS_FLOOR
            or abs(change.allocations) >= CALLS_FLOOR
            or abs(change.cycles or 0.0) >= INSTRUCTIONS_FLOOR
        ):
            out.append(change)
    if by == "cycles":
        return sorted(out, key=lambda c: (-abs(c.cycles or 0.0), c.function))
    # Allocation changes first (they name where an object was added), then by instructions.
    return sorted(out, key=lambda c: (abs(c.allocations) < CALLS_FLOOR, -abs(c.instructions), c.function))


def bytecode_changes(
    base: dict[str, int], current: dict[str, int], base_records: float, current_records: float
) -> tuple[BytecodeChange, ...]:
    """Every Python function whose own bytecodes per call changed, the largest change per record first.

    Bytecodes repeat exactly from one traced call to the next, so any difference is the code's.
    """
    out = [
        BytecodeChange(name, base.get(name, 0) / base_records, current.get(name, 0) / current_records)
        for name in set(base) | set(current)
        if base.get(name, 0) != current.get(name, 0)
    ]
    return tuple(sorted(out, key=lambda change: (-abs(change.change), change.function)))


def top_by_own(profile: callgrind.Profile, top: int) -> tuple[int, list[callgrind.FunctionCost]]:
    """The profile's own instructions in all, and its ``top`` functions by own instructions."""
    total = sum(cost.self_instructions for cost in profile.functions.values())
    return total, sorted(profile.functions.values(), key=lambda cost: -cost.self_instructions)[:top]


def where_work_goes(profile: callgrind.Profile, top: int = 5) -> list[tuple[str, float]]:
    """The functions with the most own instructions, as shares of the whole, largest first."""
    total, ranked = top_by_own(profile, top)
    if total <= 0:
        return []
    return [(cost.name, cost.self_instructions / total) for cost in ranked]


def profiles_of(run: store.StoredRun) -> dict[str, callgrind.Profile]:
    """The callgrind profile of every case the run counted (none when it counted none)."""
    out = {}
    for case_id in counted_cases(run.results):
        try:
            out[case_id] = _profile(run.directory, case_id)
        except UsageError:
            continue  # a profile removed or damaged: the report goes on without it
    return out


def _records(run: RunResults, case_id: str) -> float | None:
    """The records of a call of the case, or None for a case counted per call only (a pytest-benchmark test)."""
    figures = {row.metric: row.summary.median for row in run.rows if row.case_id == case_id}
    if not figures.get(INSTRUCTIONS):
        raise UsageError(f"{run.run_id}: no instruction count of {case_id} (measure it with --instructions)")
    per_record = figures.get(INSTRUCTIONS_PER_RECORD)
    return figures[INSTRUCTIONS] / per_record if per_record else None


# A profile of one case is a few hundred KB; a "compressed profile" that inflates past this
# is not one, and is not read into memory.
MAX_PROFILE_BYTES = 256 * 2**20


def _profile(run_dir: Path, case_id: str) -> callgrind.Profile:
    """A case's kept profile: callgrind's file, or the same gzip-compressed (as the committed baseline keeps it)."""
    path = Path(run_dir) / store.CALLGRIND_DIR / store.case_file_name(case_id, ".callgrind.out")
    compressed = path.with_name(path.name + ".gz")
    if not path.is_file() and not compressed.is_file():
        raise UsageError(f"{run_dir}: no callgrind profile of {case_id} (measure it with --instructions)")
    try:
        if path.is_file():
            data = path.read_bytes()
        else:
            path = compressed
            with gzip.open(compressed) as stream:
                data = stream.read(MAX_PROFILE_BYTES + 1)
        if len(data) > MAX_PROFILE_BYTES:
            raise ValueError(f"larger than the {MAX_PROFILE_BYTES // 2**20} MiB a profile may be")
        return callgrind.parse(data.decode("utf-8", errors="replace"))
    except (OSError, EOFError, ValueError) as error:
        raise UsageError(f"{path}: {error}") from None


def counted_cases(run: RunResults) -> list[str]:
    """The cases a run counted, in its order."""
    return list(dict.fromkeys(row.case_id for row in run.rows if row.metric == INSTRUCTIONS))


def explain(
    base: store.StoredRun, current: store.StoredRun, case_ids: Sequence[str] = (), by: str = "instructions"
) -> list[Explanation]:
    """The explanation of every case asked for (by default: every counted case of both runs that moved).

    ``by`` ranks each case's functions: ``instructions`` (own) or ``cycles`` (own estimated cycles).

    Raises:
        UsageError: a run without counts, or a case either run did not count.
    """
    in_current = set(counted_cases(current.results))
    counted = [case for case in counted_cases(base.results) if case in in_current]
    if not counted:
        raise UsageError(
            f"{base.directory} and {current.directory} have no case counted in both (run with --instructions)"
        )
    for case_id in case_ids:
        if case_id not in counted:
            raise UsageError(f"{case_id}: not counted in both runs; counted in both: {', '.join(counted[:5])} ...")
    out = []
    for case_id in case_ids or counted:
        base_records, current_records = _records(base.results, case_id), _records(current.results, case_id)
        per = "record" if base_records is not None and current_records is not None else "call"
        if per == "call":
            base_records = current_records = 1.0
        old, new = _profile(base.directory, case_id), _profile(current.directory, case_id)
        instructions = per_record(new.instructions, current_records) - per_record(old.instructions, base_records)
        allocations = per_record(new.allocations, current_records) - per_record(old.allocations, base_records)
        changes = function_changes(old, new, base_records, current_records, by)
        old_cycles, new_cycles = own_cycles(old), own_cycles(new)
        estimated = (
            per_record(new_cycles, current_records) - per_record(old_cycles, base_records)
            if old_cycles is not None and new_cycles is not None
            else None
        )
        traced = bytecodes.kept(base.directory, case_id), bytecodes.kept(current.directory, case_id)
        python = None if None in traced else bytecode_changes(*traced, base_records, current_records)
        if case_ids or changes or python:
            out.append(
                Explanation(
                    case_id=case_id,
                    instructions=instructions,
                    allocations=allocations,
                    functions=tuple(changes),
                    cycles=estimated,
                    per=per,
                    python=python,
                )
            )
    return out
