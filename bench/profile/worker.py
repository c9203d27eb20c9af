"""A profiling worker process: one case under pyinstrument, in a process of its own.

Run by :mod:`pipebench.profile.runner` as ``python -m pipebench.profile.worker SIZE CASE_ID DIRECTORY SECONDS``.
The input is built and the workload called once before anything is measured. The same
number of calls is then timed without the profiler and with it (the thread's CPU time, as
the timing runner measures), so the profiler's overhead is known; pyinstrument's HTML and its
speedscope JSON land in DIRECTORY, and a summary of the functions by own and total time
in ``<name>.profile.json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import Frame
from pyinstrument.renderers import SpeedscopeRenderer

from pipebench.matrix import all_cases, prepare
from pipebench.store import case_file_name
from pipebench.timing.worker import Clock, clock_for, collector_paused

# 1 ms between samples: fine enough for calls of a few ms, light enough to cost little.
INTERVAL = 0.001
TOP = 15


def _calls_for(run, seconds: float, clock: Clock) -> int:
    started = clock()
    run()
    once = max(clock() - started, 1e-6)
    return max(1, round(seconds / once))


def _frames(frame: Frame, ancestors: frozenset = frozenset()) -> Iterator[tuple[Frame, bool]]:
    """Every frame below ``frame``, and whether the same function is already above it (recursion)."""
    key = (frame.function, frame.file_path_short)
    yield frame, key in ancestors
    for child in frame.children:
        yield from _frames(child, ancestors | {key})


def functions(root: Frame, total: float) -> list[dict[str, Any]]:
    """Functions by own time: each one's share of the profile's own time and total time.

    A function's frames anywhere in the tree are added up; a frame under another of the
    same function (recursion) adds its own time but not its total again.
    """
    own: dict[tuple[str, str], float] = {}
    inclusive: dict[tuple[str, str], float] = {}
    for frame, nested in _frames(root):
        if frame.is_synthetic and frame.function == "[self]":
            continue
        key = (frame.function, frame.file_path_short or "")
        own[key] = own.get(key, 0.0) + frame.total_self_time
        if not nested:
            inclusive[key] = inclusive.get(key, 0.0) + frame.time
    ranked = sorted(own, key=lambda key: -own[key])[:TOP]
    return [
        {"function": name, "file": path, "own": own[(name, path)] / total, "total": inclusive[(name, path)] / total}
        for name, path in ranked
    ]


def main(argv: Sequence[str]) -> int:
    """Profile one case's measured calls; write the profiles and their summary into DIRECTORY."""
    size, case_id, directory, seconds = argv
    case = next(case for case in all_cases(size) if case.id == case_id)
    workload = prepare(case)
    clock = clock_for(case)
    calls = _calls_for(workload.run, float(seconds), clock)
    with collector_paused():
        started = clock()
        for _ in range(calls):
            workload.run()
        plain = (clock() - started) / calls
        profiler = Profiler(interval=INTERVAL, async_mode="disabled")
        started = clock()
        profiler.start()
        for _ in range(calls):
            workload.run()
        session = profiler.stop()
        profiled = (clock() - started) / calls
    out = Path(directory)
    (out / case_file_name(case.id, ".pyinstrument.html")).write_text(profiler.output_html(), encoding="utf-8")
    (out / case_file_name(case.id, ".speedscope.json")).write_text(
        profiler.output(SpeedscopeRenderer()), encoding="utf-8"
    )
    root = session.root_frame()
    summary = {
        "case": case_id,
        "records": workload.records,
        "calls": calls,
        "ns_per_record": plain * 1e9 / workload.records,
        "ns_per_record_profiled": profiled * 1e9 / workload.records,
        "functions": functions(root, root.time) if root is not None and root.time > 0 else [],
    }
    (out / case_file_name(case.id, ".profile.json")).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
