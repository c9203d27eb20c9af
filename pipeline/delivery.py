"""The concurrency layer: deliver records to an async downstream, losing none.

:class:`AsyncDeliverySink` hands each record to an async callable through
:func:`~pipeline.retry.retry_with_backoff` and an
:class:`~pipeline.breaker.AsyncCircuitBreaker`, at most ``concurrency`` deliveries at a
time. A record whose every attempt failed (the downstream raised, or the circuit refused
it) goes to ``dead_letters`` with the reason, so ``delivered + dead-lettered`` always
equals the records received, including when the upstream raises (the deliveries in
flight finish first) and when the delivery is cancelled (those in flight are cancelled
and dead-lettered). Once :meth:`AsyncDeliverySink.deliver` has returned or raised, no
delivery of it is left running: the downstream is never called after the sink is done.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .breaker import AsyncCircuitBreaker
from .errors import ConfigError
from .retry import retry_with_backoff
from .sinks import Sink

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
        """Deliver every record of ``stream`` from within a running event loop.

        Raises:
            Exception: what the upstream raised, once the deliveries in flight are done.
            asyncio.CancelledError: the delivery was cancelled; the records in flight and
                the one waiting for a slot are dead-lettered.
        """
        before = (self.consumed, self.delivered, len(self.dead_letters), self.retries)
        slots = asyncio.Semaphore(self.concurrency)
        # Every delivery started and not yet accounted for, with its record: a task
        # cancelled before it ever ran never reaches its own accounting.
        pending: dict[asyncio.Task[None], Any] = {}
        try:
            for record in stream:
                self.consumed += 1
                try:
                    await slots.acquire()
                except asyncio.CancelledError:
                    self._dead_letter(record, "CancelledError: delivery cancelled before it started")
                    raise
                task = asyncio.create_task(self._deliver_one(record, slots, pending))
                pending[task] = record
            if pending:
                await asyncio.gather(*pending)
        except asyncio.CancelledError:
            await self._settle(pending, cancel=True)
            raise
        except BaseException:
            await self._settle(pending, cancel=False)
            raise
        return DeliveryReport(
            received=self.consumed - before[0],
            delivered=self.delivered - before[1],
            dead_lettered=len(self.dead_letters) - before[2],
            retries=self.retries - before[3],
        )

    async def _settle(self, pending: dict[asyncio.Task[None], Any], *, cancel: bool) -> None:
        """Wait for every delivery in flight to end (cancelled first if asked to) and account for all.

        A cancellation that arrives while waiting cancels what is left and is raised once
        every record is accounted for.
        """
        interrupted = False
        while True:
            running = [task for task in pending if not task.done()]
            if cancel:
                for task in running:
                    task.cancel()
            if not running:
                break
            try:
                await asyncio.wait(running)
            except asyncio.CancelledError:
                interrupted = cancel = True
        for record in pending.values():  # cancelled before they ever ran
            self._dead_letter(record, "CancelledError: delivery cancelled before it started")
        pending.clear()
        if interrupted:
            raise asyncio.CancelledError

    async def _attempt(self, record: Any) -> Any:
        return await self.breaker.call(self.downstream, record)

    async def _deliver_one(self, record: Any, slots: asyncio.Semaphore, pending: dict[asyncio.Task[None], Any]) -> None:
        try:
            await self._send(record)
        except asyncio.CancelledError:
            self._dead_letter(record, "CancelledError: delivery cancelled in flight")
            raise
        except Exception as error:  # every failure is kept: the point is to lose nothing
            self._dead_letter(record, f"{type(error).__name__}: {error}")
        else:
            self.delivered += 1
        finally:
            pending.pop(asyncio.current_task(), None)
            slots.release()

    def _dead_letter(self, record: Any, reason: str) -> None:
        self.dead_letters.append(DeadLetter(record, reason))

    def _count_retry(self, attempt: int, error: BaseException, delay: float) -> None:
        self.retries += 1
