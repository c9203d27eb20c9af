"""The pipebench run of a pytest session: its benchmark tests counted, its referenced groups timed in pairs.

``--pipebench-out DIR`` with ``--pipebench-instructions`` (or ``--pipebench-cycles``)
and/or ``--pipebench-paired``: :func:`write_run` measures what was asked, after the
session's own tests have run, and writes one run that every pipebench command reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyperf

from pipebench import provenance, store
from pipebench.counts import cycles
from pipebench.counts import runner as counts
from pipebench.errors import UsageError
from pipebench.processes import parallel
from pipebench.pytest.counted import BenchmarkTest, count_test, suites_of, with_references
from pipebench.pytest.paired import paired_groups, time_group
from pipebench.pytest.project import Project
from pipebench.results import Row
from pipebench.timing import runner as timing


@dataclass(frozen=True)
class Asked:
    """What a session measures for its run: counts (with a simulated cache or not), paired times."""

    counted: bool = False
    cache: cycles.CacheModel | None = None
    paired: bool = False


def write_run(
    tests: Sequence[BenchmarkTest],
    project: Project,
    out: Path,
    asked: Asked,
    *,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Measure the tests as ``asked`` and write the pipebench run to ``out``; its results file's path.

    The processes that measure them see ``project`` as the session saw it.

    Raises:
        UsageError: valgrind is missing, ``out`` cannot be a new run, or the tests are no cases.
        BenchError: a measuring process failed; ``out`` stays marked incomplete.
    """
    tests = with_references(tests)
    store.check_new_run_dir(out)
    groups = paired_groups(tests) if asked.paired else []
    if not asked.counted and not groups:
        raise UsageError(
            "--pipebench-paired: no benchmark group names its reference (@pytest.mark.pipebench_reference) "
            "beside another test, so none was timed in pairs"
        )
    metadata = provenance.collect("quick", directory=project.rootdir)
    metadata["method"] = {
        "version": provenance.METHOD_VERSION,
        "counting": asdict(counts.PLAN) if asked.counted else None,
        "timing": asdict(timing.PLANS["quick"]) if asked.paired else None,
        "clock": "CPU time of the measuring thread (time.thread_time)" if asked.paired else None,
    }
    metadata["suites"] = suites_of(tests)
    metadata["pytest"] = {"rootdir": project.rootdir.name, "tests": {test.case.id: test.nodeid for test in tests}}
    version = None
    if asked.counted:
        version = counts.valgrind_version()
        metadata["counts"] = counts.fingerprint(metadata["cpu_model"], asked.cache)
    writer = store.RunWriter.new(metadata, out=out)
    rows: list[Row] = []
    if groups:
        with writer.scratch() as scratch:
            suite = pyperf.BenchmarkSuite(
                [benchmark for group in groups for benchmark in time_group(group, project, scratch, progress=progress)]
            )
        writer.write_pyperf(suite)
        rows += timing.rows(suite, [[test.case for test in group] for group in groups])
    if asked.counted and version is not None:
        counts.remove_stale_scratch()
        # pipebench's own modules load from byte code in every counted process, the first one too.
        counts.compile_sources()
        keep = writer.tool_dir(store.CALLGRIND_DIR)

        def one(test: BenchmarkTest) -> tuple[BenchmarkTest, dict[str, float | None]]:
            figures = count_test(test, project, keep, asked.cache)
            if progress is not None:
                progress(f"counted {test.nodeid}")
            return test, figures

        figures = {test.case.id: data for test, data in parallel(one, tests, jobs)}
        rows += counts.rows([test.case for test in tests], figures, version)
    writer.finish(rows)
    return writer.run_dir / store.RESULTS_FILE
