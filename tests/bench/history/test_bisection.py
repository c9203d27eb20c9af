"""pipebench bisect: on a throwaway repository of 16 commits, the one that added work is found."""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.errors import UsageError
from pipebench.history import bisection

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
def test_bisect_finds_the_commit_that_added_work_in_about_log2_probes_and_leaves_no_worktree(
    patched_copy, copy_packages, tmp_path
):
    repository = tmp_path / "repository"
    copy_packages(repository)
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
        [sys.executable, "-m", "pipebench", "bisect", "--good", "HEAD~15", "--bad", "HEAD", "--case", CASE],
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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--good", "HEAD", "--bad", "HEAD", "--case", CASE], "are the same commit"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--case", "windows[*"], "not a pattern"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--case", "windows[strategy=monotonic"], "no such case"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--case", CASE, "--repo", "/nonexistent"], "no such directory"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--case", CASE, "--repo", "{tmp}"], "not a git work tree"),
        (
            ["--good", "HEAD~1", "--bad", "HEAD", "--case", "windows[strategy=deque,n=1000,w=10]", "--metric", "time"],
            "its suite's reference",
        ),
    ],
)
def test_what_bisect_cannot_do_is_one_line_before_any_worktree(pipebench, tmp_path, argv, message):
    argv = [argument.replace("{tmp}", str(tmp_path)) for argument in argv]
    before = git(ROOT, "worktree", "list")
    code, out, err = pipebench("bisect", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert git(ROOT, "worktree", "list") == before


@pytest.mark.slow
def test_ctrl_c_during_a_probe_leaves_no_scratch_and_no_worktree(tmp_path):
    import os
    import signal
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipebench", "bisect", "--good", "HEAD~1", "--bad", "HEAD", "--case", CASE],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        # A job started in the background by a shell without job control inherits SIGINT
        # ignored, and keeps it so (as it should); the test is of what SIGINT does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not list(scratch.glob("pipebench-counts-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(scratch.glob("pipebench-counts-*")), "the probe counts in a scratch directory"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert list(scratch.iterdir()) == []
    assert f"worktree {scratch}" not in git(ROOT, "worktree", "list", "--porcelain")
