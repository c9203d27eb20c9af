"""The reference stages: :class:`ThresholdFilter` and :class:`WindowNormalizer`.

Both are lazy: ``transform(stream)`` returns a generator that pulls one record from
upstream per record it yields. Each stage owns its :class:`~pipeline.metrics.StageMetrics`
(``stage.metrics``), filled by :func:`~pipeline.metrics.measured_stage` with the stage's own
time once its stream is exhausted.

Malformed records: a record whose ``value`` is missing, is not a real number (``bool`` is
not), or is NaN or infinite is *malformed*. With ``on_malformed="reject"`` (the default)
the filter drops it, counts it in ``rejected`` and keeps the first ``keep_rejects`` of
them with the reason in ``rejects``; with ``on_malformed="raise"`` it raises
:class:`~pipeline.errors.MalformedRecordError`. Either way ``passed + filtered + rejected``
equals the records read, so nothing disappears unaccounted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError, MalformedRecordError
from .metrics import Clock, StageMetrics, measured_stage
from .registry import RegistrableStage
from .windows import DECIMALS, STREAMING_WINDOWS, check_window

DEFAULT_LOW = 10.0
DEFAULT_HIGH = 100.0
DEFAULT_WINDOW = 50
MALFORMED_POLICIES = ("reject", "raise")


class Stage(RegistrableStage):
    """Base of the measured stages: a clock and the instance's own metrics."""

    def __init__(self, *, measure: bool = True, clock: Clock = time.perf_counter) -> None:
        self.clock = clock
        self.metrics: StageMetrics | None = StageMetrics(self.STAGE_NAME or type(self).__name__) if measure else None


@dataclass(frozen=True)
class Rejection:
    """A malformed record and why it was rejected."""

    record: Any
    reason: str


def malformed_reason(record: Any) -> str | None:
    """Why ``record`` is malformed, or ``None`` if its value is a finite real number."""
    if not isinstance(record, Mapping):
        return f"not a mapping: {type(record).__name__}"
    if "value" not in record:
        return "missing field 'value'"
    value = record["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"non-numeric value {value!r}"
    if not math.isfinite(value):
        return f"non-finite value {value!r}"
    return None


def check_thresholds(low: float, high: float) -> None:
    """Raise :class:`ConfigError` unless ``low <= high`` are finite numbers."""
    for name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not isinstance(bound, (int, float)):
            raise ConfigError(f"{name} must be a number, got {bound!r}")
        if not math.isfinite(bound):
            raise ConfigError(f"{name} must be finite, got {bound!r}")
    if low > high:
        raise ConfigError(f"low must be <= high, got low={low} > high={high}")


class ThresholdFilter(Stage):
    """Pass the records whose value lies in ``[low, high]``; count the rest."""

    STAGE_NAME = "ThresholdFilter"

    def __init__(
        self,
        low: float = DEFAULT_LOW,
        high: float = DEFAULT_HIGH,
        *,
        on_malformed: str = "reject",
        keep_rejects: int = 100,
        measure: bool = True,
        clock: Clock = time.perf_counter,
    ) -> None:
        super().__init__(measure=measure, clock=clock)
        check_thresholds(low, high)
        if on_malformed not in MALFORMED_POLICIES:
            raise ConfigError(f"on_malformed must be one of {MALFORMED_POLICIES}, got {on_malformed!r}")
        self.low = low
        self.high = high
        self.on_malformed = on_malformed
        self.keep_rejects = keep_rejects
        self.passed = 0
        self.filtered = 0
        self.rejected = 0
        self.rejects: list[Rejection] = []

    @measured_stage
    def transform(self, stream: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Yield the in-range records of ``stream``, lazily."""
        low, high = self.low, self.high
        passed = filtered = 0
        try:
            for record in stream:
                try:
                    value = record["value"]
                    # An exact float is checked completely by the comparison (NaN and
                    # infinities fail it); anything else takes the careful path below.
                    if type(value) is float and low <= value <= high:
                        passed += 1
                        yield record
                        continue
                except (KeyError, TypeError, IndexError):
                    pass
                reason = malformed_reason(record)
                if reason is not None:
                    self._reject(record, reason)
                elif low <= record["value"] <= high:
                    passed += 1
                    yield record
                else:
                    filtered += 1
        finally:
            self.passed += passed
            self.filtered += filtered

    def _reject(self, record: Any, reason: str) -> None:
        if self.on_malformed == "raise":
            raise MalformedRecordError(f"malformed record {record!r}: {reason}")
        self.rejected += 1
        if len(self.rejects) < self.keep_rejects:
            self.rejects.append(Rejection(record, reason))


class WindowNormalizer(Stage):
    """Add ``normalized``: the value scaled to [0, 1] by its trailing window's min and max."""

    STAGE_NAME = "WindowNormalizer"

    def __init__(
        self,
        window: int = DEFAULT_WINDOW,
        strategy: str = "deque",
        *,
        measure: bool = True,
        clock: Clock = time.perf_counter,
    ) -> None:
        super().__init__(measure=measure, clock=clock)
        self.window = check_window(window)
        if strategy not in STREAMING_WINDOWS:
            raise ConfigError(f"unknown window strategy {strategy!r}; choose from {sorted(STREAMING_WINDOWS)}")
        self.strategy = strategy
        # The window lives on the instance, as in the seed: a second stream continues the
        # first one's window rather than starting afresh. The reference keeps a bare deque,
        # scanned inline in its loop exactly as the seed does.
        self._window: deque[float] = deque(maxlen=window)
        self._streaming = STREAMING_WINDOWS[strategy](window) if strategy != "deque" else None

    @measured_stage
    def transform(self, stream: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        """Yield each record with its ``normalized`` value added, lazily."""
        if self.strategy == "deque":
            return self._transform_deque(stream)
        return self._transform_streaming(stream)

    def _transform_deque(self, stream: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        window = self._window
        for record in stream:
            value = record["value"]
            window.append(value)
            lo, hi = min(window), max(window)
            # windows.normalize, inlined: a function call per record would be timed with the loop.
            span = hi - lo if hi != lo else 1.0
            yield {**record, "normalized": round((value - lo) / span, DECIMALS)}

    def _transform_streaming(self, stream: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        assert self._streaming is not None
        push = self._streaming.push
        for record in stream:
            value = record["value"]
            lo, hi = push(value)
            # windows.normalize, inlined: a function call per record would be timed with the loop.
            span = hi - lo if hi != lo else 1.0
            yield {**record, "normalized": round((value - lo) / span, DECIMALS)}
