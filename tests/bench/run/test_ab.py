"""pipebench run --against REV: bad input, and nothing left behind when it is stopped."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def worktrees(under):
    """The repository's worktrees inside ``under`` (the runs here make theirs there, through TMPDIR)."""
    listed = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return [line for line in listed.stdout.splitlines() if line.startswith(f"worktree {under}")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--against", "no-such-revision-anywhere"], "--against no-such-revision-anywhere: not a commit of"),
        (["--against", "HEAD", "--shard", "1/2"], "--against and --shard"),
    ],
)
def test_bad_against_is_one_line_and_exit_2(pipebench, tmp_path, capsys, argv, message):
    code, out, err = pipebench("run", "-k", "records[kind=dict,n=1000]", *argv, "--out", tmp_path / "r")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert capsys.readouterr().err == ""  # the progress bar is not drawn for a run refused at once
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_a_b_run_leaves_no_worktree_and_stays_incomplete(tmp_path, sig, code):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipebench",
            "run",
            "--suite",
            "windows",
            "-k",
            "n=10000,w=500]",
            "--no-memory",
            "--against",
            "HEAD",
            "--no-progress",
            "--out",
            str(tmp_path / "run"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        # A job started in the background by a shell without job control inherits SIGINT
        # ignored, and keeps it so (as it should); the test is of what SIGINT does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "run").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert worktrees(scratch), "the base worktree exists while the run measures"
    time.sleep(1.0)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert err.strip().splitlines()[-1] in ("pipebench: interrupted", "pipebench: terminated")
    assert worktrees(scratch) == []
    assert list(scratch.iterdir()) == []
    assert (tmp_path / "run" / "INCOMPLETE").exists()


@pytest.fixture(scope="module")
def repository(tmp_path_factory, copy_packages):
    """A git repository of a copy of the tree: its commit is the base of the A/B runs below."""
    copy = tmp_path_factory.mktemp("ab") / "tree"
    copy_packages(copy)
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *command], cwd=copy, check=True, capture_output=True)
    return copy


def _edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


@pytest.mark.slow
def test_changed_code_that_no_measured_case_runs_is_named_and_fails_only_strict(repository, tmp_path):
    stages, kinds = repository / "pipeline" / "stages.py", repository / "pipeline" / "record_kinds.py"
    _edit(stages, "        self.rejected += 1\n", "        self.rejected += 1\n        self.rejected += 0\n")
    _edit(
        kinds,
        "def _build_dicts(columns: Columns) -> list[Any]:\n",
        "def _build_dicts(columns: Columns) -> list[Any]:\n    columns = tuple(columns)\n",
    )
    command = [
        sys.executable,
        "-m",
        "pipebench",
        "run",
        "-k",
        "records[kind=dict,n=1000]",
        "-k",
        "records[kind=slots,n=1000]",
    ]
    run = tmp_path / "run"
    done = subprocess.run(
        [*command, "--no-time", "--against", "HEAD", "--no-progress", "--out", str(run)],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr

    def compare(*options):
        return subprocess.run(
            [sys.executable, "-m", "pipebench", "compare", str(run), *options],
            cwd=repository,
            capture_output=True,
            text=True,
        )

    plain, strict = compare(), compare("--strict")
    listed = [line for line in plain.stdout.splitlines() if line.startswith("changed, not measured")]
    assert listed == ["changed, not measured: pipeline/stages.py ThresholdFilter._reject"], plain.stdout
    assert plain.returncode == 0 and strict.returncode == 1, strict.stdout
    assert "changed and not measured" in strict.stdout
