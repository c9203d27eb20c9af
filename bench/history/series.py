"""``pipebench history``: one series per case and metric across runs, and the commits where each moved.

Runs are put in commit order (the repository's history when it knows their commits, their
timestamps otherwise). Figures that do not depend on the machine or its load (paired time
ratios, peak memory, instruction and allocation counts) make one series whatever machine
measured each point; absolute time makes one series per machine, never pooled. A run of
another measurement method starts a new segment: a method change is not a step of the code.

Steps are found with ruptures' PELT (exact search for the segmentation that minimizes
the squared error of log values plus a penalty per change point), on log values so that
a step is a ratio. The penalty is ``4 σ² log n``, σ the noise of one point: the larger
of the points' own intervals (where they carry them) and their scatter from run to run,
estimated robustly from successive differences (a step moves one difference only), and
never below 0.1% for counts, 1.5% for paired time ratios (two commits differ a little even
where the measured code did not change) and 4% for absolute time (a machine's speed
drifts). A level of time needs two runs: one run alone at a level of its own is what a
burst of load looks like, and is left out. On synthetic series of 30 points with 5% noise
this finds a 10% step 86% of the time (within one commit of its place 72%) and a step in
pure noise in 0.4% of series; trusting the points' own intervals alone found it 96% of the
time, and read load that came and went between real runs as twelve steps. A step is
reported only when its two levels differ with p < 0.01 given the points' noise (a z-test
of their mean logs), with its size and that p.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipebench import conditions
from pipebench.metrics import METRICS, RATIO_TO_REFERENCE
from pipebench.provenance import PACKAGE_ROOT, git
from pipebench.results import RunResults
from pipebench.stats import CONFIDENCE, normal_p_value, normal_quantile

PENALTY = 4.0
MIN_NOISE = 0.001
# Time moves 1-2% between commits whose measured code did not change (the layout of the
# rest moves): a time series' noise is never taken as less.
MIN_TIME_NOISE = 0.015
# Absolute time also drifts with the machine, slowly, which successive differences do not
# see: twelve runs of unchanged records in an hour on this project's 2-core VM, while other
# work's load rose from 2.5 to 4.5, drifted 8-16% per case (time per record) with
# successive differences of 1-2%, and history read the drift as 4-5% steps at p < 1e-3;
# the dict's and the named tuple's series scattered by 4% from run to run.
MIN_MACHINE_TIME_NOISE = 0.04
# A step is reported only if its two levels differ this surely, given each point's noise.
MAX_P = 0.01


@dataclass(frozen=True)
class Point:
    """One run's figure in a series."""

    commit: str
    run_id: str
    value: float
    noise: float | None = None
    """The standard error of log(value), when the run's interval gives it."""
    speed: float | None = None
    """The run's calibration (:mod:`pipebench.conditions`), where it has one."""
    fingerprint: str | None = None
    """What the run's counts depend on (interpreter, valgrind, CPU), for counted metrics."""


@dataclass(frozen=True)
class Series:
    """One case and metric (and machine, for absolute time) under one measurement method."""

    case_id: str
    metric: str
    machine: str | None
    method: int | None
    points: tuple[Point, ...]

    @property
    def name(self) -> str:
        """``case metric [machine] (method N)``: how the series is shown."""
        where = f" on {self.machine}" if self.machine else ""
        return f"{self.case_id} {self.metric}{where} (method {self.method})"


@dataclass(frozen=True)
class Step:
    """Where a series moved: the first commit of the new level, its size, how sure."""

    series: Series
    index: int
    before: float
    after: float
    p_value: float | None

    @property
    def commit(self) -> str:
        """The first commit measured at the new level."""
        return self.series.points[self.index].commit

    @property
    def change(self) -> float:
        """The step as a fraction: +0.10 is 10% more."""
        return self.after / self.before - 1.0


def commit_order(repository: Path = PACKAGE_ROOT) -> dict[str, int]:
    """Each commit's position in the repository's history (oldest 0), by 7-character hash; empty outside git."""
    try:
        listed = git.text(["log", "--all", "--topo-order", "--reverse", "--format=%h", "--abbrev=7"], repository)
    except git.GitError:
        return {}
    return {commit[:7]: position for position, commit in enumerate(listed.split())}


def ordered(runs: Iterable[RunResults], order: dict[str, int]) -> list[RunResults]:
    """Runs in commit order; a run of a commit the history does not know goes where its timestamp puts it.

    Known runs keep the repository's order (their timestamps break ties); each unknown one
    is placed before the first known run measured after it, so that a run gathered from
    elsewhere is neither first nor last merely for being unknown.
    """

    def stamp(run: RunResults) -> str:
        return str(run.metadata.get("timestamp"))

    known, unknown = [], []
    for run in runs:
        position = order.get(str(run.metadata.get("commit", ""))[:7])
        (known if position is not None else unknown).append((position, run))
    in_order = [run for _, run in sorted(known, key=lambda item: (item[0], stamp(item[1])))]
    for run in sorted((run for _, run in unknown), key=stamp):
        later = next((index for index, other in enumerate(in_order) if stamp(other) > stamp(run)), len(in_order))
        in_order.insert(later, run)
    return in_order


