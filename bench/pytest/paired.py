"""Paired times for pytest-benchmark groups: ``--pipebench-paired``, each member against its group's reference.

pytest-benchmark times one test after another, so a member and its reference are never
timed under the same conditions: on a shared machine a stretch of load that falls on one
of them reads as a difference between them. Here the tests of a group that names its
reference (``@pytest.mark.pipebench_reference``) are timed together, round by round, in
pytest processes of their own (:mod:`pipebench.pytest.pairing`): six processes, each of
as many short rounds as fit the group's time (:func:`pipebench.timing.runner.short_round_plan`,
as an A/B run's pairs take them), the loop counts and rounds of the first process kept by
the rest. Each member's ratio to the reference is then taken value by value within a
round, and its interval resampled by process, then round
(:func:`pipebench.timing.runner.rows`).

Short values because a member's ratio to its reference is only as good as the conditions
its two values share: across two sessions on a 2-core VM under CPU burners, the monotonic
window made 20% slower, six processes of two 20 ms rounds put the ratio of the two
sessions within 5% of an interleaved A/B measurement in 16 of 20 cases; six processes of
short values, in 40 of 40 (20 pairs of sessions, -4.3% to +1.7%, ``.ci/pytest-validation``).
Twenty-four processes would not have bought much: in two sessions of unchanged code under
the burners, the estimates of groups of six of their processes spread 0.4% (w=10) and
0.8% (w=50), of twelve 0.3% and 0.7%.

The kept calls are timed once the group's tests have run, so a benchmarked call must not
need what the test's fixtures tear down.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import pyperf

from pipebench.processes import run_module
from pipebench.pytest.counted import BenchmarkTest
from pipebench.pytest.project import Project
from pipebench.timing.runner import PLANS, TimingPlan, short_round_plan
from pipebench.timing.worker import RoundPlan

_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def paired_groups(tests: Sequence[BenchmarkTest]) -> list[list[BenchmarkTest]]:
    """The groups that name a reference and hold another test, each with its reference first."""
    groups: dict[str, list[BenchmarkTest]] = {}
    for test in tests:
        groups.setdefault(test.case.group, []).append(test)
    out = []
    for members in groups.values():
        references = [test for test in members if test.case.is_reference]
        if references and len(members) > 1:
            out.append(references + [test for test in members if not test.case.is_reference])
    return out


def time_group(
    group: Sequence[BenchmarkTest],
    project: Project,
    scratch: Path,
    plan: TimingPlan = PLANS["quick"],
    progress: Callable[[str], None] | None = None,
) -> pyperf.BenchmarkSuite:
    """Time one group's tests round by round, in ``plan.pairs`` pytest processes; their pyperf suite.

    Each process starts where the session started, with the session's environment and
    configuration file, so it imports the project as the session did.

    Raises:
        BenchError: a process failed (a test failed there, or did not call its benchmark).
    """
    rounds, loops = short_round_plan(plan, len(group)), None
    cases = {test.nodeid: test.case.id for test in group}
    suite: pyperf.BenchmarkSuite | None = None
    for process in range(plan.pairs):
        if progress is not None:
            progress(f"time {group[0].case.group} in pairs ({process + 1}/{plan.pairs})")
        stem = scratch / f"pair-{process}"
        result = _time_once(cases, project, stem, rounds, process, plan, loops)
        if loops is None:
            loops = {bench.get_name(): bench.get_metadata()["loops"] for bench in result}
            rounds = RoundPlan(len(result.get_benchmarks()[0].get_runs()[0].values), plan.warmups)
        if suite is None:
            suite = result
        else:
            for benchmark in result:
                suite.add_runs(benchmark)
    return suite


def _time_once(
    cases: dict[str, str],
    project: Project,
    stem: Path,
    rounds: RoundPlan,
    rotation: int,
    plan: TimingPlan,
    loops: dict[str, int] | None,
) -> pyperf.BenchmarkSuite:
    """One pytest process of the group's tests, its rotation starting at ``rotation``; its values."""
    spec_path, output = stem.with_suffix(".spec.json"), stem.with_suffix(".pyperf.json")
    spec = {
        "cases": cases,
        "rounds": asdict(rounds),
        "rotation": rotation,
        "min_time": plan.short_min_time,
        "loops": loops,
        "output": str(output),
    }
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    arguments = [
        *("-p", "pipebench.pytest.pairing", f"--pipebench-pair-spec={spec_path}"),
        *project.options(),
        *("-p", "no:cacheprovider", "-q", "--benchmark-disable"),
        *(str(project.rootdir / nodeid) for nodeid in cases),
    ]
    group = next(iter(cases.values()))
    run_module(
        "pytest", arguments, f"timing {group} in pairs", env={**os.environ, **_SINGLE_THREADED}, cwd=project.invocation
    )
    return pyperf.BenchmarkSuite.load(str(output))
