"""Retry with exponential backoff and jitter, for plain and ``async`` callables.

The delay before retry ``k`` (counting from 0) is ``min(max_delay, base_delay * 2**k)``
plus a jitter drawn uniformly from ``[0, jitter]``. Sleeping and the random source are
parameters, so tests run without real sleeps and with reproducible jitter.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError


def backoff_delays(
    max_attempts: int, base_delay: float, max_delay: float, jitter: float, rng: random.Random
) -> Iterator[float]:
    """Yield the sleeps between ``max_attempts`` attempts, drawing jitter only when asked."""
    for attempt in range(max_attempts - 1):
        delay = min(max_delay, base_delay * 2**attempt)
        yield delay + rng.uniform(0.0, jitter) if jitter else delay


def retry_with_backoff(
    max_attempts: int = 3,
    base_delay: float = 0.05,
    max_delay: float = 2.0,
    jitter: float = 0.01,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    sleep: Callable[[float], None] = time.sleep,
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
):
    """Decorator factory: retry a function on ``retry_on`` errors with backoff.

    Works on plain functions (sleeping with ``sleep``) and on coroutine functions
    (awaiting ``async_sleep``). Errors not in ``retry_on`` propagate at once. When every
    attempt failed, the last error is re-raised unchanged.

    Args:
        max_attempts: calls in all, the first included (at least 1).
        base_delay: seconds before the first retry; doubled before each next one.
        max_delay: cap on the doubled delay (the jitter comes on top).
        jitter: upper bound of the uniform random seconds added to each delay.
        retry_on: exception types worth another attempt.
        sleep: blocking sleep, for plain functions.
        async_sleep: awaitable sleep, for coroutine functions.
        rng: random source for the jitter (a fresh unseeded one by default).
        on_retry: called as ``on_retry(attempt, error, delay)`` before each sleep.

    Raises:
        ConfigError: a negative delay or fewer than one attempt.
    """
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ConfigError(f"max_attempts must be an integer >= 1, got {max_attempts!r}")
    if min(base_delay, max_delay, jitter) < 0:
        raise ConfigError("retry delays and jitter must be >= 0")
    policy = _Policy(max_attempts, base_delay, max_delay, jitter, retry_on, rng or random.Random(), on_retry)

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            return _retrying_async(fn, policy, async_sleep)
        return _retrying(fn, policy, sleep)

    return decorator


@dataclass(frozen=True)
class _Policy:
    """What :func:`retry_with_backoff` was given, shared by the plain and async wrappers."""

    max_attempts: int
    base_delay: float
    max_delay: float
    jitter: float
    retry_on: tuple[type[BaseException], ...]
    rng: random.Random
    on_retry: Callable[[int, BaseException, float], None] | None

    def delays(self) -> Iterator[tuple[int, float]]:
        """``(attempt, delay)`` for every attempt that may be followed by another."""
        delays = backoff_delays(self.max_attempts, self.base_delay, self.max_delay, self.jitter, self.rng)
        return enumerate(delays, start=1)

    def failed(self, attempt: int, error: BaseException, delay: float) -> None:
        if self.on_retry is not None:
            self.on_retry(attempt, error, delay)


def _retrying(fn: Callable[..., Any], policy: _Policy, sleep: Callable[[float], None]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt, delay in policy.delays():
            try:
                return fn(*args, **kwargs)
            except policy.retry_on as error:
                policy.failed(attempt, error, delay)
            sleep(delay)
        return fn(*args, **kwargs)

    return wrapper


def _retrying_async(
    fn: Callable[..., Awaitable[Any]], policy: _Policy, async_sleep: Callable[[float], Awaitable[None]]
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt, delay in policy.delays():
            try:
                return await fn(*args, **kwargs)
            except policy.retry_on as error:
                policy.failed(attempt, error, delay)
            await async_sleep(delay)
        return await fn(*args, **kwargs)

    return wrapper
