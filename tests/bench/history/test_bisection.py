"""pipebench bisect: on a throwaway repository of 16 commits, the one that added work is found."""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.errors import UsageError
from bench.history import bisection

ROOT = Path(__file__).resolve().parents[3]
CASE = "windows[strategy=monotonic,n=1000,w=10]"


def test_the_search_halves_the_range_and_names_the_first_commit_at_the_bad_level():
    commits = [f"c{i:02d}" for i in range(17)]
    figures = {commit: (100.0 if i < 11 else 123.0) for i, commit in enumerate(commits)}
    state = bisection.bisect(commits, figures.__getitem__, threshold=0.01, metric="instructions")
    assert state.first_bad == "c11"
    assert len(state.probes) <= 2 + math.ceil(math.log2(16))


def test_good_and_bad_that_do_not_differ_are_refused():
    with pytest.raises(UsageError, match="nothing to bisect"):
        bisection.bisect(["a", "b", "c"], lambda commit: 100.0, threshold=0.01, metric="instructions")


def git(repository, *arguments):
    return subprocess.run(["git", *arguments], cwd=repository, check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_bisect_finds_the_commit_that_added_work_in_about_log2_probes_and_leaves_no_worktree(patched_copy, tmp_path):
    repository = tmp_path / "repository"
    for name in ("bench", "pipeline"):
        shutil.copytree(ROOT / name, repository / name, ignore=shutil.ignore_patterns("__pycache__"))
    git(repository, "init", "-q")
    identity = ["-c", "user.name=t", "-c", "user.email=t@t"]
    git(repository, "add", ".")
    git(repository, *identity, "commit", "-qm", "start")
    slower = patched_copy(tmp_path / "patched", ("slower",)) / "pipeline" / "windows.py"
    for index in range(1, 16):
        (repository / "NOTES.txt").write_text(f"note {index}\n")
        if index == 9:
            shutil.copy(slower, repository / "pipeline" / "windows.py")
        git(repository, "add", ".")
        git(repository, *identity, "commit", "-qm", f"change {index}")
    ninth = git(repository, "rev-parse", "--short=7", "HEAD~6").strip()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "bisect", "--good", "HEAD~15", "--bad", "HEAD", "--case", CASE],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"first bad commit: {ninth} change 9" in done.stdout
    probes = [line for line in done.stdout.splitlines() if "  instructions " in line]
    assert len(probes) <= 2 + math.ceil(math.log2(15))
    assert git(repository, "worktree", "list").count("\n") == 1
