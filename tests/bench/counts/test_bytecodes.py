"""Bytecodes by Python function: exact, repeatable, each function's own, named as git names its file."""

import json
import statistics
import sys
from pathlib import Path

import pytest

from pipebench.counts import bytecodes
from pipebench.errors import InputError

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
    ten, twenty = bytecodes.count(lambda: _loop(10)), bytecodes.count(lambda: _loop(20))
    assert _own(bytecodes.count(lambda: _loop(10)), _loop) == _own(ten, _loop)
    assert _own(twenty, _loop) > _own(ten, _loop)
    # The loop's body is the same bytecodes each time round: ten more rounds, ten times the same more.
    assert (_own(twenty, _loop) - _own(ten, _loop)) % 10 == 0


def test_a_callers_count_is_its_own_not_its_callees():
    counts = bytecodes.count(lambda: _calls_loop(50))
    assert _own(counts, _loop) == _own(bytecodes.count(lambda: _loop(50)), _loop)
    assert 0 < _own(counts, _calls_loop) < _own(counts, _loop)


def test_the_tracer_that_was_there_is_put_back():
    def other(frame, event, arg):
        return None

    sys.settrace(other)
    try:
        bytecodes.count(lambda: _loop(3))
        assert sys.gettrace() is other
    finally:
        sys.settrace(None)


def test_code_is_named_by_its_path_in_the_repository_or_on_the_import_path():
    root = (ROOT / "pipebench_pipeline").resolve().parent
    names = bytecodes.by_function(bytecodes.count(lambda: statistics.median([3, 1, 2])), [root])
    assert "statistics.py:median" in names
    from pipebench_pipeline import windows

    window = windows.MonotonicWindow(3)
    names = bytecodes.by_function(bytecodes.count(lambda: window.push(1.0)), [root])
    assert "pipeline/windows.py:MonotonicWindow.push" in names
    assert list(names.values()) == sorted(names.values(), reverse=True)


def test_a_case_traced_in_its_worker_is_kept_beside_its_profile_and_repeats(tmp_path):
    case = "windows[strategy=monotonic,n=1000,w=10]"
    counted = []
    for attempt in ("a", "b"):
        directory = tmp_path / attempt / "callgrind"
        directory.mkdir(parents=True)
        assert bytecodes.main(["quick", str(directory), case]) == 0
        counted.append(bytecodes.kept(tmp_path / attempt, case))
    assert counted[0] == counted[1]
    assert counted[0]["pipeline/windows.py:MonotonicWindow.push"] >= 1000  # one push a record at least


def test_a_run_without_bytecodes_has_none_and_a_damaged_file_is_one_line(tmp_path):
    assert bytecodes.kept(tmp_path, "records[kind=dict,n=1000]") is None
    (tmp_path / "callgrind").mkdir()
    path = tmp_path / "callgrind" / "records-kind=dict-n=1000.bytecodes.json"
    path.write_text(json.dumps({"f": "many"}))
    with pytest.raises(InputError, match="not a table of bytecode counts"):
        bytecodes.kept(tmp_path, "records[kind=dict,n=1000]")
