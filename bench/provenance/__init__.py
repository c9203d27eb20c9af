"""Where a run came from: machine, CPU, Python build, commit, tools, time.

Collected once per run by the orchestrating process and stored with the results, so a
result is never separated from the conditions it was measured under. Which commit and
which code: :mod:`pipebench.provenance.git` runs git, for this and for the rest of the
harness (A/B worktrees, change coverage, history, bisection).
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from pipebench.errors import UsageError
from pipebench.provenance import git


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``unknown``."""
    try:
        return package_metadata.version(package)
    except package_metadata.PackageNotFoundError:
        return "unknown"


PIPEBENCH_VERSION = package_version("pipebench")

METHOD_VERSION = 9
"""The version of how pipebench measures, stored in every run.

Bump it with any change that would move the numbers: the timing plan, the collector
policy while timing, how instructions and allocations are counted, how intervals are
drawn. ``pipebench compare`` refuses a baseline measured by another version, because
its numbers say something else (version 1's allocations counted memray's own objects).

History: 1 - timing in 3 processes with adaptive rounds, allocations from memray.
2 - a fixed number of values per benchmark, intervals by process, counts by callgrind.
3 - one collection before a group's values instead of one before each value, warm-ups
of one call; counting workers that see fixed-length paths and load byte code compiled
under one file name (counts equal from any checkout).
4 - values in process CPU time instead of wall time.
5 - values in the measuring thread's CPU time (helper threads no longer counted).
6 - ratio intervals read as BCa (bias-corrected and accelerated) from the same two-stage
bootstrap, instead of its plain percentiles.
7 - counting workers get the caller's PATH padded to one length and no other variable of
the caller's (PATH's length had moved counts by up to 0.46% from one shell to another),
and run in a stand-in for the caller's virtual environment (two clones with environments
of their own had counted 0.49% apart) whose installed packages' byte code names one path
(their install path's length had moved counts up to 0.05%, estimated cycles 0.57%); the
guest CPU's digest leaves out the host's auxiliary-vector values, on which glibc does not
dispatch.
8 - a case's memory from a warm call (one untracked call first) in a child forked per
case from its group's worker: cold, a library's first-use set-up had counted as the
call's (scipy's window held 12.0 MiB at n=1,000, where a warm call holds 78 KiB); a quick
run's groups take ten values from five processes of two rounds instead of twelve from
six, and its heavy groups (a round over 0.3 s, not 0.5) eight from two processes of four.
9 - counted calls start from warm simulated caches: the last warm-up call runs under
callgrind, its costs not collected (starting instrumentation had emptied the caches, and
the dict records' reference at n=1,000 took 2.6 last-level misses a record that a warm
cache, as in a timing loop, does not), then one more, collected into a dump nothing reads
(the first call collected after the switch carried calls set up while it was off: 1,400
allocator calls in the monotonic window at n=1,000); instructions moved by 0.2% to 0.95%
from version 8 (the heap the counted calls start from), allocations within 0.1 a call.
"""
TOOLS = ("pipebench", "pyperf", "memray", "numpy", "scipy", "pandas", "pytest-benchmark")


def cpu_model() -> str:
    """The CPU's model name, from ``/proc/cpuinfo`` where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


PACKAGE_ROOT = Path(__file__).resolve().parents[2]
"""The checkout whose code is measured (not the current directory)."""


def git_state(directory: Path | None = None) -> tuple[str, bool, str | None]:
    """The short commit hash of the measured code, whether its tree has changes, and a digest of them.

    The digest (of ``git diff HEAD``) tells two patched runs of the same commit apart.
    Outside git: ``("nogit", False, None)``.
    """
    where = directory or PACKAGE_ROOT
    try:
        commit = git.text(["rev-parse", "--short=7", "HEAD"], where)
        diff = git.git(["diff", "HEAD", "--no-ext-diff", "--binary"], where)
    except git.GitError:
        return "nogit", False, None
    patch = hashlib.sha256(diff).hexdigest()[:12] if diff else None
    return commit or "nogit", bool(diff), patch


def tool_versions() -> dict[str, str]:
    """The installed version of each measuring tool."""
    return {tool: package_version(tool) for tool in TOOLS}


def collect(size: str, now: datetime | None = None, directory: Path | None = None) -> dict[str, Any]:
    """The metadata of a run measured now at matrix size ``size``, of the code in ``directory`` (the checkout's)."""
    moment = now or datetime.now(UTC)
    commit, dirty, patch = git_state(directory)
    return {
        "machine": platform.node(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "executable": sys.executable,
        "commit": commit,
        "dirty": dirty,
        "patch": patch,
        "timestamp": moment.isoformat(timespec="seconds"),
        "size": size,
        "tools": tool_versions(),
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def resolve_revision(revision: str, repository: Path | None = None) -> str:
    """The full hash of the commit ``revision`` names in the measured checkout's repository.

    Raises:
        UsageError: git does not know it (or this is no git checkout).
    """
    try:
        return git.commit_of(revision, repository or PACKAGE_ROOT)
    except git.GitError:
        raise UsageError(f"--against {revision}: not a commit of {repository or PACKAGE_ROOT}") from None


def worktree(commit: str, repository: Path | None = None) -> AbstractContextManager[Path]:
    """A temporary, detached worktree of ``commit`` in the measured checkout's repository (:func:`git.worktree`)."""
    return git.worktree(commit, repository or PACKAGE_ROOT)
