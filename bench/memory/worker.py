"""A memory worker process: the cases of one comparison group under memray, a capture each.

Run by :mod:`pipebench.memory.runner` as
``python -m pipebench.memory.worker SIZE DIRECTORY OUTPUT CASE_ID [CASE_ID ...]``.
Each case in turn has its input built and its workload called once untracked; then the
garbage collector runs and the tracker opens around one more call, so that the capture
(``DIRECTORY/<case>.bin``) holds what a call allocates: not its input, and not a
library's first-use set-up, which is paid once per process and not per call (scipy's
window imports ``scipy.ndimage`` inside its first call; tracked cold, that call read 12.0
MiB at n=1,000, 12,567 B/record). Warmed so, a case's figure is the same whether it runs
alone in a process or after the rest of its group (:mod:`pipebench.memory.runner`).
Python's allocators are traced (``trace_python_allocators=True``): without it memray sees
pymalloc's arenas, not objects, and under-reports small objects badly. Each peak is read
back from its capture with memray's own reader; the figures go to OUTPUT as JSON, keyed
by case id.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import memray

from pipebench.cases import Case
from pipebench.matrix import all_cases, prepare
from pipebench.metrics import PEAK_MEMORY
from pipebench.store import memray_capture


def peak_of(capture: Path) -> int:
    """The peak bytes of a memray capture file, read with memray's own reader."""
    return int(memray.FileReader(str(capture)).metadata.peak_memory)


def track(case: Case, capture: Path) -> dict[str, Any]:
    """One warm call of ``case`` under memray into ``capture``; its figures."""
    workload = prepare(case)
    workload.run()  # the untracked call: its result is dropped at once
    capture.unlink(missing_ok=True)
    gc.collect()
    with memray.Tracker(str(capture), trace_python_allocators=True, native_traces=False):
        result = workload.run()
        del result
    return {PEAK_MEMORY: peak_of(capture), "records": workload.records, "materialized": workload.materialized}


def in_child(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``measure()`` in a child forked from this process; its figures.

    The child starts from this process as it is, imports done and no case run, and ends
    with its case: whatever a case leaves behind (a library's caches, interned names)
    cannot reach the next case's figure.

    Raises:
        SystemExit: the child failed (its traceback is on standard error).
    """
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, say the figures, and end without the parent's clean-up
        os.close(readable)
        try:
            with os.fdopen(writable, "w", encoding="utf-8") as stream:
                json.dump(measure(), stream)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    os.close(writable)
    with os.fdopen(readable, encoding="utf-8") as stream:
        said = stream.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(1)
    return json.loads(said)


def main(argv: Sequence[str]) -> int:
    """Track each case named in ARGV[3:], a forked child each; write their figures to ARGV[2]."""
    size, directory, output, *case_ids = argv
    by_id = {case.id: case for case in all_cases(size)}
    figures = {}
    for case_id in case_ids:
        capture = memray_capture(Path(directory), case_id)
        figures[case_id] = in_child(functools.partial(track, by_id[case_id], capture))
    Path(output).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
