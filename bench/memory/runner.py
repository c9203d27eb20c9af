"""The memory runner: every case under memray, a worker process per comparison group.

Memory figures do not depend on what else the machine is doing, so groups run ``jobs`` at
a time. Each case's capture file is kept in the run's ``memray/`` directory, where
``memray stats`` and ``memray flamegraph`` read it; :func:`flamegraph` writes the HTML for
the cases a user names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipebench.cases import Case
from pipebench.errors import BenchError
from pipebench.matrix import groups_of, largest_first
from pipebench.metrics import BYTES_PER_RECORD, PEAK_MEMORY
from pipebench.processes import HEAD, Code, parallel, run_module, single_threaded_environment
from pipebench.provenance import package_version
from pipebench.results import Row, make_row
from pipebench.store import case_file_name, memray_capture

MEMRAY_VERSION = package_version("memray")
Progress = Callable[[str], None]


def measure_group(cases: Sequence[Case], size: str, directory: Path, code: Code = HEAD) -> dict[str, dict[str, Any]]:
    """Run one memory worker for ``cases`` (one group's, a forked child each); return their figures by case id.

    Raises:
        BenchError: the worker failed.
    """
    output = directory / case_file_name(cases[0].id, ".figures.json")
    arguments = [size, str(directory), str(output), *(case.id for case in cases)]
    what = f"memory worker for {cases[0].group}"
    run_module("pipebench.memory.worker", arguments, what, env=single_threaded_environment(code), code=code)
    try:
        return json.loads(output.read_text(encoding="utf-8"))
    finally:
        output.unlink(missing_ok=True)


def measure(
    cases: Sequence[Case],
    size: str,
    directory: Path,
    jobs: int = 2,
    progress: Progress | None = None,
    code: Code = HEAD,
) -> dict[str, dict[str, Any]]:
    """Figures for every case, keyed by case id; ``directory`` (which exists) receives the captures.

    One worker process per comparison group, ``jobs`` at a time: a process's start-up and
    imports (0.3-0.6 s) were most of a small case's measurement.
    """

    def one(group: Sequence[Case]) -> dict[str, dict[str, Any]]:
        figures = measure_group(group, size, directory, code)
        if progress is not None:
            for case in group:
                progress(f"memory {case.id}")
        return figures

    measured: dict[str, dict[str, Any]] = {}
    for figures in parallel(one, largest_first(groups_of(cases, cases)), jobs):
        measured.update(figures)
    return measured


def rows(cases: Sequence[Case], figures: dict[str, dict[str, Any]]) -> list[Row]:
    """Tidy rows: the peak for every case, and bytes per record where it means something.

    Bytes per record is reported for materialized workloads only: for a streaming one the
    peak does not grow with the records, and dividing it by them would mislead. memray's
    allocation count is not reported: its profiler hook makes CPython materialize frame
    and bound-method objects the code never allocates (allocations are counted by
    :mod:`pipebench.counts.runner`).
    """
    out = []
    for case in cases:
        data = figures[case.id]
        values = {PEAK_MEMORY: data[PEAK_MEMORY]}
        if data["materialized"]:
            values[BYTES_PER_RECORD] = data[PEAK_MEMORY] / max(data["records"], 1)
        for metric, value in values.items():
            out.append(make_row(case, metric, [[value]], tool="memray", tool_version=MEMRAY_VERSION))
    return out


def flamegraph(case: Case, directory: Path) -> Path:
    """Write memray's flame graph HTML of a measured case; return its path.

    Raises:
        BenchError: the case has no capture here, or memray failed.
    """
    capture = memray_capture(directory, case.id)
    if not capture.is_file():
        raise BenchError(f"{capture}: no memray capture for {case.id}")
    html = directory / case_file_name(case.id, ".flamegraph.html")
    run_module("memray", ["flamegraph", "--force", "-o", str(html), str(capture)], f"memray flamegraph for {case.id}")
    return html
