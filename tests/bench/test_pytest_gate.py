"""The gate inside pytest: --pipebench-baseline fails a benchmark run on a regression."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "data" / "pytest_benchmark.json"
SELECTION = ["-k", "test_windows and scipy and not 10000 and not 100000"]


def pytest_run(*args, env=None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "pytest", "bench/bench_suites.py", "-p", "no:cacheprovider", "-q", "--benchmark-only",
         "--benchmark-max-time=0.02", *SELECTION, *args],
        cwd=ROOT, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_a_tripled_workload_fails_the_session_and_is_named():
    done = pytest_run(f"--pipebench-baseline={BASELINE}", "--pipebench-fail-on=time:50%",
                      env={"PIPEBENCH_INJECT_SLOWDOWN": "windows[strategy=scipy,n=1000,w=50]=2.0"})  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    flagged = [line for line in done.stdout.splitlines() if "REGRESSION" in line]
    assert len(flagged) == 1 and "w=50]" in flagged[0]
    assert "pipebench gate FAILED: regression" in done.stdout


def test_within_a_generous_threshold_the_session_passes():
    done = pytest_run(f"--pipebench-baseline={BASELINE}", "--pipebench-fail-on=time:400%")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pipebench gate passed: no regression" in done.stdout


def test_a_bad_baseline_is_a_usage_error():
    done = pytest_run("--pipebench-baseline=/no/such/file.json")
    assert done.returncode == 4
    assert "--pipebench-baseline: /no/such/file.json: no such file or directory" in done.stderr
