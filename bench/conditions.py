"""The conditions a run measured under: the machine's load over the whole run, and its speed.

A run's figures depend on what else the machine was doing, and a load average taken at
the start says little about a run of minutes. :class:`Watch` samples the 1-minute load
and times a short calibration loop (a fixed piece of pure Python, in the measuring
thread's CPU time) every few seconds while the run measures; the run stores both. Where
the run times anything, the timing processes' own calibrations, taken between their
values on their vCPU, stand for the machine's speed instead
(:class:`pipebench.timing.worker.Speeds`). Two
runs whose calibrations differ by more than :data:`SPEED_DIFFERENCE` ran on machines (or
under loads) too different for their times to be compared, as are two whose loads per
core differ by more than :data:`LOAD_DIFFERENCE`: ``pipebench compare`` then withholds
its time verdicts and lets the counts decide (:func:`apart`).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

# On this project's 2-core virtual machines one vCPU's speed came and went by up to 1.7x
# within seconds (a pinned loop took 12 or 20 ms); the median of a run's samples is
# steadier than that, and a run whose median moved by more than half again is on another
# footing.
SPEED_DIFFERENCE = 1.5
# Load is the other half: a base run at rest (median load 0.5 on two cores) against runs of
# the same code under CPU burners on both cores (3.4-3.8) read numpy's window at w=50 1.3-1.5x
# slower against its deque reference in 9 rounds of 20, while the workers' calibration
# read the loaded machine 0.65-0.9x as slow; the calibration alone withheld 6 of the 20.
# With this rule, twenty rounds more: 0 false regressions, all 20 withheld. Ratios to a
# reference in the same rounds cancel
# what hits both alike, and load does not hit C and Python code alike. Half a busy core
# each, in load per core, is past what two such runs may differ by.
LOAD_DIFFERENCE = 0.5
INTERVAL = 5.0
_LOOP = 20_000
WORKERS, THREAD = "timing workers", "run thread"
"""Where a run's calibration was taken: in its timing processes, between their values, or in its own thread."""


def calibrate(clock: Callable[[], float] = time.thread_time, repeats: int = 3) -> float:
    """Nanoseconds per iteration of a fixed pure-Python loop: the fastest of ``repeats``."""
    best = float("inf")
    for _ in range(repeats):
        started = clock()
        total = 0
        for index in range(_LOOP):
            total += index & 7
        best = min(best, clock() - started)
    return best * 1e9 / _LOOP


def _load() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


class Watch:
    """Samples load and speed every ``interval`` seconds in a thread, from entering until leaving.

    ``sample`` (the load and a calibration) and ``wait`` are injected for tests.
    """

    def __init__(
        self,
        interval: float = INTERVAL,
        sample: Callable[[], tuple[float | None, float]] | None = None,
        wait: Callable[[threading.Event, float], bool] | None = None,
    ):
        self._interval = interval
        self._sample = sample or (lambda: (_load(), calibrate()))
        self._wait = wait or (lambda event, seconds: event.wait(seconds))
        self._stop = threading.Event()
        self._samples: list[tuple[float | None, float]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self._samples.append(self._sample())
            if self._wait(self._stop, self._interval):
                return

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._samples.append(self._sample())

    def summary(self, timed: float | None = None) -> dict[str, Any]:
        """What the run stores: the load's range and median over the samples, and the machine's speed.

        ``timed``: the timing processes' own median calibration, which replaces this
        thread's where the run timed anything (:data:`WORKERS`).
        """
        loads = [load for load, _ in self._samples if load is not None]
        speeds = [speed for _, speed in self._samples]
        own = round(statistics.median(speeds), 3) if speeds else None
        return {
            "samples": len(self._samples),
            "load_min": min(loads, default=None),
            "load_median": statistics.median(loads) if loads else None,
            "load_max": max(loads, default=None),
            "calibration_ns": timed if timed is not None else own,
            "calibrated_by": WORKERS if timed is not None else THREAD,
        }


def speed_ratio(base: Mapping[str, Any], current: Mapping[str, Any]) -> float | None:
    """How many times slower CURRENT's machine ran than BASE's on the calibration (``None``: unknown).

    Unknown too when the two were calibrated in different places (the timing processes,
    or the run's own thread, as runs did before their workers calibrated): a figure from
    one is no yardstick for the other.
    """
    before = (base.get("conditions") or {}).get("calibration_ns")
    after = (current.get("conditions") or {}).get("calibration_ns")
    if _calibrated_by(base) != _calibrated_by(current):
        return None
    if not isinstance(before, int | float) or not isinstance(after, int | float) or before <= 0 or after <= 0:
        return None
    return float(after) / float(before)


def _calibrated_by(metadata: Mapping[str, Any]) -> str:
    return (metadata.get("conditions") or {}).get("calibrated_by", THREAD)


def differ(ratio: float | None) -> bool:
    """Whether two runs' speeds differ too much for their times to be compared."""
    return ratio is not None and not 1 / SPEED_DIFFERENCE <= ratio <= SPEED_DIFFERENCE


def load_per_core(metadata: Mapping[str, Any]) -> float | None:
    """A run's median load over its duration, per core of its machine (``None``: unknown)."""
    load = (metadata.get("conditions") or {}).get("load_median")
    cores = metadata.get("cpu_count")
    if not isinstance(load, int | float) or not isinstance(cores, int) or cores < 1:
        return None
    return float(load) / cores


def apart(base: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """Why two runs' times cannot be compared (a clause about CURRENT and BASE), or ``None``.

    Either their calibrations differ past :data:`SPEED_DIFFERENCE`, or their loads per core
    differ past :data:`LOAD_DIFFERENCE`: one scalar speed does not say how load moves
    each kind of code.
    """
    medians = [(side.get("conditions") or {}).get("load_median") for side in (base, current)]
    ratio = speed_ratio(base, current)
    if differ(ratio):
        speed = f"{ratio:.2g}x slower" if ratio >= 1 else f"{1 / ratio:.2g}x faster"
        return f"CURRENT ran {speed} than BASE on the calibration (median load {medians[0]} vs {medians[1]})"
    loads = load_per_core(base), load_per_core(current)
    if loads[0] is not None and loads[1] is not None and abs(loads[1] - loads[0]) > LOAD_DIFFERENCE:
        return (
            f"CURRENT ran under a median load of {medians[1]:.3g} on {current['cpu_count']} cores, "
            f"BASE under {medians[0]:.3g} on {base['cpu_count']}"
        )
    return None
