"""The conditions a run measured under: the machine's load over the whole run, and its speed.

A run's figures depend on what else the machine was doing, and a load average taken at
the start says little about a run of minutes. :class:`Watch` samples the 1-minute load
and times a short calibration loop (a fixed piece of pure Python, in the measuring
thread's CPU time) every few seconds while the run measures; the run stores both. Where
the run times anything, the timing processes' own calibrations, taken between their
values on their vCPU, stand for the machine's speed instead
(:class:`pipebench.timing.worker.Speeds`). Two
runs whose calibrations differ by more than :data:`SPEED_DIFFERENCE` ran on machines (or
under loads) too different for their times to be compared: ``pipebench compare`` then
withholds its time verdicts and lets the counts decide (:func:`speed_ratio`).
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
