"""An asyncio circuit breaker: closed, open and half-open.

* **closed**: calls go through; ``failure_threshold`` consecutive failures open the circuit.
* **open**: calls fail fast with :class:`~pipeline.errors.CircuitOpenError` until
  ``reset_timeout`` seconds have passed since the last failure.
* **half-open**: one probe call goes through while every other caller fails fast; the
  probe's success closes the circuit, its failure opens it again for another timeout.

The clock is a parameter (``time.monotonic`` by default) so tests can move time by hand.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

from .errors import CircuitOpenError, ConfigError

T = TypeVar("T")


class BreakerState(StrEnum):
    """The three states of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class AsyncCircuitBreaker:
    """Guard an async downstream, failing fast while it is known to be down."""

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_timeout: float = 2.0,
        *,
        counted: tuple[type[BaseException], ...] = (Exception,),
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState, BreakerState], None] | None = None,
    ) -> None:
        if isinstance(failure_threshold, bool) or not isinstance(failure_threshold, int) or failure_threshold < 1:
            raise ConfigError(f"failure_threshold must be an integer >= 1, got {failure_threshold!r}")
        if reset_timeout < 0:
            raise ConfigError(f"reset_timeout must be >= 0, got {reset_timeout!r}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._counted = counted
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The current state (an open circuit whose timeout has passed reads half-open)."""
        if self._state is BreakerState.OPEN and self._timeout_passed():
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def failures(self) -> int:
        """Consecutive failures counted since the circuit last closed."""
        return self._failures

    async def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Await ``fn(*args, **kwargs)`` unless the circuit refuses it.

        Raises:
            CircuitOpenError: the circuit is open, or a half-open probe is in flight.
        """
        probe = self._admit()
        try:
            result = await fn(*args, **kwargs)
        except self._counted:
            self._failed(probe)
            raise
        except BaseException:
            # Not a downstream failure (a cancellation, say): free the probe slot only.
            if probe:
                self._probing = False
            raise
        self._succeeded(probe)
        return result

    def _admit(self) -> bool:
        """Let a call through or raise; return whether the call is the half-open probe."""
        if self._state is BreakerState.CLOSED:
            return False
        if self._state is BreakerState.OPEN:
            if not self._timeout_passed():
                raise CircuitOpenError("circuit open: failing fast")
            self._move(BreakerState.HALF_OPEN)
        if self._probing:
            raise CircuitOpenError("circuit half-open: a probe is already in flight")
        self._probing = True
        return True

    def _succeeded(self, probe: bool) -> None:
        if probe:
            self._probing = False
            self._move(BreakerState.CLOSED)
        if self._state is BreakerState.CLOSED:
            self._failures = 0

    def _failed(self, probe: bool) -> None:
        self._failures += 1
        if probe:
            self._probing = False
            self._open()
        elif self._state is BreakerState.CLOSED and self._failures >= self.failure_threshold:
            self._open()

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._move(BreakerState.OPEN)

    def _timeout_passed(self) -> bool:
        return self._clock() - self._opened_at >= self.reset_timeout

    def _move(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        if old is not new and self._on_change is not None:
            self._on_change(old, new)
