"""The pytest-benchmark suites: timed under --benchmark-only, smoke-run otherwise."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The smallest cases of one suite, so that the timed run stays short.
SELECTION = ["-k", "test_windows and scipy and not 10000 and not 100000"]


def pytest_run(*args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "bench/pytest/bench_suites.py", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_benchmark_only_writes_one_benchmark_per_case_with_extra_info(tmp_path):
    out = tmp_path / "out.json"
    done = pytest_run(
        "--benchmark-only",
        f"--benchmark-json={out}",
        "--benchmark-min-rounds=1",
        "--benchmark-max-time=0.01",
        *SELECTION,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert sorted(b["extra_info"]["case_id"] for b in benchmarks) == [
        "windows[strategy=scipy,n=1000,w=10]",
        "windows[strategy=scipy,n=1000,w=500]",
        "windows[strategy=scipy,n=1000,w=50]",
    ]
    for bench in benchmarks:
        assert bench["params"] == {
            "strategy": "scipy",
            "n": 1000,
            "w": bench["params"]["w"],
        }  # real values, not objects
        info = bench["extra_info"]
        assert bench["group"] == f"windows[n=1000,w={info['params']['w']}]"
        assert info["records"] == 1000 and info["variant"] == "scipy"
        assert info["ns_per_record"] > 0 and info["records_per_s"] > 0
        assert info["ns_per_record"] * info["records_per_s"] == pytest.approx(1e9, rel=1e-9)


def test_plain_run_executes_each_body_once_without_timing(tmp_path):
    done = pytest_run(*SELECTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert "Name (time in" not in done.stdout


def test_group_by_a_real_parameter_works():
    done = pytest_run("--benchmark-only", "--benchmark-max-time=0.01", "--benchmark-group-by=param:n", *SELECTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "benchmark 'n=1000': 3 tests" in done.stdout


def test_histograms_are_drawn_on_a_fresh_install(tmp_path):
    """pytest-benchmark's histogram extra (pygal) is a dependency: --benchmark-histogram works."""
    done = pytest_run(
        "--benchmark-only", "--benchmark-max-time=0.01", f"--benchmark-histogram={tmp_path / 'h'}", *SELECTION
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list(tmp_path.glob("h-*.svg"))) == 3


def test_another_projects_plain_pytest_times_its_benchmarks_as_without_pipebench(tmp_path):
    """Installed in another project's environment, the plugin leaves pytest-benchmark's defaults alone there."""
    import subprocess
    import sys

    (tmp_path / "test_parse.py").write_text(
        "def parse(line):\n    return line.split(',')\n\n\n"
        "def test_parse(benchmark):\n    assert benchmark(parse, 'a,b,c') == ['a', 'b', 'c']\n"
    )
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    timings = []
    for plugin in ([], ["-p", "no:pipebench"]):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark-max-time=0.01", *plugin],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        timings.append("Name (time in" in done.stdout)
    assert timings == [True, True]
