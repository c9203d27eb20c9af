"""The results store: atomic writes, incomplete runs, loading and its errors."""

import json
import os

import pytest

from pipebench import store
from pipebench.errors import InputError


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "f.json"
    store.atomic_write_json(path, {"a": 1})
    store.atomic_write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert os.listdir(tmp_path) == ["f.json"]


def test_failed_write_keeps_the_old_file_intact(tmp_path):
    path = tmp_path / "f.json"
    store.atomic_write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        store.atomic_write_json(path, {"a": object()})
    assert json.loads(path.read_text()) == {"a": 1}
    assert os.listdir(tmp_path) == ["f.json"]


def test_a_started_run_is_marked_incomplete_until_finished(sample_results, tmp_path):
    run_dir = store.start_run(tmp_path / "run")
    assert (run_dir / store.INCOMPLETE_MARKER).exists() and not store.is_complete(run_dir)
    with pytest.raises(InputError, match="incomplete"):
        store.load_run(run_dir)
    store.finish_run(run_dir, sample_results())
    assert store.is_complete(run_dir)
    assert store.load_run(run_dir) == sample_results()


def test_results_file_path_loads_too(sample_results, finished_run, tmp_path):
    assert store.load_run(finished_run(tmp_path) / store.RESULTS_FILE) == sample_results()


def test_start_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "x").write_text("")
    with pytest.raises(InputError, match="not empty"):
        store.start_run(tmp_path / "run")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "unreadable JSON"),
        ('{"schema": "pipebench-results", "schema_version": 1, "run_id": "x", "metadata": {}, "rows": [', "unreadable"),
        ('{"schema": "pipebench-results", "schema_version": 99, "rows": []}', "schema version 99"),
        ('{"benchmarks": []}', "not a pipebench results file"),
        (
            '{"schema": "pipebench-results", "schema_version": 2, "run_id": "x", "metadata": {}, "rows": []}',
            "no measur",
        ),
    ],
)
def test_bad_results_files_are_refused_naming_the_file(tmp_path, content, message):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / store.RESULTS_FILE).write_text(content)
    with pytest.raises(InputError, match=message) as error:
        store.load_run(run_dir)
    assert str(run_dir / store.RESULTS_FILE) in str(error.value)


def test_missing_directory_and_non_run_directory_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such run directory"):
        store.load_run(tmp_path / "nope")
    with pytest.raises(InputError, match="missing"):
        store.load_run(tmp_path)


def test_latest_run_skips_incomplete_ones(finished_run, tmp_path):
    finished_run(tmp_path, "20260101T000000Z_aaaaaaa")
    finished_run(tmp_path, "20260102T000000Z_bbbbbbb")
    store.start_run(tmp_path / "20260103T000000Z_ccccccc")
    assert store.latest_run(tmp_path).name == "20260102T000000Z_bbbbbbb"


def test_latest_run_of_an_empty_root_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no complete run"):
        store.latest_run(tmp_path)


def test_new_run_dir_never_reuses_a_name(tmp_path):
    first = store.start_run(store.new_run_dir(tmp_path, "id"))
    assert store.new_run_dir(tmp_path, "id") != first


def test_written_files_get_ordinary_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        store.atomic_write_json(tmp_path / "f.json", {})
    finally:
        os.umask(mask)
    assert (tmp_path / "f.json").stat().st_mode & 0o777 == 0o644


def test_a_run_id_is_the_utc_time_and_the_commit_marked_dirty_when_it_was():
    clean = {"timestamp": "2026-11-29T10:20:30+00:00", "commit": "abc1234", "dirty": False}
    assert store.run_id(clean) == "20261129T102030Z_abc1234"
    assert store.run_id({**clean, "dirty": True}) == "20261129T102030Z_abc1234-dirty"
    assert store.RUN_ID.match(store.run_id(clean))


def test_case_file_names_are_file_system_safe_and_keep_their_suffix():
    assert (
        store.case_file_name("windows[strategy=deque,n=1000,w=10]", ".bin") == "windows-strategy=deque-n=1000-w=10.bin"
    )
    assert "/" not in store.case_file_name("x[a=../../etc]", ".json")


def test_a_run_writer_keeps_the_run_incomplete_until_it_finishes(tmp_path):
    metadata = {"timestamp": "2026-11-29T10:20:30+00:00", "commit": "abc1234", "dirty": False}
    run = store.RunWriter.new(metadata, runs_root=tmp_path)
    assert run.run_dir == tmp_path / "20261129T102030Z_abc1234"
    with run.scratch() as scratch:
        (scratch / "figures.json").write_text("{}")
    (run.tool_dir(store.MEMRAY_DIR) / "case.bin").write_bytes(b"x")
    assert not store.is_complete(run.run_dir)
    assert not (run.run_dir / store.SCRATCH_DIR).exists()
    with pytest.raises(InputError, match="incomplete"):
        store.load_run(run.run_dir)
    results = run.finish([])
    assert store.is_complete(run.run_dir)
    assert results.run_id == "20261129T102030Z_abc1234" and results.metadata["commit"] == "abc1234"


PYTEST_BENCHMARK_FILE = {
    "machine_info": {"node": "ci"},
    "commit_info": {},
    "benchmarks": [
        {
            "name": "test_parse",
            "fullname": "tests/test_x.py::test_parse",
            "group": None,
            "params": None,
            "options": {"timer": "perf_counter"},
            "extra_info": {},
            "stats": {
                **dict.fromkeys(["min", "max", "mean", "median", "q1", "q3", "ld15iqr", "hd15iqr"], 1e-3),
                **{"stddev": 0.0, "iqr": 0.0, "rounds": 5, "iterations": 1, "ops": 1e3, "total": 5e-3},
                **{"outliers": "0;0", "iqr_outliers": 0, "stddev_outliers": 0},
            },
        }
    ],
    "datetime": "2026-12-01T00:00:00",
    "version": "5.1.0",
}


@pytest.mark.parametrize("command", ["report", "export", "explain", "history"])
def test_a_pytest_benchmark_file_is_named_for_what_it_holds_and_lacks_in_one_line(pipebench, tmp_path, command):
    saved = tmp_path / ".benchmarks" / "Linux-CPython-3.11-64bit" / "0001_base.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(json.dumps(PYTEST_BENCHMARK_FILE))
    paths = {"report": [saved], "export": [saved], "explain": [saved, saved], "history": [tmp_path / ".benchmarks"]}
    code, out, err = pipebench(command, *paths[command])
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert ("pytest-benchmark file" in line and "no pipebench run" in line) or "not a pipebench run" in line
    assert "--pipebench-instructions --pipebench-out DIR" in line


def test_comparing_counts_of_pytest_benchmark_files_says_they_hold_times_only(pipebench, tmp_path):
    saved = tmp_path / "0001_base.json"
    saved.write_text(json.dumps(PYTEST_BENCHMARK_FILE))
    code, _, err = pipebench("compare", saved, saved, "--metric", "instructions")
    assert code == 2
    assert err.strip().endswith(
        "a pytest-benchmark file holds times only (counts come from "
        "`pytest --benchmark-only --pipebench-instructions --pipebench-out DIR`): no instructions to compare"
    )
