"""AsyncCircuitBreaker: the three states, one probe at a time, an injected clock."""

import asyncio

import pytest

from pipebench_pipeline.breaker import AsyncCircuitBreaker, BreakerState
from pipebench_pipeline.errors import CircuitOpenError, ConfigError


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


async def ok():
    return "ok"


async def boom():
    raise ConnectionError("down")


def run(coro):
    return asyncio.run(coro)


async def fail_times(breaker, count):
    for _ in range(count):
        with pytest.raises(ConnectionError):
            await breaker.call(boom)


async def half_open(timeout, **options):
    """A breaker of threshold 1 opened by one failure at t=0, its clock just past the timeout."""
    clock = Clock()
    breaker = AsyncCircuitBreaker(1, timeout, clock=clock, **options)
    await fail_times(breaker, 1)
    clock.now = timeout + 1.0
    return clock, breaker


def test_opens_after_threshold_consecutive_failures():
    async def scenario():
        breaker = AsyncCircuitBreaker(failure_threshold=3, reset_timeout=5.0, clock=Clock())
        await fail_times(breaker, 2)
        assert breaker.state is BreakerState.CLOSED
        await fail_times(breaker, 1)
        assert breaker.state is BreakerState.OPEN
        with pytest.raises(CircuitOpenError):
            await breaker.call(ok)

    run(scenario())


def test_success_resets_the_failure_count():
    async def scenario():
        breaker = AsyncCircuitBreaker(failure_threshold=2, clock=Clock())
        await fail_times(breaker, 1)
        assert await breaker.call(ok) == "ok"
        await fail_times(breaker, 1)
        assert breaker.state is BreakerState.CLOSED

    run(scenario())


def test_half_open_probe_success_closes():
    async def scenario():
        clock = Clock()
        changes = []
        breaker = AsyncCircuitBreaker(1, 5.0, clock=clock, on_change=lambda a, b: changes.append((a, b)))
        await fail_times(breaker, 1)
        clock.now = 4.9
        assert breaker.state is BreakerState.OPEN
        clock.now = 5.0
        assert breaker.state is BreakerState.HALF_OPEN
        assert await breaker.call(ok) == "ok"
        assert breaker.state is BreakerState.CLOSED
        assert [b for _, b in changes] == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]

    run(scenario())


def test_half_open_probe_failure_reopens_for_another_timeout():
    async def scenario():
        clock, breaker = await half_open(5.0)
        await fail_times(breaker, 1)
        assert breaker.state is BreakerState.OPEN
        clock.now = 10.9
        with pytest.raises(CircuitOpenError):
            await breaker.call(ok)
        clock.now = 11.0
        assert await breaker.call(ok) == "ok"

    run(scenario())


def test_only_one_probe_at_a_time_in_half_open():
    async def scenario():
        _, breaker = await half_open(1.0)
        release = asyncio.Event()

        async def slow():
            await release.wait()
            return "probe"

        probe = asyncio.create_task(breaker.call(slow))
        await asyncio.sleep(0)
        with pytest.raises(CircuitOpenError, match="probe"):
            await breaker.call(ok)
        release.set()
        assert await probe == "probe"
        assert breaker.state is BreakerState.CLOSED

    run(scenario())


def test_errors_not_counted_pass_through_without_opening():
    async def scenario():
        breaker = AsyncCircuitBreaker(1, counted=(ConnectionError,), clock=Clock())

        async def bad_input():
            raise ValueError("caller's fault")

        with pytest.raises(ValueError):
            await breaker.call(bad_input)
        assert breaker.state is BreakerState.CLOSED

    run(scenario())


@pytest.mark.parametrize("kwargs", [{"failure_threshold": 0}, {"reset_timeout": -1}])
def test_invalid_settings_raise(kwargs):
    with pytest.raises(ConfigError):
        AsyncCircuitBreaker(**kwargs)
