"""A timing worker process: one group of cases, interleaved, rotating order per round.

Run by :mod:`pipebench.timing.runner` as ``python -m pipebench.timing.worker SPEC OUTPUT``. SPEC is a
JSON file naming the matrix size, the case ids of one group, the round plan, the rotation
offset, the minimum time per value and, after the first process, the loop counts to
reuse. The worker builds every input first, then measures: a warm-up call per case, then
the plan's rounds (more of them, in fewer processes, for a group whose round is long),
each case giving one value per round, in an order rotated by one position from round to
round so that no variant always runs right after another.
It writes a pyperf BenchmarkSuite to OUTPUT: one benchmark per case, one run (this
process) whose values are in round order, so that value ``k`` of two cases of the group
was measured in the same round.
"""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pyperf

from pipebench import conditions
from pipebench.cases import Case
from pipebench.matrix import SUITES, all_cases, prepare
from pipebench.workloads import Workload

Clock = Callable[[], float]
# CPU time of the measuring thread, not wall time: on a shared machine, time spent
# waiting for a core is not the code's. Under a burner and a second job on two cores, a
# single 0.1 s call of the reference measured 10 or 19 ms per 1,000 records in wall time
# depending on whether it was descheduled, and a 20 ms value of another variant in the
# same round was not, so one paired ratio moved 1.8x. The thread's clock, not the
# process's: once numpy is loaded, OpenBLAS's helper threads spin for a while after
# start-up, and the process clock counted them inside whichever values ran then. A
# process's first round of the windows group measured the deque window at 16 or 32 ms
# for the same 33 ms of wall time, and its paired ratios spread from 0.23 to 1.23 where
# later rounds stayed within 0.44-0.49; with the thread's clock, the first round is as
# steady as the rest. A suite whose variants work in threads of their own declares it
# (``Suite.threaded``) and is timed by the process's clock (:func:`clock_for`).
CLOCK: Clock = time.thread_time
MAX_LOOPS = 2**20
# A first call can be several times slower than a warm one (fresh memory arenas, cold
# caches, a library's first-use set-up): only a first call this many times the minimum,
# and this long, settles the loops by itself. The floor is for short values: scipy's
# first window call at n=10,000 took over 25 ms where a warm one takes 0.6 ms, and with
# 2.5 ms values the multiple alone gave it one loop, values a quarter of the minimum.
COLD_ENOUGH = 10
COLD_SECONDS = 0.2


def clock_for(case: Case) -> Clock:
    """The clock ``case`` is timed by: :data:`CLOCK`, or the process's CPU time for a threaded suite."""
    return time.process_time if SUITES[case.suite].threaded else CLOCK


def time_func(workload: Workload, loops: int, clock: Clock = CLOCK) -> float:
    """Seconds taken by ``loops`` calls of the workload (pyperf's ``bench_time_func`` contract)."""
    run = workload.run
    started = clock()
    for _ in range(loops):
        run()
    return clock() - started


def calibrate(workload: Workload, min_time: float, clock: Clock = CLOCK) -> int:
    """The loop count that makes one value last at least ``min_time`` seconds.

    As pyperf does, the count doubles until a value is long enough, after one discarded
    call: a first call pays for cold caches and fresh memory arenas, and sizing the loops
    from it alone would make them too few.
    """
    with collector_paused():
        cold = time_func(workload, 1, clock)
        if cold >= max(COLD_ENOUGH * min_time, COLD_SECONDS):
            # Far longer than needed even allowing for a cold start: one loop per value, and
            # no second call of a workload that takes seconds.
            return 1
        loops = 1
        while True:
            elapsed = time_func(workload, loops, clock)
            if elapsed >= min_time or loops >= MAX_LOOPS:
                return loops
            # Jump close to the target instead of doubling through many short trials.
            loops = min(MAX_LOOPS, max(loops * 2, math.ceil(loops * min_time / max(elapsed, 1e-9) * 1.1)))


