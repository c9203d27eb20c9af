"""``pipebench bisect``: the first commit where one case's figure moved, measured commit by commit.

Between a good and a bad commit (``git rev-list --ancestry-path``), each probe measures the
one case in a temporary git worktree of its commit, so the user's checkout is never
touched; the worktrees are removed after each probe, and on Ctrl-C. The probes halve the
range: a commit whose figure is nearer the bad one (on a log scale) is bad. On counts and
peak memory the answer is exact; on time (the paired ratio to the case's reference) the
bracketing pair is measured again and both measurements are shown, so the user can see
how sure the answer is.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipebench import store
from pipebench.cases import Case
from pipebench.errors import BenchError, UsageError
from pipebench.matrix import all_cases
from pipebench.metrics import ESTIMATED_CYCLES, gated_metric
from pipebench.processes import HARNESS
from pipebench.provenance import git

# What `pipebench run` needs to measure the figures of each tool, and nothing else.
RUN_FLAGS = {
    "callgrind": ["--no-time", "--no-memory", "--instructions"],
    "memray": ["--no-time"],
    "pipebench": ["--no-memory"],
}
# Estimated cycles need the simulated cache; instructions and allocations do not (it slows counting).
SIMULATED_CACHE_FLAGS = ["--no-time", "--no-memory", "--cycles"]


@dataclass
class Bisection:
    """The probes made so far and, once done, the first bad commit."""

    commits: list[str]
    metric: str
    probes: list[tuple[str, float]] = field(default_factory=list)
    first_bad: str | None = None
    rechecked: list[tuple[str, float]] = field(default_factory=list)


def _commit(repository: Path, revision: str) -> str:
    try:
        return git.commit_of(revision, repository)
    except UsageError:
        raise UsageError(f"{revision}: not a commit of the repository at {repository}") from None


def check_repository(repository: Path) -> None:
    """Refuse a ``--repo`` that is not a git work tree, before any revision is looked up.

    Raises:
        UsageError: it is not.
    """
    if not Path(repository).is_dir():
        raise UsageError(f"--repo {repository}: no such directory")
    try:
        inside = git.text(["rev-parse", "--is-inside-work-tree"], Path(repository))
    except UsageError:
        inside = "false"
    if inside != "true":
        raise UsageError(f"--repo {repository}: not a git work tree")


def check_case(case_id: str, metric: str, known: Sequence[Case]) -> None:
    """Refuse, before any worktree is made, a case id that is not one whole case of today's matrix.

    A pattern (``*``, ``?``) would measure many cases and blame whichever came back; a
    suite's reference has no time ratio to its reference.

    Raises:
        UsageError: such an id, or the time of a reference.
    """
    if any(character in case_id for character in "*?"):
        raise UsageError(f"--case {case_id}: one case id, whole, not a pattern (pipebench list shows them)")
    case = next((c for c in known if c.id == case_id), None)
    if case is None:
        raise UsageError(f"--case {case_id}: no such case (pipebench list shows them)")
    if gated_metric(metric, against="reference").against == "reference" and case.is_reference:
        raise UsageError(
            f"--case {case_id}: its suite's reference; time is bisected as a ratio to the reference, "
            "so bisect one of its variants, or its instructions"
        )


def commits_between(repository: Path, good: str, bad: str) -> list[str]:
    """``[good, ..., bad]``: the commits on the way from good to bad, oldest first, as full hashes.

    Raises:
        UsageError: a revision git does not know, good and bad the same commit, or bad not a
            descendant of good.
    """
    good_hash, bad_hash = _commit(repository, good), _commit(repository, bad)
    if good_hash == bad_hash:
        raise UsageError(f"--good {good} and --bad {bad} are the same commit ({good_hash[:7]}): nothing to bisect")
    between = git.text(["rev-list", "--ancestry-path", "--reverse", f"{good_hash}..{bad_hash}"], repository).split()
    if not between or between[-1] != bad_hash:
        raise UsageError(f"{bad} is not a descendant of {good}")
    return [good_hash, *between]


def harness_module(tree: Path) -> str:
    """The harness's module in ``tree``: ``pipebench``, or ``bench`` in a tree older than that name."""
    return HARNESS if (tree / HARNESS).exists() else "bench"


