"""Per-stage throughput: :class:`StageMetrics` and the :func:`measured_stage` decorator.

A stage's own time is what its metrics report: the time spent inside the stage's
generator *minus* the time spent pulling records from upstream. In a lazy chain every
``next()`` on the last stage runs the whole chain, so the wall time of a stage includes its
upstream; subtracting it makes the per-stage report add up to the chain's total instead of
counting the source once per stage. The price is four clock reads per record and stage,
which is why a stage built with ``measure=False`` skips the wrapper entirely (benchmarks
build their stages that way).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Clock = Callable[[], float]
T = TypeVar("T")


@dataclass
class StageMetrics:
    """Counters owned by one stage instance: records it emitted and its own seconds."""

    stage: str
    records: int = 0
    seconds: float = 0.0
    runs: int = 0

    @property
    def records_per_second(self) -> float:
        """Emitted records per second of the stage's own time (``inf`` if no time was seen)."""
        return self.records / self.seconds if self.seconds > 0 else float("inf")

    def add(self, records: int, seconds: float) -> None:
        """Account for one finished pass over a stream."""
        self.records += records
        self.seconds += seconds
        self.runs += 1


class MeasuredStage(Protocol):
    """What :func:`measured_stage` needs of the instance it decorates a method of."""

    metrics: StageMetrics | None
    clock: Clock


class _TimedUpstream(Iterator[T]):
    """Iterator wrapper that adds up the time spent waiting on its source."""

    __slots__ = ("_source", "_clock", "seconds")

    def __init__(self, source: Iterable[T], clock: Clock) -> None:
        self._source = iter(source)
        self._clock = clock
        self.seconds = 0.0

    def __next__(self) -> T:
        started = self._clock()
        try:
            return next(self._source)
        finally:
            self.seconds += self._clock() - started


def measured_stage(transform: Callable[[Any, Iterable[T]], Iterator[Any]]):
    """Decorate a stage's generator method so each pass is recorded in ``self.metrics``.

    The decorated method records, once the stream is exhausted, the records it emitted and
    its own time (excluding upstream) into the instance's :class:`StageMetrics`. Nothing is
    printed. When the instance's ``metrics`` is ``None`` the method runs undecorated.
    """

    @functools.wraps(transform)
    def wrapper(stage: MeasuredStage, stream: Iterable[T]) -> Iterator[Any]:
        if stage.metrics is None:
            return transform(stage, stream)
        return _measure(stage.metrics, stage.clock, transform, stage, stream)

    return wrapper


def _measure(metrics: StageMetrics, clock: Clock, transform, stage, stream) -> Iterator[Any]:
    upstream = _TimedUpstream(stream, clock)
    inner = transform(stage, upstream)
    inside = 0.0
    count = 0
    while True:
        started = clock()
        try:
            record = next(inner)
        except StopIteration:
            inside += clock() - started
            break
        inside += clock() - started
        count += 1
        yield record
    metrics.add(count, inside - upstream.seconds)
