"""The counted side of a pytest session: the benchmark argument that counts instead of timing."""

import pytest

from pipebench.pytest.counting import CountingBenchmark


class Switches:
    def __init__(self):
        self.events = []
        self.collecting = True

    def start_instrumentation(self):
        self.events.append("start")

    def stop_instrumentation(self):
        self.events.append("stop")

    def zero(self):
        self.events.append("zero")

    def collect(self, on):
        was = self.collecting
        if on != was:
            self.events.append("collect" if on else "uncollected")
            self.collecting = on
        return was

    def dump(self, label):
        self.events.append(label)

    def prepare(self, *labels):
        pass


class Fixture:
    name = "test_parse"
    group = "parse"


def test_the_function_is_warmed_then_called_for_each_dump_and_its_value_returned():
    switches, calls = Switches(), []
    counting = CountingBenchmark([0, 2], 3, switches, Fixture())

    def parse(line, sep=","):
        calls.append(line)
        return line.split(sep)

    assert counting(parse, "a;b", sep=";") == ["a", "b"]
    # The warm-ups, one collected before the warm-up's own dump, the two segments, one traced.
    assert len(calls) == 3 + 1 + 0 + 2 + 1
    assert [code.co_name for code in counting.bytecodes] == ["<lambda>", "parse"]
    # The last warm-up calls run instrumented, the first uncollected: they fill the simulated caches.
    assert switches.events == ["start", "uncollected", "collect", "zero", "warmed", "calls=0", "calls=2", "stop"]
    assert counting.called and counting.enabled and counting.stats is None


def test_a_setup_runs_before_every_call_uncollected():
    switches = Switches()
    counting = CountingBenchmark([0, 1], 0, switches)
    made = []

    def setup():
        made.append(len(made))
        return (made[-1],), {}

    assert counting.pedantic(lambda value: value * 10, setup=setup, rounds=50) == 0
    assert made == [0, 1]  # the counted call's, then the traced call's, made uncollected
    assert switches.events == ["start", "zero", "warmed", "calls=0", "uncollected", "collect", "calls=1", "stop"]


def test_a_setup_during_the_uncollected_warm_up_call_leaves_collection_off():
    switches = Switches()
    counting = CountingBenchmark([0, 1], 1, switches)
    states = []

    def setup():
        states.append(switches.collecting)
        return (1,), {}

    counting.pedantic(lambda value: value, setup=setup)
    # The uncollected warm-up's, the collected warm-up's and the counted call's (the traced
    # one runs uninstrumented).
    assert states[:3] == [False, False, False]
    assert switches.events == [
        "start",
        "uncollected",
        "collect",
        "uncollected",
        "collect",
        "zero",
        "warmed",
        "calls=0",
        "uncollected",
        "collect",
        "calls=1",
        "stop",
    ]


def test_what_a_test_reads_of_pytest_benchmarks_fixture_comes_from_it():
    counting = CountingBenchmark([0, 2], 0, Switches(), Fixture())
    assert (counting.name, counting.group) == ("test_parse", "parse")
    counting.extra_info["records"] = 10
    assert counting.extra_info == {"records": 10}
    with pytest.raises(AttributeError):
        getattr(CountingBenchmark([0, 2], 0, Switches()), "name")  # noqa: B009


def test_a_benchmark_called_twice_in_one_test_is_refused():
    counting = CountingBenchmark([0, 2], 0, Switches())
    counting(len, "abc")
    with pytest.raises(RuntimeError, match="called its benchmark twice"):
        counting(len, "abc")


def test_a_function_that_cannot_be_called_once_more_keeps_its_counts_without_bytecodes():
    counting, left = CountingBenchmark([0, 2], 1, Switches()), [1, 2, 3, 4]

    def take():
        return left.pop()

    assert counting(take) == 1  # the warm-up calls took 4 and 3, the counted ones 2 and 1; the traced one found none
    assert counting.bytecodes is None and left == []
