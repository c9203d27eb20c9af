"""Malformed results, pytest-benchmark and pyperf files: exit 0, 1 or 2, at most one line, no traceback.

hypothesis breaks real files in the ways a hostile or unlucky user would: wrong types,
missing keys, NaN, infinities, negative and zero numbers, empty samples, deep nesting,
huge arrays, names that are paths or markup. ``report`` and ``compare`` must answer each
with an exit code and at most one line on stderr, and write nothing outside their output
directory. ``PIPEBENCH_FUZZ_EXAMPLES`` raises the number of examples for a longer hunt.
"""

import copy
import io
import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipebench.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
RUN = DATA / "run_windows_small"
EXAMPLES = int(os.environ.get("PIPEBENCH_FUZZ_EXAMPLES", "60"))

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1e308, math.nan, math.inf, -math.inf, 2**70, 0.0, -0.0]),
    st.sampled_from(["", "<script>alert(1)</script>", "../../escape", "a/b", "=cmd()", "| x |", "nan", "**x**"]),
    st.just([]),
    st.just({}),
    st.just([1.0] * 50_000),
    st.just(json.loads("[" * 200 + "]" * 200)),
    st.text(max_size=20),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5),
)


def _paths(document, prefix=()):
    """Every (path, value) inside a JSON document, down to six levels and six items a list."""
    yield prefix, document
    if len(prefix) >= 6:
        return
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:6]):
            yield from _paths(value, (*prefix, index))


def _set(document, path, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _delete(document, path):
    target = document
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]


@st.composite
def broken(draw, original):
    """``original`` with one to three of its values replaced by junk or removed."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path, _ in _paths(document) if path]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(path[-1], str):
            _delete(document, path)
        else:
            _set(document, path, copy.deepcopy(draw(JUNK)))  # junk values are shared: never mutate them
    return document


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _assert_clean(code, err):
    assert code in (0, 1, 2), err
    assert err.count("\n") <= 1 and "Traceback" not in err, err


RESULTS = json.loads((RUN / "results.json").read_text())
PYTEST_BENCHMARK = json.loads((DATA / "pytest_benchmark.json").read_text())
PYPERF = json.loads((RUN / "pyperf.json").read_text())
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(document=broken(RESULTS))
def test_report_on_a_broken_results_file(tmp_path_factory, document):
    run_dir = tmp_path_factory.mktemp("run")
    (run_dir / "results.json").write_text(json.dumps(document))
    out_dir = tmp_path_factory.mktemp("out")
    code, _, err = _run("report", run_dir, "--out", out_dir)
    _assert_clean(code, err)
    assert sorted(p.name for p in run_dir.iterdir()) == ["results.json"]  # nothing written beside the run


@FUZZ
@given(document=broken(RESULTS))
def test_compare_against_a_broken_results_file(tmp_path_factory, document):
    run_dir = tmp_path_factory.mktemp("run")
    (run_dir / "results.json").write_text(json.dumps(document))
    for argv in (("compare", RUN, run_dir), ("compare", run_dir, RUN, "--format", "json")):
        code, out, err = _run(*argv)
        _assert_clean(code, err)
        if "--format" in argv and code in (0, 1):
            json.loads(out, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))


@pytest.mark.slow
@FUZZ
@given(document=broken(PYTEST_BENCHMARK))
def test_compare_with_a_broken_pytest_benchmark_file(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("pb") / "bench.json"
    path.write_text(json.dumps(document))
    code, _, err = _run("compare", path, DATA / "pytest_benchmark.json", "--format", "github-action-benchmark")
    _assert_clean(code, err)


@FUZZ
@given(document=broken(PYPERF))
def test_compare_with_a_broken_pyperf_file(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("pyperf") / "pyperf.json"
    path.write_text(json.dumps(document))
    code, _, err = _run("compare", RUN / "pyperf.json", path)
    _assert_clean(code, err)


def test_what_the_fuzzer_found_stays_fixed(tmp_path):
    """A group with no brackets (report's plot labels), and a round count of infinity (pytest-benchmark)."""
    results = copy.deepcopy(RESULTS)
    for row in results["rows"]:
        row["group"] = "windows"
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "results.json").write_text(json.dumps(results))
    code, _, err = _run("report", run_dir, "--out", tmp_path / "out")
    _assert_clean(code, err)
    document = copy.deepcopy(PYTEST_BENCHMARK)
    document["benchmarks"][0]["stats"]["rounds"] = math.inf
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(document))
    code, _, err = _run("compare", path, DATA / "pytest_benchmark.json")
    assert code == 2 and "rounds" in err


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 1))  # five commands an example
@given(metadata=broken(RESULTS["metadata"]))
def test_every_command_on_broken_run_metadata(tmp_path_factory, metadata):
    """Run metadata is what a run says of itself (its suites, method, conditions, counts): every reader checks it."""
    run_dir = tmp_path_factory.mktemp("run")
    (run_dir / "results.json").write_text(json.dumps({**RESULTS, "metadata": metadata}))
    out_dir = tmp_path_factory.mktemp("out")
    for argv in (
        ("report", run_dir, "--out", out_dir),
        ("compare", RUN, run_dir),
        ("compare", run_dir, RUN, "--format", "md"),
        ("history", RUN, run_dir, "--format", "json"),
        ("export", run_dir),
    ):
        code, _, err = _run(*argv)
        _assert_clean(code, err)


def _shards():
    """RESULTS cut in two shards by case (metadata as `run --shard` writes it), without tool files."""
    cases = sorted({row["case_id"] for row in RESULTS["rows"]})
    halves = [cases[: len(cases) // 2], cases[len(cases) // 2 :]]
    shards = []
    for index, half in enumerate(halves, start=1):
        document = copy.deepcopy(RESULTS)
        document["run_id"] = f"{RESULTS['run_id']}-{index}"
        document["rows"] = [row for row in document["rows"] if row["case_id"] in half and row["tool"] != "pyperf"]
        document["metadata"]["shard"] = {"index": index, "count": 2, "selection": "0123456789ab"}
        shards.append(document)
    return shards


SHARDS = _shards()


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))
@given(document=broken(SHARDS[0]))
def test_merge_of_a_broken_shard(tmp_path_factory, document):
    """A shard is a run of its own: any damage is one line and exit 2, and nothing half-merged is left."""
    root = tmp_path_factory.mktemp("merge")
    for name, content in (("s1", document), ("s2", SHARDS[1])):
        (root / name).mkdir()
        (root / name / "results.json").write_text(json.dumps(content))
    code, _, err = _run("merge", root / "s1", root / "s2", "--out", root / "merged")
    _assert_clean(code, err)
    assert code in (0, 2)
    if code == 2:
        assert not (root / "merged").exists()
    else:
        assert (root / "merged" / "results.json").is_file() and not (root / "merged" / "INCOMPLETE").exists()


def test_the_unbroken_shards_merge():
    """The fuzz's starting point is a valid pair of shards (else every example would end in exit 2)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for index, content in enumerate(SHARDS, start=1):
            (root / f"s{index}").mkdir()
            (root / f"s{index}" / "results.json").write_text(json.dumps(content))
        code, _, err = _run("merge", root / "s1", root / "s2", "--out", root / "merged")
        assert code == 0, err
