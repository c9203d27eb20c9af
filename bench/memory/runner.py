"""The memory runner: every case in a fresh process under memray.

Memory figures do not depend on what else the machine is doing, so cases run ``jobs`` at
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
from pipebench.metrics import BYTES_PER_RECORD, PEAK_MEMORY
from pipebench.processes import HEAD, Code, per_case, run_module
from pipebench.provenance import package_version
from pipebench.results import Row, make_row
from pipebench.store import case_file_name

MEMRAY_VERSION = package_version("memray")
Progress = Callable[[str], None]


def measure_case(case: Case, size: str, directory: Path, code: Code = HEAD) -> dict[str, Any]:
    """Run one case's memory worker; return its figures.

    Raises:
        BenchError: the worker failed.
    """
    capture = directory / case_file_name(case.id, ".bin")
    output = directory / case_file_name(case.id, ".json")
    arguments = [size, case.id, str(capture), str(output)]
    run_module("pipebench.memory.worker", arguments, f"memory worker for {case.id}", code=code)
    figures = json.loads(output.read_text(encoding="utf-8"))
    output.unlink()
    return figures


def measure(
    cases: Sequence[Case],
    size: str,
    directory: Path,
    jobs: int = 2,
    progress: Progress | None = None,
    code: Code = HEAD,
) -> dict[str, dict[str, Any]]:
    """Figures for every case, keyed by case id; ``directory`` (which exists) receives the captures."""
    return per_case(lambda case: measure_case(case, size, directory, code), cases, jobs, progress, "memory")


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
    capture = directory / case_file_name(case.id, ".bin")
    if not capture.is_file():
        raise BenchError(f"{capture}: no memray capture for {case.id}")
    html = directory / case_file_name(case.id, ".flamegraph.html")
    run_module("memray", ["flamegraph", "--force", "-o", str(html), str(capture)], f"memray flamegraph for {case.id}")
    return html