def rotated(items: Sequence[Any], offset: int) -> list[Any]:
    """``items`` rotated left by ``offset`` positions."""
    if not items:
        return []
    shift = offset % len(items)
    return list(items[shift:]) + list(items[:shift])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Collect, then pause the cyclic garbage collector for the block (as ``timeit`` does).

    With the collector running, a full collection falls inside a value or not depending
    on the loop count: building 10,000 plain objects measured 240 ns/record at 9 loops and
    334 at 10. Calibration differs from run to run, so the same code would time 40%
    apart. No workload here makes reference cycles, so pausing the collector holds no
    memory back; memory is measured elsewhere, with the collector on. A whole group's
    values share one pause: a collection with numpy and scipy loaded takes about 17 ms,
    as long as a value, and one before every value doubled the time a run took.
    """
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _value(workload: Workload, loops: int, clock: Clock) -> float:
    return time_func(workload, loops, clock) / loops


@dataclass(frozen=True)
class RoundPlan:
    """Rounds of one process, chosen once a warm-up round shows how long a round lasts.

    ``heavy_rounds`` when a warm-up round lasts over ``heavy_round`` s; otherwise, with a
    ``budget`` (seconds of rounds a process may spend), as many rounds as fit it, at least
    ``fewest`` and at most ``rounds``, and without one, ``rounds``: short values come
    many to a round, and a group whose one call is long takes fewer of them.
    The parent passes ``rounds`` alone to every process after the first, so that every
    process of a group takes the number of rounds the first one chose.
    """

    rounds: int
    warmups: int = 1
    heavy_round: float | None = None
    heavy_rounds: int | None = None
    budget: float | None = None
    fewest: int = 2

    def rounds_after(self, round_seconds: float) -> int:
        """The rounds to take once a warm-up round is known to last ``round_seconds``."""
        if self.heavy_round is not None and self.heavy_rounds is not None and round_seconds > self.heavy_round:
            return self.heavy_rounds
        if self.budget is not None:
            fit = int(self.budget / round_seconds) if round_seconds > 0 else self.rounds
            return max(min(self.fewest, self.rounds), min(self.rounds, fit))
        return self.rounds


def _no_wait() -> None:
    pass


@dataclass(frozen=True)
class Measured:
    """What a process measured of its group: warm-up and round values by case id, seconds per call."""

    warm: dict[str, list[float]]
    values: dict[str, list[float]]
    round_seconds: float
    """The length of a round its rounds were planned by (:meth:`RoundPlan.rounds_after`)."""


LOOPS, ROUND = "loops", "round"
"""The words of agreement a lock-step worker says, each with a JSON figure (:class:`Lockstep`)."""


def _alone(round_seconds: float) -> float:
    return round_seconds


@dataclass(frozen=True)
class Lockstep:
    """A worker's side of the lock-step protocol with the A/B driver, over its standard streams.

    An A/B run times the head's and the base's workers of a group in lock-step: the driver
    lets one value of one side be taken, then the same case's value of the other, so that
    every value of one side has one of the other taken a moment apart, under the same
    conditions. Value by value, not round by round: on a shared virtual machine whole
    stretches of a tenth of a second or more ran at half speed (every variant's values of
    a round of records at n=1,000 doubled together), so two rounds taken one after the
    other could fall on either side of such a stretch, and two values rarely do.
    """

    stdin: TextIO
    stdout: TextIO

    def step(self) -> None:
        """Wait for the driver's word before a value: ``wait`` out, then ``go`` in.

        Raises:
            SystemExit: the driver went away (its end of the pipe closed).
        """
        self._say("wait")
        if self.stdin.readline().strip() != "go":
            raise SystemExit("timing worker: the lock-step driver went away")

    def agree(self, round_seconds: float) -> float:
        """The round length both sides plan their rounds by: the longer of theirs, as the driver answers.

        Both sides must take the same rounds, and each only knows its own warm-up.

        Raises:
            SystemExit: the driver went away or answered out of turn.
        """
        return float(self._agreed(ROUND, round_seconds))

    def agree_loops(self, loops: dict[str, int]) -> dict[str, int]:
        """The loop counts both sides use: each case's larger count, as the driver answers.

        Both sides calibrate at once on one vCPU, so their counts differ (scipy's window at
        n=10,000, w=10: 14 loops on one side, 8 on the other). A value's fixed costs (the
        caches the other side's value left cold) then weigh on the side of fewer loops: in
        an A/A run of unchanged code that made scipy's head/base ratio 0.863. With the same
        loops, both sides carry the same share.

        Raises:
            SystemExit: the driver went away or answered out of turn.
        """
        return {case: int(count) for case, count in self._agreed(LOOPS, loops).items()}

    def _agreed(self, word: str, value: Any) -> Any:
        self._say(f"{word} {json.dumps(value)}")
        heard, _, answer = self.stdin.readline().strip().partition(" ")
        if heard != word:
            raise SystemExit("timing worker: the lock-step driver went away")
        return json.loads(answer)

    def _say(self, line: str) -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()


def lockstep(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> Lockstep:
    """This process's side of the lock-step protocol (:class:`Lockstep`)."""
    return Lockstep(stdin, stdout)


