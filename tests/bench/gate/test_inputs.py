"""Reading the three formats from real files, and refusing bad ones."""

import json
from pathlib import Path

import pytest

from pipebench.errors import InputError
from pipebench.gate.inputs import load_gate_input

DATA = Path(__file__).resolve().parents[2] / "data"


def test_pipebench_run_directory():
    side = load_gate_input(DATA / "run_small")
    assert side.kind == "pipebench"
    assert ("windows[strategy=scipy,n=1000,w=10]", "time") in side.measures
    memory = side.measures[("windows[strategy=scipy,n=1000,w=10]", "memory")]
    assert memory.exact and memory.unit == "bytes"
    assert side.ratios["windows[strategy=scipy,n=1000,w=10]"].samples
    ratio = side.ratios["windows[strategy=scipy,n=1000,w=10]"]
    assert len(ratio.clusters) >= 2  # one cluster per worker process
    counted = side.measures[("windows[strategy=scipy,n=1000,w=10]", "instructions")]
    assert counted.exact and counted.center > 0
    assert side.metadata["method"]["version"] >= 2


def test_pytest_benchmark_file_is_keyed_by_fullname_with_the_case_id_as_alias():
    side = load_gate_input(DATA / "pytest_benchmark.json")
    assert side.kind == "pytest-benchmark"
    key = ("bench/pytest/bench_suites.py::test_windows[strategy=scipy,n=1000,w=10]", "time")
    measure = side.measures[key]
    assert measure.case_id == "windows[strategy=scipy,n=1000,w=10]"
    assert measure.unit == "ns/record" and len(measure.samples) >= 20
    assert len(measure.clusters) == 10  # one session: contiguous batches of rounds


def test_pyperf_file_is_keyed_by_benchmark_name():
    side = load_gate_input(DATA / "run_small" / "pyperf.json")
    assert side.kind == "pyperf"
    measure = side.measures[("windows[strategy=deque,n=1000,w=10]", "time")]
    assert measure.unit == "ns/record" and len(measure.samples) >= 6
    pipebench = load_gate_input(DATA / "run_small").measures[("windows[strategy=deque,n=1000,w=10]", "time")]
    assert measure.center == pytest.approx(pipebench.center)
    assert [len(c) for c in measure.clusters] == [len(c) for c in pipebench.clusters]  # pyperf runs = processes


def test_batches_keep_order_and_cover_every_value():
    from pipebench.gate.inputs import batches

    assert batches([1, 2, 3, 4, 5], 2) == ((1, 2, 3), (4, 5))
    assert batches(list(range(100)), 10)[3] == tuple(range(30, 40))
    assert batches([7.0], 10) == ((7.0,),)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1", True, None])
def test_times_that_are_not_positive_numbers_are_refused(tmp_path, bad):
    data = json.loads((DATA / "pytest_benchmark.json").read_text())
    data["benchmarks"][0]["stats"]["median"] = bad
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="malformed benchmark file"):
        load_gate_input(path)


def truncated(tmp_path):
    path = tmp_path / "t.json"
    path.write_text((DATA / "pytest_benchmark.json").read_text()[:500])
    return path


def neither(tmp_path):
    path = tmp_path / "n.json"
    path.write_text(json.dumps({"hello": "world"}))
    return path


def broken_pytest(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"machine_info": {}, "benchmarks": [{"fullname": "x"}]}))
    return path


def broken_pyperf(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"version": "1.0", "benchmarks": [{"runs": "nope"}]}))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.json", "no such file"),
        (truncated, "unreadable JSON"),
        (neither, "neither a pipebench run"),
        (broken_pytest, "malformed benchmark file"),
        (broken_pyperf, "malformed pyperf"),
        (lambda tmp: tmp, "missing"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as error:
        load_gate_input(path)
    assert str(path) in str(error.value)
