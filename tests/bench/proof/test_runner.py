"""A run refuses a variant whose output is not its reference's, before measuring anything (a real patch)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CASE = "windows[strategy=monotonic,n=1000,w=10]"


@pytest.fixture(scope="module")
def off_by_one(tmp_path_factory, copy_packages):
    """A copy of the tree whose monotonic window forgets its oldest value one record early."""
    copy = tmp_path_factory.mktemp("proof") / "tree"
    copy_packages(copy)
    windows = copy / "pipeline" / "windows.py"
    text = windows.read_text()
    assert text.count("expired = index - self._size\n") == 1
    windows.write_text(text.replace("expired = index - self._size\n", "expired = index - self._size + 1\n"))
    return copy


def run(tree, *argv):
    command = [sys.executable, "-m", "pipebench", "run", *argv, "--no-progress"]
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=300)


def test_a_wrong_variant_stops_the_run_with_one_line_naming_it_and_its_first_wrong_record(off_by_one, tmp_path):
    result = run(off_by_one, "-k", CASE, "--out", tmp_path / "run")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert re.search(
        rf"^pipebench: error: {re.escape(CASE)}: its output differs from its reference 'deque''s, "
        r"record \d+: [\d.]+ where the reference has [\d.]+; nothing was measured$",
        result.stderr,
    )
    assert result.stdout == ""
    assert not (tmp_path / "run").exists()


def test_the_same_copy_measures_the_variants_that_are_right(off_by_one, tmp_path):
    result = run(off_by_one, "-k", "windows[strategy=scipy,n=1000,w=10]", "--no-time", "--out", tmp_path / "run")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run" / "results.json").is_file()


def test_a_timed_pytest_benchmark_body_refuses_it_too(off_by_one):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"bench/pytest/bench_suites.py::test_windows[{CASE.partition('[')[2]}",
        "--benchmark-only",
        "--benchmark-max-time=0.01",
    ]
    result = subprocess.run(command, cwd=off_by_one, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout
    assert "its output differs from its reference 'deque''s, record" in result.stdout
