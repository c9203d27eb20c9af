"""Reading the three formats from real files, and refusing bad ones."""

import json
from pathlib import Path

import pytest

from bench.errors import InputError
from bench.inputs import load_side

DATA = Path(__file__).resolve().parents[1] / "data"


def test_pipebench_run_directory():
    side = load_side(DATA / "run_small")
    assert side.kind == "pipebench"
    assert ("windows[strategy=scipy,n=1000,w=10]", "time") in side.measures
    memory = side.measures[("windows[strategy=scipy,n=1000,w=10]", "memory")]
    assert memory.exact and memory.unit == "bytes"
    assert side.ratios["windows[strategy=scipy,n=1000,w=10]"].samples


def test_pytest_benchmark_file_is_keyed_by_fullname_with_the_case_id_as_alias():
    side = load_side(DATA / "pytest_benchmark.json")
    assert side.kind == "pytest-benchmark"
    key = ("bench/bench_suites.py::test_windows[strategy=scipy,n=1000,w=10]", "time")
    measure = side.measures[key]
    assert measure.alias == "windows[strategy=scipy,n=1000,w=10]"
    assert measure.unit == "ns/record" and len(measure.samples) >= 20


def test_pyperf_file_is_keyed_by_benchmark_name():
    side = load_side(DATA / "run_small" / "pyperf.json")
    assert side.kind == "pyperf"
    measure = side.measures[("windows[strategy=deque,n=1000,w=10]", "time")]
    assert measure.unit == "ns/record" and len(measure.samples) >= 6
    pipebench = load_side(DATA / "run_small").measures[("windows[strategy=deque,n=1000,w=10]", "time")]
    assert measure.center == pytest.approx(pipebench.center)


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
        (broken_pytest, "malformed pytest-benchmark"),
        (broken_pyperf, "malformed pyperf"),
        (lambda tmp: tmp, "missing"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as error:
        load_side(path)
    assert str(path) in str(error.value)
