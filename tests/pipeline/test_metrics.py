"""measured_stage: per-instance metrics, a stage's own time, no output."""

import itertools

from pipebench_pipeline.metrics import StageMetrics, measured_stage


class FakeClock:
    """A clock that advances by ``step`` on every read."""

    def __init__(self, step=1.0):
        self.now = 0.0
        self.step = step

    def __call__(self):
        self.now += self.step
        return self.now


class Doubler:
    def __init__(self, clock, measure=True):
        self.clock = clock
        self.metrics = StageMetrics("Doubler") if measure else None

    @measured_stage
    def transform(self, stream):
        for item in stream:
            yield item * 2


def test_counts_records_and_runs_per_instance():
    first, second = Doubler(FakeClock()), Doubler(FakeClock())
    assert list(first.transform(range(3))) == [0, 2, 4]
    list(first.transform(range(2)))
    assert (first.metrics.records, first.metrics.runs) == (5, 2)
    assert (second.metrics.records, second.metrics.runs) == (0, 0)


def test_metrics_are_recorded_only_when_the_stream_is_exhausted():
    stage = Doubler(FakeClock())
    stream = stage.transform(range(10))
    list(itertools.islice(stream, 3))
    assert stage.metrics.runs == 0


def test_own_time_excludes_the_upstream():
    """With a clock ticking once per read, both stages of a chain see equal own time."""
    clock = FakeClock()
    upstream, downstream = Doubler(clock), Doubler(clock)
    list(downstream.transform(upstream.transform(range(4))))
    # Each stage reads the clock twice per next() on itself (5 calls, StopIteration
    # included) and subtracts the two reads around each pull from its upstream.
    assert upstream.metrics.seconds == downstream.metrics.seconds != 0


def test_records_per_second():
    metrics = StageMetrics("x", records=10, seconds=2.0)
    assert metrics.records_per_second == 5.0
    assert StageMetrics("y").records_per_second == float("inf")


def test_unmeasured_stage_runs_undecorated(capsys):
    stage = Doubler(FakeClock(), measure=False)
    assert list(stage.transform(range(3))) == [0, 2, 4]
    assert stage.metrics is None
    assert capsys.readouterr() == ("", "")
