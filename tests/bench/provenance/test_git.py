"""Git as pipebench asks it: output, one-line failures, worktrees that are always removed."""

import subprocess

import pytest

from pipebench.errors import UsageError
from pipebench.provenance import git


@pytest.fixture
def repository(tmp_path):
    where = tmp_path / "repository"
    where.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=where, check=True)
    (where / "f.py").write_text("x = 1\n", encoding="utf-8")
    subprocess.run(["git", "add", "f.py"], cwd=where, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"], cwd=where, check=True)
    return where


def test_a_commit_is_named_by_its_full_hash(repository):
    head = git.commit_of("HEAD", repository)
    assert len(head) == 40 and git.text(["rev-parse", "--short=7", "HEAD"], repository) == head[:7]


def test_a_failure_is_one_line_naming_the_command(repository):
    with pytest.raises(git.GitError, match=r"^git rev-parse failed: .+$") as raised:
        git.commit_of("no-such-revision", repository)
    assert "\n" not in str(raised.value) and isinstance(raised.value, UsageError)


def test_no_repository_is_a_failure_too(tmp_path):
    with pytest.raises(git.GitError, match=r"^git diff failed: "):
        git.git(["-c", "core.quotePath=false", "diff", "HEAD"], tmp_path)


def test_a_worktree_holds_the_commit_and_is_gone_after_the_block_even_on_an_error(repository):
    with pytest.raises(KeyboardInterrupt), git.worktree("HEAD", repository) as tree:
        assert (tree / "f.py").read_text(encoding="utf-8") == "x = 1\n"
        made = tree
        raise KeyboardInterrupt
    assert not made.exists() and not made.parent.exists()
    assert git.text(["worktree", "list", "--porcelain"], repository).count("worktree ") == 1


def test_a_worktree_of_no_commit_is_refused_and_leaves_nothing(repository, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(git.GitError, match=r"^git worktree failed: "), git.worktree("no-such-revision", repository):
        pass
    assert not list(tmp_path.glob("pipebench-worktree-*"))