def measure_group(
    workloads: Sequence[Workload],
    loops: dict[str, int],
    plan: RoundPlan,
    rotation: int,
    clock: Clock = CLOCK,
    step: Callable[[], None] = _no_wait,
    agree: Callable[[float], float] = _alone,
    after_round: Callable[[], None] = _no_wait,
) -> Measured:
    """Warm-up and round values (seconds per call) for each case id of one group, and the round length planned by.

    A warm-up round calls each workload once: enough to warm its code and memory, since
    the first value then spreads whatever is still cold over its many loops, and at a
    fraction of a full round's cost. The last warm-up round, scaled by the loop counts,
    estimates how long a round lasts, which may make the group a heavy one (:class:`RoundPlan`).
    ``step`` runs before each warm-up round and each value, and ``agree`` turns this
    process's estimate into the one its rounds are planned by (:class:`Lockstep`);
    ``after_round`` runs after each round's values (:class:`Speeds`).
    """
    warm: dict[str, list[float]] = {w.case.id: [] for w in workloads}
    values: dict[str, list[float]] = {w.case.id: [] for w in workloads}
    round_seconds = 0.0
    with collector_paused():
        for _ in range(plan.warmups):
            step()
            round_seconds = 0.0
            for workload in workloads:
                value = _value(workload, 1, clock)
                warm[workload.case.id].append(value)
                round_seconds += value * loops[workload.case.id]
        planned_by = agree(round_seconds)
        for round_index in range(plan.rounds_after(planned_by)):
            for workload in rotated(workloads, rotation + round_index):
                step()
                values[workload.case.id].append(_value(workload, loops[workload.case.id], clock))
            after_round()
    return Measured(warm, values, planned_by)


CALIBRATION_KEY = "pipebench_calibration_ns"
"""The pyperf metadata key holding a timing process's median speed on the calibration loop."""
ROUND_KEY = "pipebench_round_seconds"
"""The pyperf metadata key holding the round length, in seconds, a process planned its rounds by."""


@dataclass
class Speeds:
    """The machine's speed as a timing process saw it: the calibration loop, once after every round.

    The run's own thread calibrated on whichever vCPU was free, while the workers it
    waited for shared theirs with the load: in runs whose records took twice as long
    under a burner, that thread's figure read 1.25x, and in another 1.0x where the
    records took 1.75x. Taken here, on the worker's vCPU, by its clock and between its
    values, the loop shares their conditions. About a millisecond a round, against the
    tenths of a second a round of values takes.
    """

    clock: Clock
    step: Callable[[], None] = _no_wait
    values: list[float] = field(default_factory=list)

    def __call__(self) -> None:
        """Take one calibration (after the lock-step driver's word, so the other side is idle)."""
        self.step()
        self.values.append(conditions.calibrate(self.clock, repeats=1))

    def median(self) -> float | None:
        """The median calibration in ns per iteration, ``None`` before any round."""
        return statistics.median(self.values) if self.values else None


def pyperf_metadata(case: Case, records: int, loops: int, clock: Clock = CLOCK) -> dict[str, Any]:
    """What a pyperf run of ``case`` carries: its name, loops, clock and every case parameter."""
    metadata: dict[str, Any] = {
        "name": case.id,
        "loops": loops,
        "unit": "second",
        "description": f"{case.suite}: {case.variant_axis}={case.variant}",
        "pipebench_suite": case.suite,
        "pipebench_group": case.group,
        "pipebench_records": records,
        "pipebench_clock": clock.__name__,
    }
    for name, value in case.params:
        metadata[f"pipebench_param_{name}"] = value
    return metadata


def main(argv: Sequence[str]) -> int:
    """Time the group named in the spec file ARGV[0]; write a pyperf suite to ARGV[1]."""
    spec_path, output_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    by_id = {case.id: case for case in all_cases(spec["size"])}
    workloads = [prepare(by_id[case_id]) for case_id in spec["cases"]]
    clock = clock_for(workloads[0].case)  # one suite per group, so one clock
    pair = lockstep() if spec.get("lockstep") else None
    loops = spec.get("loops")
    if loops is None:
        loops = {w.case.id: calibrate(w, spec["min_time"], clock) for w in workloads}
        loops = pair.agree_loops(loops) if pair is not None else loops
    step, agree = (pair.step, pair.agree) if pair is not None else (_no_wait, _alone)
    speeds = Speeds(clock, step)
    plan = RoundPlan(**spec["rounds"])
    measured = measure_group(workloads, loops, plan, spec["rotation"], clock, step, agree, speeds)
    benchmarks = []
    for workload in workloads:
        case_id = workload.case.id
        metadata = pyperf_metadata(workload.case, workload.records, loops[case_id], clock)
        metadata[ROUND_KEY] = measured.round_seconds
        if speeds.median() is not None:
            metadata[CALIBRATION_KEY] = round(speeds.median(), 3)
        run = pyperf.Run(
            measured.values[case_id],
            warmups=[(1, value) for value in measured.warm[case_id]],
            metadata=metadata,
            collect_metadata=True,
        )
        benchmarks.append(pyperf.Benchmark([run]))
    pyperf.BenchmarkSuite(benchmarks).dump(output_path, replace=True)
    if spec.get("lockstep"):
        # Only once written: writing (and pyperf's metadata) would fall in the other side's round.
        sys.stdout.write("end\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
