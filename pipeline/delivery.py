"""The concurrency layer: deliver records to an async downstream, losing none.

:class:`AsyncDeliverySink` hands each record to an async callable through
:func:`~pipeline.retry.retry_with_backoff` and an
:class:`~pipeline.breaker.AsyncCircuitBreaker`, at most ``concurrency`` deliveries at a
time. A record whose every attempt failed (the downstream raised, or the circuit refused
it) goes to ``dead_letters`` with the reason, so ``delivered + dead-lettered`` always
equals the records received.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.breaker import AsyncCircuitBreaker
from pipeline.errors import ConfigError
from pipeline.retry import retry_with_backoff
from pipeline.sinks import Sink

Downstream = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class DeadLetter:
    """A record that could not be delivered, and the last error it met."""

    record: Any
    reason: str


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`AsyncDeliverySink.deliver` call did."""

    received: int
    delivered: int
    dead_lettered: int
    retries: int


class AsyncDeliverySink(Sink):
    """Deliver each record to an async downstream with retries and a circuit breaker."""

    STAGE_NAME = "AsyncDeliverySink"

    def __init__(
        self,
        downstream: Downstream,
        *,
        breaker: AsyncCircuitBreaker | None = None,
        max_attempts: int = 3,
        base_delay: float = 0.05,
        max_delay: float = 1.0,
        jitter: float = 0.01,
        concurrency: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigError(f"concurrency must be an integer >= 1, got {concurrency!r}")
        self.downstream = downstream
        self.breaker = breaker if breaker is not None else AsyncCircuitBreaker()
        self.concurrency = concurrency
        self.delivered = 0
        self.retries = 0
        self.dead_letters: list[DeadLetter] = []
        self._send = retry_with_backoff(
            max_attempts=max_attempts,
            base_delay=base_delay,
            max_delay=max_delay,
            jitter=jitter,
            async_sleep=sleep,
            rng=rng if rng is not None else random.Random(0),
            on_retry=self._count_retry,
        )(self._attempt)

    def consume(self, stream: Iterable[Any]) -> int:
        """Deliver every record of ``stream`` in a fresh event loop; return the count."""
        return asyncio.run(self.deliver(stream)).received

    async def deliver(self, stream: Iterable[Any]) -> DeliveryReport:
        """Deliver every record of ``stream`` from within a running event loop."""
        before = (self.consumed, self.delivered, len(self.dead_letters), self.retries)
        slots = asyncio.Semaphore(self.concurrency)
        pending: set[asyncio.Task[None]] = set()
        for record in stream:
            self.consumed += 1
            await slots.acquire()
            task = asyncio.create_task(self._deliver_one(record))
            pending.add(task)
            task.add_done_callback(pending.discard)
            task.add_done_callback(lambda _: slots.release())
        if pending:
            await asyncio.gather(*pending)
        return DeliveryReport(
            received=self.consumed - before[0],
            delivered=self.delivered - before[1],
            dead_lettered=len(self.dead_letters) - before[2],
            retries=self.retries - before[3],
        )

    async def _attempt(self, record: Any) -> Any:
        return await self.breaker.call(self.downstream, record)

    async def _deliver_one(self, record: Any) -> None:
        try:
            await self._send(record)
        except Exception as error:  # every failure is kept: the point is to lose nothing
            self.dead_letters.append(DeadLetter(record, f"{type(error).__name__}: {error}"))
        else:
            self.delivered += 1

    def _count_retry(self, attempt: int, error: BaseException, delay: float) -> None:
        self.retries += 1
