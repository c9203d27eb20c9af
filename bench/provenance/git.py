"""Git as pipebench asks it: a command's output or one line saying why not, and temporary worktrees.

Provenance (which commit a run measured), A/B runs (the base's code), change coverage
(the functions a diff touches) and bisection (a commit's code) all ask git; this module is
the one place that runs it, so that every failure reads alike ("git rev-parse failed:
fatal: ...") and every worktree is removed the same way, also on Ctrl-C.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pipebench.errors import UsageError

# A git command that takes longer than this is stuck (a lock held, a prompt waiting).
TIMEOUT = 60


class GitError(UsageError):
    """git could not run, or refused: the repository or revision given is not what it was said to be."""


def git(arguments: Sequence[str], repository: Path, *, timeout: float = TIMEOUT) -> bytes:
    """What ``git ARGUMENTS`` prints, run in ``repository``.

    Raises:
        GitError: git is missing, timed out or failed; the message names the command and
            git's last line.
    """
    what = next((a for a in arguments if not a.startswith("-") and "=" not in a), "")
    try:
        done = subprocess.run(["git", *arguments], cwd=repository, capture_output=True, check=False, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(f"git {what} could not run: {error}") from None
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["(no output)"])[-1]
        raise GitError(f"git {what} failed: {last}")
    return done.stdout


def text(arguments: Sequence[str], repository: Path) -> str:
    """What ``git ARGUMENTS`` prints, as text without its trailing newline (:func:`git`)."""
    return git(arguments, repository).decode(errors="replace").strip()


def commit_of(revision: str, repository: Path) -> str:
    """The full hash of the commit ``revision`` names.

    Raises:
        GitError: it names no commit of ``repository`` (or that is no repository).
    """
    return text(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], repository)


@contextmanager
def worktree(commit: str, repository: Path, prefix: str = "pipebench-worktree-") -> Iterator[Path]:
    """A temporary, detached worktree of ``commit``, removed when the block ends (Ctrl-C and SIGTERM included).

    The caller's checkout is never touched. The worktree is the directory ``tree`` in a
    scratch directory of its own, where the caller may write beside it.

    Raises:
        GitError: the worktree could not be made.
    """
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    tree = scratch / "tree"
    try:
        git(["worktree", "add", "--quiet", "--detach", str(tree), commit], repository)
        yield tree
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=repository, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=repository, capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