def _noise(row) -> float | None:
    if row.ci is None or row.estimate is None or min(row.ci) <= 0:
        return None
    return (math.log(row.ci[1]) - math.log(row.ci[0])) / (2 * normal_quantile(row.confidence or CONFIDENCE))


def build_series(runs: Sequence[RunResults]) -> list[Series]:
    """The series of ``runs`` (already in commit order), split by method version and, for time, machine."""
    collected: dict[tuple, list[Point]] = {}
    for run in runs:
        method = (run.metadata.get("method") or {}).get("version")
        commit = str(run.metadata.get("commit", "?"))
        speed = (run.metadata.get("conditions") or {}).get("calibration_ns")
        fingerprint = json.dumps(run.metadata.get("counts"), sort_keys=True) if run.metadata.get("counts") else None
        for row in run.rows:
            metric = METRICS[row.metric]
            if not metric.history:
                continue
            # A figure that depends on the machine makes one series per machine, never pooled.
            machine = None if metric.machine_independent else str(run.metadata.get("machine", "?"))
            if not row.value > 0:
                continue
            key = (row.case_id, row.metric, machine, method)
            point = Point(commit, run.run_id, float(row.value), _noise(row), speed, fingerprint)
            collected.setdefault(key, []).append(point)
    return [Series(*key, tuple(points)) for key, points in collected.items()]


def noise_of(series: Series) -> float:
    """σ of one point's log value: the larger of the points' own and their scatter from run to run.

    A run's own interval says how well it knows its own level, not how far the next run's
    level will be: twelve runs of unchanged records, every other few under CPU burners,
    each knew its time per record within a few percent, yet their levels doubled and
    halved with the load, and judged by their own intervals alone history found twelve
    steps at p < 1e-5. The scatter is estimated from successive differences (robustly: a
    step moves one difference only), so load that comes and goes between runs is noise.
    """
    metric = METRICS[series.metric]
    floor = MIN_NOISE if metric.exact else MIN_TIME_NOISE if metric.machine_independent else MIN_MACHINE_TIME_NOISE
    own = [p.noise for p in series.points if p.noise is not None]
    logs = np.log([p.value for p in series.points])
    scatter = 1.4826 * float(np.median(np.abs(np.diff(logs)))) / math.sqrt(2) if len(logs) >= 3 else 0.0
    return max(float(np.median(own)) if own else 0.0, scatter, floor)


# Counts repeat to the instruction on one machine, and came within 0.92% of each other on
# two machines of one kind: a change between two runs counted alike is real past 0.1%,
# and between runs counted on different machines past the counts' 1% threshold.
EXACT_SAME_MACHINE = 0.001
EXACT_ACROSS_MACHINES = 0.01
MIN_TIMED_POINTS = 6
"""A timed series needs this many runs of comparable conditions before a step can be told from noise."""


def exact_steps(series: Series) -> list[Step]:
    """Every change of an exact series (counts, memray's bytes) from one run to the next, oldest first."""
    steps = []
    for index, (before, after) in enumerate(itertools.pairwise(series.points), start=1):
        alike = before.fingerprint == after.fingerprint
        floor = EXACT_SAME_MACHINE if alike else EXACT_ACROSS_MACHINES
        if abs(math.log(after.value / before.value)) > floor:
            steps.append(Step(series, index, before.value, after.value, None))
    return steps


def comparable(series: Series) -> Series:
    """The series without the points of runs whose machine ran at a speed unlike the rest's."""
    speeds = [p.speed for p in series.points if p.speed]
    if not speeds:
        return series
    middle = float(np.median(speeds))
    kept = tuple(p for p in series.points if p.speed is None or not conditions.differ(p.speed / middle))
    return dataclasses.replace(series, points=kept)


def find_steps(series: Series, penalty: float = PENALTY) -> list[Step]:
    """The steps of one series, oldest first: every change of an exact one, the supported ones of a timed one.

    A timed series is judged only over runs of comparable conditions, and only once it has
    :data:`MIN_TIMED_POINTS` of them.
    """
    if METRICS[series.metric].exact:
        return exact_steps(series)
    import ruptures  # on first use: only history needs it

    series = comparable(series)
    if len(series.points) < MIN_TIMED_POINTS:
        return []
    sigma = noise_of(series)
    series = without_lone_excursions(series, sigma)
    values = np.log([p.value for p in series.points])
    # Two runs a level at least: one run at a level of its own is what a burst of load
    # looks like (counts, where one commit's change and the next one's revert are two real
    # steps, are judged run by run in exact_steps).
    breaks = ruptures.Pelt(model="l2", min_size=2, jump=1).fit(values.reshape(-1, 1))
    cuts = [0, *breaks.predict(pen=penalty * sigma**2 * math.log(len(values)))]
    steps = []
    for start, cut, end in zip(cuts, cuts[1:], cuts[2:]):
        before, after = values[start:cut], values[cut:end]
        p_value = step_p_value(before, after, sigma)
        if p_value < MAX_P:
            steps.append(Step(series, cut, float(np.exp(np.mean(before))), float(np.exp(np.mean(after))), p_value))
    return steps


