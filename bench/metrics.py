"""Every metric pipebench writes or reads, and every fact about each, declared once.

A :class:`Metric` says its unit and meaning, how it is shown (its column label and number
format), its family, which tool measures it, whether it is exact (counted, the same on
every repetition) and whether it means the same on any machine, whether the gate compares
it, whether ``pipebench history`` follows it and whether ``pipebench export`` writes it. A
:class:`Family` is what ``--fail-on FAMILY:PCT`` and ``--metric FAMILY`` name: its verdict
words, its default threshold and the noise floor under which its figures have not moved.
Every other module reads these tables; a test fails when one names a metric they do not
declare.

The gate compares counts per call, never per record: a call is what was measured (a
record count is only known for pipebench's own cases, not for a pytest-benchmark test of
someone else's code), a case's ratio of two runs is the same either way, and the noise
floors below are per-call phenomena. Tables show counts per record, which is what a
reader compares across sizes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

TIME_PER_RECORD = "time_per_record"
RATIO_TO_REFERENCE = "ratio_to_reference"
RATIO_TO_BASE = "ratio_to_base"
PEAK_MEMORY = "peak_memory"
BYTES_PER_RECORD = "bytes_per_record"
INSTRUCTIONS = "instructions"
INSTRUCTIONS_PER_RECORD = "instructions_per_record"
ALLOCATIONS = "allocations"
ALLOCATIONS_PER_RECORD = "allocations_per_record"
L1_MISSES = "l1_misses"
LL_MISSES = "ll_misses"
ESTIMATED_CYCLES = "estimated_cycles"
ESTIMATED_CYCLES_PER_RECORD = "estimated_cycles_per_record"


@dataclass(frozen=True, kw_only=True)
class Family:
    """A kind of figure the gate judges with one threshold."""

    name: str
    worse: str
    better: str
    threshold: float
    noise_floor: float = 0.0
    """A difference smaller than this, in the gated metric's unit, has not moved."""
    noise_share: float | None = None
    """For figures whose noise grows with them: the floor is at most this share of the figure."""
    counted: bool = False
    """Measured by counting under valgrind (comparable only with counts of the same build and CPU)."""

    def floor(self, figure: float) -> float:
        """The noise floor of a figure this large: :attr:`noise_floor`, capped by :attr:`noise_share`."""
        if self.noise_share is None:
            return self.noise_floor
        return min(self.noise_floor, self.noise_share * abs(figure))


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric of a results row."""

    name: str
    unit: str
    meaning: str
    label: str
    """Its column heading in the run table and the report."""
    display: str
    """Its number format (a format spec), or ``bytes`` for binary units."""
    family: str
    tool: str
    exact: bool
    machine_independent: bool
    gated: bool = False
    """The figure of its family that the gate compares."""
    against: str | None = None
    """What a ratio taken within a round is against: ``reference`` (the suite's, in one run) or ``base``
    (the same case at the base revision, in an A/B run)."""
    history: bool = False
    exported: bool = False
    per_record: str | None = None
    """This figure divided by the records of a call: shown in its place where a case has it."""

    @property
    def paired(self) -> bool:
        """A ratio of two values taken side by side, within one round."""
        return self.against is not None

    def format(self, value: float) -> str:
        """``value`` as a person reads this metric."""
        if self.display == "bytes":
            from pipebench.formatting import format_bytes

            return format_bytes(value)
        return format(value, self.display)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        # Paired ratios of a case agree within about 7% between two runs on a shared two-core
        # machine, so a 5% default would cry wolf.
        Family(name="time", worse="slower", better="faster", threshold=0.10),
        # memray's peak bytes repeat exactly for pure-Python code; numpy's and scipy's vary
        # from process to process by a few KB (numpy batches at n=100,000: 136,886-141,758
        # bytes over ten processes), so less than 8 KiB is not a change.
        Family(name="memory", worse="larger", better="smaller", threshold=0.01, noise_floor=8192),
        # Counts repeat within 0.1%. Allocations: numpy's and scipy's caches make the few
        # hundred allocator calls of a call vary by a handful; across 21 runs from two
        # checkouts and two machines of one kind none moved (numpy windows make 154.5 a
        # call at n=10,000, scipy's 102.5), so fewer than 8 a call is not a change.
        Family(name="allocations", worse="more", better="fewer", threshold=0.01, noise_floor=8, counted=True),
        # Instructions: where a large block lands depends on what the C heap already holds,
        # so a change elsewhere in the code can make a call zero or copy one or two blocks of
        # 80 KB more (seen: +80,000 instructions a call for the scipy window, +1.2% to +2% of
        # the cheapest cases) without the case's own code changing; across 21 runs of
        # unchanged code in two directories, dict records spread by 220,000. A call small
        # enough to move few blocks moves less: the cheapest cases counted (the vectorized
        # pipeline, 2 million instructions a call; scipy's windows, 4 million) moved by 2% at
        # most, so the floor is at most 5% of the call, and a test of a few thousand
        # instructions a call (a pytest-benchmark test of a parser) is not blinded by it.
        Family(
            name="instructions",
            worse="more",
            better="fewer",
            threshold=0.01,
            noise_floor=300_000,
            noise_share=0.05,
            counted=True,
        ),
        # Estimated cycles: instructions plus weighted simulated cache misses
        # (pipebench.counts.cycles). Under the pinned cache model the misses repeat as
        # instructions do (largest spread over six counts of unchanged records from two
        # worktrees: 0.0015%), so the floor is the instructions' one, which they contain.
        Family(
            name="cycles",
            worse="more",
            better="fewer",
            threshold=0.01,
            noise_floor=300_000,
            noise_share=0.05,
            counted=True,
        ),
    )
}

METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric(
            name=TIME_PER_RECORD,
            unit="ns/record",
            meaning="time of one workload call divided by its records",
            label="ns/record",
            display=",.1f",
            family="time",
            tool="pyperf",
            exact=False,
            machine_independent=False,
            gated=True,
            history=True,
            exported=True,
        ),
        Metric(
            name=RATIO_TO_REFERENCE,
            unit="ratio",
            meaning="variant time / reference time, paired within a round",
            label="time vs ref",
            display=".3g",
            family="time",
            tool="pipebench",
            exact=False,
            machine_independent=True,
            gated=True,
            against="reference",
            history=True,
            exported=True,
        ),
        Metric(
            name=RATIO_TO_BASE,
            unit="ratio",
            meaning="head time / base time of one case, paired within a round of an A/B run",
            label="head vs base",
            display=".3g",
            family="time",
            tool="pipebench",
            exact=False,
            machine_independent=True,
            gated=True,
            against="base",
            exported=True,
        ),
        Metric(
            name=PEAK_MEMORY,
            unit="bytes",
            meaning="high-water mark of memory allocated during the workload",
            label="peak",
            display="bytes",
            family="memory",
            tool="memray",
            exact=True,
            machine_independent=True,
            gated=True,
            history=True,
            exported=True,
        ),
        Metric(
            name=BYTES_PER_RECORD,
            unit="bytes/record",
            meaning="peak memory divided by records",
            label="B/record",
            display=",.1f",
            family="memory",
            tool="memray",
            exact=True,
            machine_independent=True,
            exported=True,
        ),
        Metric(
            name=INSTRUCTIONS,
            unit="count",
            meaning="CPU instructions of one workload call (callgrind)",
            label="instr/call",
            display=",.0f",
            family="instructions",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            gated=True,
            per_record=INSTRUCTIONS_PER_RECORD,
        ),
        Metric(
            name=INSTRUCTIONS_PER_RECORD,
            unit="count/record",
            meaning="instructions divided by records",
            label="instr/record",
            display=",.1f",
            family="instructions",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            history=True,
            exported=True,
        ),
        Metric(
            name=ALLOCATIONS,
            unit="count",
            meaning="allocator calls of one workload call, frees not counted (callgrind)",
            label="allocs/call",
            display=",.1f",
            family="allocations",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            gated=True,
            per_record=ALLOCATIONS_PER_RECORD,
        ),
        Metric(
            name=ALLOCATIONS_PER_RECORD,
            unit="count/record",
            meaning="allocations divided by records",
            label="allocs/record",
            display=",.2f",
            family="allocations",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            history=True,
            exported=True,
        ),
        Metric(
            name=ESTIMATED_CYCLES,
            unit="count",
            meaning="instructions plus weighted simulated cache misses of one workload call (callgrind)",
            label="est. cycles/call",
            display=",.0f",
            family="cycles",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            gated=True,
            per_record=ESTIMATED_CYCLES_PER_RECORD,
        ),
        Metric(
            name=ESTIMATED_CYCLES_PER_RECORD,
            unit="count/record",
            meaning="estimated cycles divided by records",
            label="est. cycles/record",
            display=",.1f",
            family="cycles",
            tool="callgrind",
            exact=True,
            machine_independent=True,
            history=True,
            exported=True,
        ),
        Metric(
            name=L1_MISSES,
            unit="count",
            meaning="simulated first-level cache misses (instruction and data) of one workload call (callgrind)",
            label="L1 misses/call",
            display=",.0f",
            family="cycles",
            tool="callgrind",
            exact=True,
            machine_independent=True,
        ),
        Metric(
            name=LL_MISSES,
            unit="count",
            meaning="simulated last-level cache misses (instruction and data) of one workload call (callgrind)",
            label="LL misses/call",
            display=",.0f",
            family="cycles",
            tool="callgrind",
            exact=True,
            machine_independent=True,
        ),
    )
}
"""Metric name to its declaration, in the order tables show them."""

FAMILY_NAMES = tuple(FAMILIES)
DEFAULT_THRESHOLDS = {name: family.threshold for name, family in FAMILIES.items()}
SHOWN = tuple(name for name, metric in METRICS.items() if metric.exported)
"""The metrics tables and exports show, in order: time, memory and counts per record."""


def shown(present: Collection[str]) -> tuple[str, ...]:
    """The metrics a case holding ``present`` is shown by: :data:`SHOWN`, a count per call where it has none per record.

    A pytest-benchmark test has no records (what a call processes is its own), so its counts are per call.
    """
    by_record = {metric.per_record: name for name, metric in METRICS.items() if metric.per_record}
    out = []
    for name in SHOWN:
        if name in present:
            out.append(name)
        elif by_record.get(name) in present:
            out.append(by_record[name])
    return tuple(out)


def gated_metric(family: str, *, against: str | None = "reference") -> Metric:
    """The metric the gate compares for ``family``.

    For time: the ratio ``against`` the reference or the base, or (``None``) absolute time;
    counts and memory have one each.
    """
    candidates = [m for m in METRICS.values() if m.family == family and m.gated]
    return next((m for m in candidates if m.against == against), candidates[0])
