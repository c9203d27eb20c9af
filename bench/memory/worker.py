"""A memory worker process: one case under memray, in a process of its own.

Run by :mod:`pipebench.memory.runner` as ``python -m pipebench.memory.worker SIZE CASE_ID CAPTURE OUTPUT``.
The input is built and the garbage collector run *before* the tracker opens, so only the
workload's own allocations are seen. Python's allocators are traced
(``trace_python_allocators=True``): without it memray sees pymalloc's arenas, not objects,
and under-reports small objects badly. The peak is read back from the capture with
memray's own reader and written to OUTPUT as JSON.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import memray

from pipebench.matrix import all_cases, prepare
from pipebench.metrics import PEAK_MEMORY


def peak_of(capture: Path) -> int:
    """The peak bytes of a memray capture file, read with memray's own reader."""
    return int(memray.FileReader(str(capture)).metadata.peak_memory)


def main(argv: Sequence[str]) -> int:
    """Track one case's workload under memray; write its figures to ARGV[3]."""
    size, case_id, capture, output = argv
    case = next(case for case in all_cases(size) if case.id == case_id)
    workload = prepare(case)
    Path(capture).unlink(missing_ok=True)
    gc.collect()
    with memray.Tracker(capture, trace_python_allocators=True, native_traces=False):
        result = workload.run()
        del result
    figures = {
        PEAK_MEMORY: peak_of(Path(capture)),
        "records": workload.records,
        "materialized": workload.materialized,
    }
    Path(output).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
