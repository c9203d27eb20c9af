"""The bytecode tracer: exact, repeatable, each function's own, named as git names its file."""

import statistics
import sys
from pathlib import Path

from pipebench.counts import tracing

ROOT = Path(__file__).resolve().parents[3]


def _loop(times):
    total = 0
    for number in range(times):
        total += number
    return total


def _calls_loop(times):
    return _loop(times) + 1


def _own(counts, function):
    return counts[function.__code__]


def test_a_function_given_more_work_executes_more_bytecodes_and_the_same_work_the_same():
    ten, twenty = tracing.count(lambda: _loop(10)), tracing.count(lambda: _loop(20))
    assert _own(tracing.count(lambda: _loop(10)), _loop) == _own(ten, _loop)
    assert _own(twenty, _loop) > _own(ten, _loop)
    # The loop's body is the same bytecodes each time round: ten more rounds, ten times the same more.
    assert (_own(twenty, _loop) - _own(ten, _loop)) % 10 == 0


def test_a_callers_count_is_its_own_not_its_callees():
    counts = tracing.count(lambda: _calls_loop(50))
    assert _own(counts, _loop) == _own(tracing.count(lambda: _loop(50)), _loop)
    assert 0 < _own(counts, _calls_loop) < _own(counts, _loop)


def test_the_tracer_that_was_there_is_put_back():
    def other(frame, event, arg):
        return None

    sys.settrace(other)
    try:
        tracing.count(lambda: _loop(3))
        assert sys.gettrace() is other
    finally:
        sys.settrace(None)


def test_code_is_named_by_its_path_in_the_repository_or_on_the_import_path():
    root = (ROOT / "pipebench_pipeline").resolve().parent
    names = tracing.by_function(tracing.count(lambda: statistics.median([3, 1, 2])), [root])
    assert "statistics.py:median" in names
    from pipebench_pipeline import windows

    window = windows.MonotonicWindow(3)
    names = tracing.by_function(tracing.count(lambda: window.push(1.0)), [root])
    assert "pipeline/windows.py:MonotonicWindow.push" in names
    assert list(names.values()) == sorted(names.values(), reverse=True)
