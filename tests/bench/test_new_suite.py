"""A suite declared in one place is listed, proved, measured, reported and gated with no other edit.

A copy of the project gets one edit: a throwaway suite (two ways to sum N integers)
declared at the end of ``bench/matrix.py``, its builder beside it. Everything else is
what pipebench does by itself, through its real commands in the copy.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The whole edit: what README's "Adding a suite" tells a newcomer to write.
DECLARATION = '''

def _sum_loop(values):
    total = 0
    for value in values:
        total += value
    return total


SUM_STYLES = {"loop": _sum_loop, "builtin": sum}


def build_sums(case: Case) -> Workload:
    """Sum N integers in the case's style."""
    values = list(range(case.get("n")))
    style = SUM_STYLES[case.variant]
    return Workload(case, lambda: style(values), lambda: style(values), len(values), materialized=True)


SUITES["sums"] = Suite(
    "sums",
    "summing N integers: a Python loop vs the builtin",
    "style",
    list(SUM_STYLES),
    "loop",
    build_sums,
    {"quick": {"n": [1_000, 4_000, 16_000]}, "full": {"n": [1_000, 4_000, 16_000, 64_000]}},
    finding=("n", "time"),
)
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory, copy_packages):
    copy = copy_packages(tmp_path_factory.mktemp("project"))
    ignore = shutil.ignore_patterns(".benchmarks", ".hypothesis", "__pycache__")
    shutil.copytree(ROOT / "tests", copy / "tests", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    with (copy / "bench" / "matrix.py").open("a", encoding="utf-8") as matrix:
        matrix.write(DECLARATION)
    return copy


def run(project, *argv):
    done = subprocess.run([sys.executable, *argv], cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_new_suite_is_listed(project):
    listed = json.loads(run(project, "-m", "pipebench", "list", "--suite", "sums", "--format", "json"))
    assert sorted(case["id"] for case in listed) == sorted(
        f"sums[style={style},n={n}]" for style in ("loop", "builtin") for n in (1000, 4000, 16000)
    )


def test_its_variants_are_proved_equal_and_it_gets_a_pytest_benchmark_test(project):
    proved = run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/bench/test_workloads.py", "-k", "sums")
    assert " passed" in proved and "failed" not in proved
    collected = run(
        project, "-m", "pytest", "-q", "--co", "-p", "no:cacheprovider", "bench/pytest/bench_suites.py", "-k", "sums"
    )
    assert "bench/pytest/bench_suites.py::test_sums[style=builtin,n=16000]" in collected


@pytest.mark.slow
def test_it_is_measured_reported_and_gated(project, tmp_path):
    run_dir = tmp_path / "run"
    run(project, "-m", "pipebench", "run", "--suite", "sums", "--out", str(run_dir), "--no-progress")
    run(project, "-m", "pipebench", "report", str(run_dir))
    text = (run_dir / "report.md").read_text()
    assert "## sums" in text and "summing N integers" in text and "Scaling:" in text
    assert "`builtin` is" in text and "faster than `loop`" in text
    assert "sums: time against N" in text
    assert (run_dir / "report-sums-vs-n.png").stat().st_size > 10_000
    gated = json.loads(run(project, "-m", "pipebench", "compare", str(run_dir), str(run_dir), "--format", "json"))
    compared = {(c["id"], c["family"]) for c in gated["comparisons"]}
    assert ("sums[style=builtin,n=16000]", "time") in compared and ("sums[style=loop,n=16000]", "memory") in compared
    assert not gated["failed"]