LONE = 4.0
"""A run is a lone excursion when it lies this many σ from both neighbours, on one side, and they agree."""


def without_lone_excursions(series: Series, sigma: float) -> Series:
    """The series without the runs that stand alone far from both their neighbours, which agree with each other.

    A burst of load moves one run's time and not the next one's; a change of the code
    moves every run after it. A change undone at the very next commit is lost here too,
    but its counts, judged run by run, still show both steps.
    """
    logs = np.log([p.value for p in series.points])
    limit = LONE * sigma
    kept = [
        point
        for index, point in enumerate(series.points)
        if not (
            0 < index < len(logs) - 1
            and abs(logs[index + 1] - logs[index - 1]) < limit
            and min(abs(logs[index] - logs[index - 1]), abs(logs[index] - logs[index + 1])) > limit
        )
    ]
    return dataclasses.replace(series, points=tuple(kept))


def step_p_value(before: np.ndarray, after: np.ndarray, sigma: float) -> float:
    """Two-sided p of the difference of the two levels' mean logs, each point's noise ``sigma``."""
    spread = sigma * math.sqrt(1 / len(before) + 1 / len(after))
    return normal_p_value(float(np.mean(after) - np.mean(before)), spread)


def all_steps(series: Iterable[Series]) -> list[Step]:
    """Every step of every series: the largest first, the most recent first among equals."""
    found = [step for one in series for step in find_steps(one)]
    return sorted(found, key=lambda s: (-abs(math.log(s.after / s.before)), -s.index))


@dataclass(frozen=True)
class History:
    """Runs in commit order, their series, and the steps found in them."""

    runs: tuple[RunResults, ...]
    series: tuple[Series, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()


def history_of(runs: Iterable[RunResults], order: dict[str, int] | None = None) -> History:
    """``runs`` in commit order (``order``, by default the measured checkout's) and every step of their series.

    A run named twice counts once; a run of uncommitted changes is left out (its commit's
    clean code was not what it measured, so a step there would blame the wrong commit).
    The notes say what was left out.
    """
    unique: dict[str, RunResults] = {}
    twice = dirty = 0
    for run in runs:
        if run.run_id in unique:
            twice += 1
        elif run.metadata.get("dirty"):
            dirty += 1
        else:
            unique[run.run_id] = run
    notes = [f"{twice} run(s) named twice, counted once"] if twice else []
    if dirty:
        notes.append(
            f"{dirty} run(s) of uncommitted changes left out: their commit did not hold the code they measured"
        )
    in_order = ordered(unique.values(), commit_order() if order is None else order)
    series = build_series(in_order)
    steps, machine = corroborated(all_steps(series), series, in_order)
    if machine:
        notes.append(
            f"{machine} step(s) of absolute time left out: neither their group's paired ratios nor their "
            "case's counts moved there (the machine, not the code)"
        )
    return History(runs=tuple(in_order), series=tuple(series), steps=tuple(steps), notes=tuple(notes))


def corroborated(steps: Sequence[Step], series: Sequence[Series], runs: Sequence[RunResults]) -> tuple[list[Step], int]:
    """The steps without those of absolute time that nothing else in the group saw; and how many were left out.

    Absolute time moves with the machine: twelve runs of unchanged records, the first two
    under heavier load than the rest, read as a step of 27-33% in every case's ns/record at
    the third run, while no paired ratio and no count moved. A change of the code moves a
    case's ratio to its group's reference (or, for the reference, every other member's),
    or its counts. So an absolute-time step stands where, within one run of it, a ratio of
    its group or a count of its case stepped too, or where its group has no ratio series to
    tell by.
    """
    position = {run.run_id: index for index, run in enumerate(runs)}
    group_of = {row.case_id: row.group for run in runs for row in run.rows}
    with_ratios = {group_of.get(one.case_id) for one in series if one.metric == RATIO_TO_REFERENCE}

    def where(step: Step) -> int:
        return position.get(step.series.points[step.index].run_id, -1)

    witnesses = [
        (group_of.get(step.series.case_id), step.series.case_id, METRICS[step.series.metric].exact, where(step))
        for step in steps
        if step.series.metric == RATIO_TO_REFERENCE or METRICS[step.series.metric].exact
    ]
    kept, machine = [], 0
    for step in steps:
        metric = METRICS[step.series.metric]
        group = group_of.get(step.series.case_id)
        if metric.exact or metric.machine_independent or group not in with_ratios:
            kept.append(step)
            continue
        seen = any(
            abs(at - where(step)) <= 1 and other_group == group and (not exact or case == step.series.case_id)
            for other_group, case, exact, at in witnesses
        )
        if seen:
            kept.append(step)
        else:
            machine += 1
    return kept, machine
