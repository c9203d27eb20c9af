"""Estimated cycles: instructions plus the simulated cache misses, each weighted by what a miss costs.

Instruction counts cannot see memory: building 100,000 slotted records takes two thirds of
the time of building dicts, in 0.98 of the instructions, because a slotted record is 72
bytes and a dict 192 and only the first fit the caches. Callgrind simulates a cache
hierarchy (``--cache-sim=yes``) and counts every miss deterministically; an estimate of
cycles weighs them: ``Ir + l1 * (first-level misses) + ll * (last-level misses)``.

The simulated caches are pinned (:data:`MODEL`), never detected: valgrind reads the host's
cache description, which differs between machines and on this one (an AMD EPYC VM) gave a
256 MiB direct-mapped last level. With the geometry fixed, misses are as exact as
instructions and mean the same on any machine.

The weights (:data:`WEIGHTS`) are fitted to measured time (:mod:`pipebench.counts.calibration`
fits them; ``.ci/cycles-calibration`` refits them and judges them on cases they were not
fitted on); KCachegrind's textbook weights (10 and 100) put slotted records at 1.21x dicts in a first
probe, where time said 0.49x.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Cache:
    """One simulated cache: its size, associativity and line size, in callgrind's order."""

    size: int
    ways: int
    line: int

    def option(self) -> str:
        """The value of callgrind's ``--I1``/``--D1``/``--LL`` option."""
        return f"{self.size},{self.ways},{self.line}"


@dataclass(frozen=True)
class CacheModel:
    """The cache hierarchy callgrind simulates: first-level instruction and data caches, last level."""

    l1i: Cache
    l1d: Cache
    ll: Cache

    def options(self) -> list[str]:
        """Callgrind's options that simulate exactly this hierarchy."""
        return ["--cache-sim=yes", f"--I1={self.l1i.option()}", f"--D1={self.l1d.option()}", f"--LL={self.ll.option()}"]

    def describe(self) -> str:
        """One line a run stores: counts of two different models are never compared."""
        return f"I1 {self.l1i.option()}; D1 {self.l1d.option()}; LL {self.ll.option()}"


MODEL = CacheModel(
    l1i=Cache(32 * 1024, 8, 64),
    l1d=Cache(32 * 1024, 8, 64),
    ll=Cache(16 * 1024 * 1024, 16, 64),
)
"""First-level caches as on the x86-64 processors of the last decade (32 KiB, 8-way, 64-byte
lines). The last level, 16 MiB, is the size at which records stop fitting where time says
they do: 100,000 slotted records take 0.673 of dicts' time (0.95 at 10,000); with weights
fitted the same way, a 1 MiB last level put them at 0.91 (it misses alike at every size
past a few thousand records), 8 MiB at 0.78 (fitted on records and stages only), 16 MiB at
0.72 (counted from empty caches, as method version 8 did; from warm ones, with
:data:`WEIGHTS`, 0.69 against time's 0.66)."""


# Callgrind's names for the misses of each level: instruction fetch, data read, data write.
L1_EVENTS = ("I1mr", "D1mr", "D1mw")
LL_EVENTS = ("ILmr", "DLmr", "DLmw")


@dataclass(frozen=True)
class Weights:
    """What one miss of each level costs, in instructions' worth."""

    l1: float
    ll: float


WEIGHTS = Weights(l1=5.6, ll=131.2)
"""Fitted (``pipebench calibrate``'s fit) to this project's AMD EPYC VM on one quick run timed
and counted with warm simulated caches (method version 9): the paired time ratios of the
39 variant/reference pairs that are not vectorized, against their counts under
:data:`MODEL`. A first-level miss costs little (the machine's second level answers it); a
last-level miss about 130 instructions' worth. Most last-level misses are the records
suite's at 100,000 records, so that suite decides the second weight: fitted without it,
it came out 91 on one run and 294 on another."""


AGREEMENT = 0.10
"""A count's ratio agrees with time's ratio when within 10% of it: what ``calibrate`` scores and the report says."""


VECTORIZED = "vectorized"
"""The tag a suite gives a variant whose work vectorized kernels do: more of it an instruction than any count weighs."""


def agrees(ratio: float, time_ratio: float, tolerance: float = AGREEMENT) -> bool:
    """Whether a deterministic ratio is within ``tolerance`` of the time ratio (relative)."""
    return abs(ratio / time_ratio - 1) <= tolerance


def misses(events: Mapping[str, float]) -> tuple[float, float]:
    """First-level and last-level misses among callgrind's ``events`` (instruction and data together).

    Raises:
        KeyError: the events were counted without cache simulation.
    """
    return sum(events[name] for name in L1_EVENTS), sum(events[name] for name in LL_EVENTS)


def estimate(instructions: float, l1_misses: float, ll_misses: float, weights: Weights = WEIGHTS) -> float:
    """Estimated cycles of ``instructions`` that missed the caches so often."""
    return instructions + weights.l1 * l1_misses + weights.ll * ll_misses


def describe(weights: Weights = WEIGHTS) -> str:
    """The formula as a run stores it, with its weights."""
    return f"Ir + {weights.l1:g} x L1 misses + {weights.ll:g} x LL misses"
