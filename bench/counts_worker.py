"""A counting worker: one case under callgrind, instrumentation on only around its calls.

Run by :mod:`bench.counts` as ``valgrind --tool=callgrind --instr-atstart=no ... python -m
bench.counts_worker SPEC OUTPUT``, one fresh process per case: a case's counts then do
not depend on which cases ran before it (in one shared process they moved by 0.5% with
the order). Start-up, imports and input building run uninstrumented, at valgrind's plain
speed. The workload is warmed uninstrumented (bytecode specialization, free lists); then,
with instrumentation on and the cyclic collector paused, the counters are zeroed, the
workload is called ``k1`` times and the counters dumped, called ``k2`` times and dumped
again. Both dumps carry the same fixed cost of talking to callgrind, so ``(dump2 - dump1)
/ (k2 - k1)`` is the cost of calls alone. The dumps (``callgrind.out.<pid>.<n>``) are
labelled by their call count; OUTPUT names the process id and the case's records.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.matrix import all_cases
from bench.workloads import Workload, prepare

Control = Callable[..., None]


def callgrind_control(*options: str) -> None:
    """Send one ``callgrind_control`` command to this very process.

    The answer goes to a file, not a pipe: reading a pipe loops as often as the output
    arrives in pieces, which depends on timing, and those iterations would be counted in
    the next segment (they moved counts by 0.3% between runs).

    Raises:
        RuntimeError: callgrind did not take the command (not running under callgrind?).
    """
    with tempfile.TemporaryFile() as answer:
        code = subprocess.call(
            ["callgrind_control", *options, str(os.getpid())], stdout=answer, stderr=subprocess.STDOUT
        )
        answer.seek(0)
        text = answer.read().decode(errors="replace")
    if code != 0 or "OK." not in text:
        reason = text.strip().splitlines()
        raise RuntimeError(f"callgrind_control {' '.join(options)}: {reason[-1] if reason else 'no answer'}")


def label(calls: int) -> str:
    """The dump label of a segment of ``calls`` calls."""
    return f"calls={calls}"


def count(workload: Workload, calls: tuple[int, int], warmups: int, control: Control = callgrind_control) -> None:
    """Warm ``workload``, then dump the counters of ``calls[0]`` and of ``calls[1]`` calls, labelled."""
    run = workload.run
    for _ in range(warmups):
        run()
    gc.collect()
    gc.disable()
    control("-i", "on")
    try:
        control("--zero")
        for number in calls:
            for _ in range(number):
                run()
            control(f"--dump={label(number)}")
    finally:
        control("-i", "off")
        gc.enable()


def main(argv: Sequence[str]) -> int:
    spec_path, output_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    case = next(case for case in all_cases(spec["size"]) if case.id == spec["case"])
    workload = prepare(case)
    count(workload, tuple(spec["calls"]), spec["warmups"])
    result = {"id": case.id, "pid": os.getpid(), "records": workload.records}
    Path(output_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
