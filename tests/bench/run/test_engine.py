"""pipebench run: a small real run end to end, interrupted runs, selection errors."""

import os
import shutil

import pytest

from pipebench import frames, store
from pipebench.errors import BenchError
from pipebench.memory import runner as memory

SMALL = ["--suite", "windows", "-k", "n=1000,w=10]", "--no-progress"]


@pytest.fixture(scope="module")
def small_run(pipebench, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "run"
    code, out, err = pipebench(
        "run", *SMALL, "--out", str(run_dir), "--flamegraph", "windows[strategy=scipy,n=1000,w=10]"
    )
    assert code == 0, err
    return run_dir, out


@pytest.mark.slow
def test_run_writes_a_complete_directory_with_native_files(small_run):
    run_dir, out = small_run
    assert store.is_complete(run_dir)
    assert (run_dir / store.PYPERF_FILE).is_file()
    captures = sorted(p.name for p in (run_dir / store.MEMRAY_DIR).glob("*.bin"))
    assert len(captures) == 4
    assert (run_dir / store.MEMRAY_DIR / "windows-strategy=scipy-n=1000-w=10.flamegraph.html").is_file()
    assert out.rstrip().endswith(f"run: {run_dir}")
    flame = run_dir / store.MEMRAY_DIR / "windows-strategy=scipy-n=1000-w=10.flamegraph.html"
    assert f"flame graph: {flame}" in out


@pytest.mark.slow
def test_every_case_has_time_and_memory_in_the_frame(small_run):
    frame = frames.to_frame([store.load_run(small_run[0])])
    metrics = frame.groupby("case_id")["metric"].apply(set)
    assert len(metrics) == 4
    for case_metrics in metrics:
        assert {"time_per_record", "peak_memory", "bytes_per_record"} <= case_metrics
        assert not case_metrics & {"allocations", "instructions"}  # counted only with --instructions
    assert set(frame[frame["metric"] == "ratio_to_reference"]["variant"]) == {"monotonic", "numpy", "scipy"}
    assert frame["commit"].notna().all() and frame["cpu_model"].notna().all()


@pytest.mark.slow
def test_summary_table_lists_every_case(small_run):
    out = small_run[1]
    for strategy in ("deque", "monotonic", "numpy", "scipy"):
        assert f"windows[strategy={strategy},n=1000,w=10]" in out


def test_a_failing_worker_leaves_the_run_marked_incomplete(pipebench, tmp_path, monkeypatch):
    def broken(cases, size, directory, code):
        raise BenchError(f"memory worker for {cases[0].group} failed with exit code 1: boom")

    monkeypatch.setattr(memory, "measure_group", broken)
    code, _, err = pipebench("run", *SMALL, "--no-time", "--out", str(tmp_path / "run"))
    assert code == 1 and "boom" in err and err.count("\n") == 1
    assert (tmp_path / "run" / store.INCOMPLETE_MARKER).exists()
    assert not (tmp_path / "run" / store.RESULTS_FILE).exists()


def test_an_interrupted_run_stays_incomplete(pipebench, tmp_path, monkeypatch):
    def interrupted(cases, size, directory, code):
        raise KeyboardInterrupt

    monkeypatch.setattr(memory, "measure_group", interrupted)
    code, _, err = pipebench("run", *SMALL, "--no-time", "--out", str(tmp_path / "run"))
    assert code == 130 and err == "pipebench: interrupted\n"
    assert not store.is_complete(tmp_path / "run")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "-k", "no-such-case", "--no-progress"], "no case matches"),
        (["run", "--suite", "nope"], "invalid choice"),
        (["run", *SMALL, "--no-time", "--no-memory"], "nothing to measure"),
        (["run", *SMALL, "--no-memory", "--flamegraph", "windows[strategy=deque,n=1000,w=10]"], "needs the memory"),
        (["run", *SMALL, "--flamegraph", "windows[strategy=deque,n=9,w=10]"], "not among the selected cases"),
    ],
)
def test_bad_requests_get_one_line_and_exit_code_2(pipebench, argv, message, tmp_path):
    code, out, err = pipebench(*argv, "--runs-root", str(tmp_path))
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_output_directory_is_refused(pipebench, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = pipebench("run", *SMALL, "--no-time", "--out", str(tmp_path))
    assert code == 2 and "not empty" in err


def test_a_missing_valgrind_stops_instructions_before_anything_is_written(pipebench, tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "valgrind" else real_which(name))
    code, out, err = pipebench("run", *SMALL, "--instructions", "--out", str(tmp_path / "run"))
    assert code == 2 and out == "" and "apt-get install valgrind" in err and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_a_path_too_long_to_pin_stops_instructions_before_anything_is_written(pipebench, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{os.environ['PATH']}:/{'x' * 5000}")
    code, out, err = pipebench("run", *SMALL, "--instructions", "--out", str(tmp_path / "run"))
    assert code == 2 and out == "" and "shorten PATH" in err and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_below_one_are_refused_before_measuring(pipebench, tmp_path, jobs):
    code, _, err = pipebench("run", *SMALL, "--jobs", jobs, "--out", str(tmp_path / "run"))
    assert code == 2 and "--jobs" in err and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_a_variant_selected_without_its_reference_gets_the_references_memory_beside_it(pipebench, tmp_path):
    """The reference is measured for a variant's ratio; its memory is measured too, so the two can be read together."""
    run_dir = tmp_path / "run"
    selected = "windows[strategy=monotonic,n=1000,w=10]"
    code, _, err = pipebench("run", "-k", selected, "--no-time", "--no-progress", "--out", str(run_dir))
    assert code == 0, err
    rows = store.load_run(run_dir).rows
    measured = {(row.variant, row.metric) for row in rows}
    assert {("monotonic", "peak_memory"), ("deque", "peak_memory"), ("deque", "bytes_per_record")} <= measured