def measure_at(repository: Path, commit: str, case_id: str, metric: str) -> float:
    """The case's figure at ``commit``, from a run in a temporary worktree (removed afterwards).

    Raises:
        BenchError: the run failed (the case does not exist there, or the code is broken).
    """
    row_metric = gated_metric(metric, against="reference")
    flags = SIMULATED_CACHE_FLAGS if row_metric.name == ESTIMATED_CYCLES else RUN_FLAGS[row_metric.tool]
    with git.worktree(commit, repository, prefix="pipebench-bisect-") as tree:
        run = tree.parent / "run"
        command = [
            sys.executable,
            "-m",
            harness_module(tree),
            "run",
            "-k",
            case_id,
            *flags,
            "--no-progress",
            "--out",
            str(run),
        ]
        returncode, stderr = _run_to_the_end(command, tree)
        if returncode != 0:
            last = (stderr.strip().splitlines() or ["(no output)"])[-1]
            raise BenchError(f"measuring {case_id} at {commit[:7]} failed: {last}")
        for row in store.load_run(run).rows:
            if row.case_id == case_id and row.metric == row_metric.name:
                return float(row.value)
        raise BenchError(f"{case_id} at {commit[:7]}: no {row_metric.name} in its run (is it its suite's reference?)")


def _run_to_the_end(command: list[str], cwd: Path) -> tuple[int, str]:
    """Run a probe; if this process is stopped meanwhile, stop the probe the way Ctrl-C would and wait for it.

    A probe killed outright could not remove its own scratch (the counting workers'
    directories); stopped with SIGINT, it removes them and marks its run incomplete.
    """
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate()
    except BaseException:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise
    return process.returncode, stderr


def bisect(
    commits: list[str],
    measure: Callable[[str], float],
    threshold: float,
    metric: str,
) -> Bisection:
    """Find the first commit whose figure sits with the bad one's, halving the range each probe.

    Raises:
        UsageError: good and bad differ by less than ``threshold``.
    """
    state = Bisection(commits, metric)

    def probe(index: int) -> float:
        value = measure(commits[index])
        state.probes.append((commits[index], value))
        return value

    good, bad = probe(0), probe(len(commits) - 1)
    if good <= 0 or bad <= 0 or abs(math.log(bad / good)) < math.log1p(threshold):
        raise UsageError(
            f"{metric} moved {bad / good - 1:+.2%} from {commits[0][:7]} to {commits[-1][:7]}: "
            f"less than the {threshold:.0%} asked for, nothing to bisect"
        )
    low, high = 0, len(commits) - 1
    while high - low > 1:
        middle = (low + high) // 2
        value = probe(middle)
        if abs(math.log(value / bad)) < abs(math.log(value / good)):
            high = middle
        else:
            low = middle
    state.first_bad = commits[high]
    if not gated_metric(metric, against="reference").exact:
        state.rechecked = [(commits[low], measure(commits[low])), (commits[high], measure(commits[high]))]
    return state


def render(state: Bisection, repository: Path, seconds: float) -> str:
    """The probes in order, the first bad commit with its subject, and the time it took."""
    figure = gated_metric(state.metric, against="reference")
    lines = [f"{commit[:7]}  {figure.label} {figure.format(value)}" for commit, value in state.probes]
    subject = git.text(["log", "-1", "--format=%s", state.first_bad or "HEAD"], repository)
    lines.append(f"first bad commit: {(state.first_bad or '?')[:7]} {subject}")
    if state.rechecked:
        (low, before), (high, after) = state.rechecked
        lines.append(f"measured again: {low[:7]} {before:,.6g}, {high[:7]} {after:,.6g} ({after / before - 1:+.1%})")
    lines.append(f"{len(state.probes)} probes over {len(state.commits)} commits in {seconds:.0f} s")
    return "\n".join(lines) + "\n"


def run(repository: Path, good: str, bad: str, case_id: str, metric: str, threshold: float) -> str:
    """Bisect and render; the whole command."""
    started = time.monotonic()
    check_repository(repository)
    check_case(case_id, metric, [*all_cases("quick"), *all_cases("full")])
    commits = commits_between(repository, good, bad)
    state = bisect(commits, lambda commit: measure_at(repository, commit, case_id, metric), threshold, metric)
    return render(state, repository, time.monotonic() - started)
