"""AsyncDeliverySink: retries and the breaker wired in; nothing is lost under faults."""

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipebench_pipeline.breaker import AsyncCircuitBreaker
from pipebench_pipeline.delivery import AsyncDeliverySink
from pipebench_pipeline.errors import ConfigError


class FakeTime:
    """A clock for the breaker and a sleep that advances it instead of waiting."""

    def __init__(self):
        self.now = 0.0
        self.slept = 0.0

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds
        await asyncio.sleep(0)


class Downstream:
    """Records what arrives; ``fails(record, now)`` decides whether a call fails."""

    def __init__(self, time, fails):
        self.time = time
        self.fails = fails
        self.received = []
        self.calls = 0

    async def __call__(self, record):
        self.calls += 1
        await asyncio.sleep(0)
        if self.fails(record, self.time.now):
            raise ConnectionError(f"refused {record}")
        self.received.append(record)


def make_sink(time, downstream, **kwargs):
    breaker = AsyncCircuitBreaker(failure_threshold=3, reset_timeout=1.0, clock=time.clock)
    settings = {"base_delay": 0.1, "max_attempts": 4, "concurrency": 3, "sleep": time.sleep, **kwargs}
    return AsyncDeliverySink(downstream, breaker=breaker, rng=random.Random(0), **settings)


def test_flaky_downstream_failing_30_percent_loses_nothing():
    time = FakeTime()
    rng = random.Random(42)
    downstream = Downstream(time, lambda record, now: rng.random() < 0.3)
    sink = make_sink(time, downstream)
    assert sink.consume(range(500)) == 500
    dead = [letter.record for letter in sink.dead_letters]
    assert sink.delivered + len(dead) == 500
    assert sorted(downstream.received + dead) == list(range(500))
    assert sink.retries > 0 and sink.delivered > 400
    assert time.slept > 0


def test_downstream_down_for_a_while_recovers_after_the_breaker_reopens():
    time = FakeTime()
    downstream = Downstream(time, lambda record, now: now < 2.0)
    sink = make_sink(time, downstream, max_attempts=8, concurrency=1)
    sink.consume(range(20))
    assert sink.delivered == 20 and sink.dead_letters == []
    assert downstream.received == list(range(20))
    # Every record was delivered, so attempts = records + retries; the breaker refused some
    # of them without calling the downstream while it was open.
    assert downstream.calls < 20 + sink.retries


def test_downstream_always_failing_dead_letters_every_record_with_a_reason():
    time = FakeTime()
    downstream = Downstream(time, lambda record, now: True)
    sink = make_sink(time, downstream)
    sink.consume(range(10))
    assert sink.delivered == 0
    assert sorted(d.record for d in sink.dead_letters) == list(range(10))
    reasons = {d.reason.split(":")[0] for d in sink.dead_letters}
    assert reasons <= {"ConnectionError", "CircuitOpenError"} and "CircuitOpenError" in reasons


def test_deliver_reports_each_call_separately():
    time = FakeTime()
    sink = make_sink(time, Downstream(time, lambda record, now: False))

    async def twice():
        return await sink.deliver(range(3)), await sink.deliver(range(2))

    first, second = asyncio.run(twice())
    assert (first.received, first.delivered, second.received, second.delivered) == (3, 3, 2, 2)


def test_invalid_concurrency_is_rejected():
    with pytest.raises(ConfigError):
        AsyncDeliverySink(lambda r: None, concurrency=0)


def _stream(records, fails_after):
    for index, record in enumerate(records):
        if index == fails_after:
            raise RuntimeError("upstream broke")
        yield record


@settings(max_examples=300, deadline=None)
@given(
    records=st.integers(0, 60),
    failing=st.sets(st.integers(0, 59)),
    concurrency=st.integers(1, 6),
    cancel_after=st.one_of(st.none(), st.integers(0, 200)),
    upstream_fails_after=st.one_of(st.none(), st.integers(0, 60)),
)
def test_nothing_is_lost_and_nothing_is_called_after_the_sink_is_done(
    records, failing, concurrency, cancel_after, upstream_fails_after
):
    """Any fault schedule, any cancellation point, an upstream that may raise: delivered + dead = received."""
    time = FakeTime()
    downstream = Downstream(time, lambda record, now: record in failing)
    sink = make_sink(time, downstream, concurrency=concurrency)

    async def scenario():
        task = asyncio.create_task(sink.deliver(_stream(range(records), upstream_fails_after)))
        if cancel_after is not None:
            for _ in range(cancel_after):
                await asyncio.sleep(0)
            task.cancel()
        outcome = await asyncio.gather(task, return_exceptions=True)
        calls_when_done = downstream.calls
        for _ in range(50):  # anything still running would call the downstream now
            await asyncio.sleep(0)
        return outcome[0], calls_when_done

    outcome, calls_when_done = asyncio.run(scenario())
    assert downstream.calls == calls_when_done
    dead = [letter.record for letter in sink.dead_letters]
    assert sink.delivered + len(dead) == sink.consumed
    assert sorted(downstream.received + dead) == list(range(sink.consumed))
    if isinstance(outcome, RuntimeError):
        assert sink.consumed == upstream_fails_after
