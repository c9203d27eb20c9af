"""A memory worker process: one case under memray, in a process of its own.

Run by :mod:`bench.memory` as ``python -m bench.memory_worker SIZE CASE_ID CAPTURE OUTPUT``.
The input is built and the garbage collector run *before* the tracker opens, so only the
workload's own allocations are seen. Python's allocators are traced
(``trace_python_allocators=True``): without it memray sees pymalloc's arenas, not objects,
and under-reports small objects badly. The figures are read back from the capture with
memray's own reader and written to OUTPUT as JSON.
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import memray

from bench.cases import Case
from bench.matrix import all_cases
from bench.workloads import MEMORY_VARIABLE, Workload, injected, prepare

# memray records frees as well as allocations; only allocations are counted, as
# ``memray stats`` does (FileReader.metadata.total_allocations counts both).
DEALLOCATORS = frozenset({memray.AllocatorType.FREE, memray.AllocatorType.PYMALLOC_FREE, memray.AllocatorType.MUNMAP})


def read_capture(capture: Path) -> dict[str, int]:
    """Peak bytes and allocation count of a memray capture file."""
    reader = memray.FileReader(str(capture))
    allocations = sum(
        record.n_allocations for record in reader.get_allocation_records() if record.allocator not in DEALLOCATORS
    )
    return {"peak_memory": int(reader.metadata.peak_memory), "allocations": int(allocations)}


def _injected_ballast(case: Case, workload: Workload) -> int:
    """Bytes to hold during the workload when the environment injects extra memory.

    The workload's own peak is taken with tracemalloc in an untracked run first, so that
    the ballast adds the requested fraction to it.
    """
    fraction = injected(case, MEMORY_VARIABLE)
    if not fraction:
        return 0
    tracemalloc.start()
    try:
        workload.run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return int(peak * fraction)


def main(argv: Sequence[str]) -> int:
    size, case_id, capture, output = argv
    case = next(case for case in all_cases(size) if case.id == case_id)
    workload = prepare(case)
    ballast_bytes = _injected_ballast(case, workload)
    Path(capture).unlink(missing_ok=True)
    gc.collect()
    with memray.Tracker(capture, trace_python_allocators=True, native_traces=False):
        ballast = bytearray(ballast_bytes) if ballast_bytes else None
        result = workload.run()
        del result, ballast
    figures = read_capture(Path(capture))
    figures.update(records=workload.records, materialized=workload.materialized)
    Path(output).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
