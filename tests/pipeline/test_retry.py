"""retry_with_backoff: attempts, delays, jitter, selective retry, sync and async."""

import asyncio
import random

import pytest

from pipebench_pipeline.errors import ConfigError
from pipebench_pipeline.retry import backoff_delays, retry_with_backoff


class Flaky:
    """Fails ``failures`` times with ``error``, then returns ``"ok"``."""

    def __init__(self, failures, error=ConnectionError):
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"failure {self.calls}")
        return "ok"


def test_succeeds_after_transient_failures_with_doubling_delays():
    sleeps = []
    flaky = Flaky(2)
    call = retry_with_backoff(max_attempts=3, base_delay=0.1, jitter=0, sleep=sleeps.append)(flaky)
    assert call() == "ok"
    assert flaky.calls == 3
    assert sleeps == [0.1, 0.2]


def test_reraises_the_last_error_when_attempts_run_out():
    flaky = Flaky(10)
    call = retry_with_backoff(max_attempts=4, base_delay=0, jitter=0, sleep=lambda s: None)(flaky)
    with pytest.raises(ConnectionError, match="failure 4"):
        call()
    assert flaky.calls == 4


def test_errors_outside_retry_on_propagate_at_once():
    flaky = Flaky(1, error=KeyError)
    call = retry_with_backoff(retry_on=(ConnectionError,), sleep=lambda s: None)(flaky)
    with pytest.raises(KeyError):
        call()
    assert flaky.calls == 1


def test_delay_is_capped_and_jitter_is_bounded_and_reproducible():
    delays = list(backoff_delays(6, 1.0, 5.0, 0.5, random.Random(1)))
    bases = [1.0, 2.0, 4.0, 5.0, 5.0]
    assert all(base <= d <= base + 0.5 for d, base in zip(delays, bases, strict=True))
    assert delays == list(backoff_delays(6, 1.0, 5.0, 0.5, random.Random(1)))


def test_async_functions_are_retried_with_the_async_sleep():
    sleeps = []

    async def fake_sleep(seconds):
        sleeps.append(seconds)

    attempts = []

    @retry_with_backoff(max_attempts=3, base_delay=0.5, jitter=0, async_sleep=fake_sleep)
    async def fetch():
        attempts.append(1)
        if len(attempts) < 3:
            raise TimeoutError("slow")
        return 42

    assert asyncio.run(fetch()) == 42
    assert sleeps == [0.5, 1.0]


def test_on_retry_sees_each_failed_attempt():
    seen = []
    call = retry_with_backoff(
        max_attempts=3, base_delay=0, jitter=0, sleep=lambda s: None, on_retry=lambda a, e, d: seen.append(a)
    )(Flaky(2))
    call()
    assert seen == [1, 2]


def test_single_attempt_never_sleeps():
    sleeps = []
    call = retry_with_backoff(max_attempts=1, sleep=sleeps.append)(Flaky(1))
    with pytest.raises(ConnectionError):
        call()
    assert sleeps == []


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"max_attempts": 1.5}, {"base_delay": -1}, {"jitter": -0.1}])
def test_invalid_settings_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        retry_with_backoff(**kwargs)
