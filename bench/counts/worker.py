"""A counting worker: one case under callgrind, instrumentation on only around its calls.

Run by :mod:`pipebench.counts.runner` as ``valgrind --tool=callgrind --instr-atstart=no ... python -m
pipebench.counts.worker SPEC OUTPUT``, one fresh process per case: a case's counts then do
not depend on which cases ran before it (in one shared process they moved by 0.5% with
the order). Start-up, imports and input building run uninstrumented, at valgrind's plain
speed. The workload is warmed (bytecode specialization, free lists), its last two warm-up
calls instrumented (one uncollected, one collected and dumped apart) so that the simulated
caches hold what a timed call finds; then, with the
cyclic collector paused, the counters are zeroed, the
workload is called ``k1`` times and the counters dumped, called ``k2`` times and dumped
again, each switch a valgrind client request at that exact point of the program
(:mod:`pipebench.counts.client_requests`). Both dumps carry the same fixed cost of a request, so
``(dump2 - dump1) / (k2 - k1)`` is the cost of calls alone. The dumps (``callgrind.out.<pid>.<n>``) are
labelled by their call count; OUTPUT names the process id and the case's records.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipebench.counts.client_requests import ClientRequests
from pipebench.counts.client_requests import supported as client_requests_supported
from pipebench.matrix import all_cases, prepare
from pipebench.workloads import Workload


class Control(Protocol):
    """Callgrind's switches, as :class:`~pipebench.counts.client_requests.ClientRequests` offers them."""

    def start_instrumentation(self) -> None:
        """Start collecting."""

    def stop_instrumentation(self) -> None:
        """Stop collecting."""

    def zero(self) -> None:
        """Set every counter to zero."""

    def collect(self, on: bool) -> bool:
        """Collect costs from here on (``on``) or not, the simulated caches kept; return the state before."""

    def dump(self, label: str) -> None:
        """Write the counters to a profile file labelled ``label``."""

    def prepare(self, *labels: str) -> None:
        """Get ready to dump under each of ``labels`` without allocating at dump time."""


class ExternalControl:
    """The same switches through ``callgrind_control``, where client requests are not available.

    A command sent from outside lands wherever the program is when it arrives, so counts
    taken this way move by a few tenths of a percent under load. The answer goes to a file:
    reading a pipe loops as often as output arrives in pieces.
    """

    def __init__(self) -> None:
        self._collecting = True

    def _send(self, *options: str) -> None:
        with tempfile.TemporaryFile() as answer:
            code = subprocess.call(
                ["callgrind_control", *options, str(os.getpid())], stdout=answer, stderr=subprocess.STDOUT
            )
            answer.seek(0)
            text = answer.read().decode(errors="replace")
        if code != 0 or "OK." not in text:
            reason = text.strip().splitlines()
            raise RuntimeError(f"callgrind_control {' '.join(options)}: {reason[-1] if reason else 'no answer'}")

    def start_instrumentation(self) -> None:
        """Start collecting."""
        self._send("-i", "on")

    def stop_instrumentation(self) -> None:
        """Stop collecting."""
        self._send("-i", "off")

    def zero(self) -> None:
        """Set every counter to zero."""
        self._send("--zero")

    def collect(self, on: bool) -> bool:
        """``callgrind_control`` has no collection switch: instrumentation goes off and on instead.

        The simulated caches are then emptied when it comes back on, so counts taken this
        way start from cold caches.
        """
        was = self._collecting
        if on != was:
            self._send("-i", "on" if on else "off")
            self._collecting = on
        return was

    def dump(self, label: str) -> None:
        """Write the counters to a profile file labelled ``label``."""
        self._send(f"--dump={label}")

    def prepare(self, *labels: str) -> None:
        """Nothing to prepare: the labels travel on the command line."""
        pass


def control() -> Control:
    """Client requests where the architecture has them, ``callgrind_control`` elsewhere."""
    return ClientRequests() if client_requests_supported() else ExternalControl()


def label(calls: int) -> str:
    """The dump label of a segment of ``calls`` calls."""
    return f"calls={calls}"


WARMED = "warmed"
"""The label of the dump that ends the warm-up: never read, it runs the dump's own code once before the two that are."""


def count(workload: Workload, calls: tuple[int, int], warmups: int, switches: Control) -> None:
    """Warm ``workload``, then dump the counters of ``calls[0]`` and of ``calls[1]`` calls, labelled."""
    run = workload.run
    # A full collection empties CPython's free lists, so it comes before the warm-up calls:
    # collected right before the counted ones, it made their first call allocate anew
    # what free lists would have held (118 more allocations in a call of 3,434).
    names = [label(number) for number in calls]
    switches.prepare(WARMED, *names)
    gc.collect()
    gc.disable()
    try:
        for _ in range(warmups - 1):
            run()
        # Starting instrumentation empties callgrind's simulated caches, while a timed call
        # finds them as the call before it left them. So the last warm-up call runs
        # instrumented but not collected: the counted calls then start from the caches a
        # call in a timing loop starts from. Counted from empty caches, the dict records'
        # reference at n=1,000 took 2.6 last-level misses a record, all of them the first
        # touch of lines a warm cache holds; from warm ones, none.
        switches.start_instrumentation()
        if warmups:
            switches.collect(False)
            run()
            switches.collect(True)
            # The first call collected after the switch miscounts calls callgrind set up
            # while it was off (slotted records at n=10,000 read 5,075 allocations a call
            # where they make 10,055; the monotonic window at n=1,000 1,400 a call too
            # many): it runs before the dump that ends the warm-up, so that no counted
            # segment holds it.
            run()
        switches.zero()
        # Each counted segment starts on the way back from a dump and ends in one. Without
        # this dump the first segment ran the dump's code cold and the second warm, and
        # the difference of their last-level misses fell below zero (-13.5 a call).
        switches.dump(WARMED)
        for number, name in zip(calls, names):
            for _ in range(number):
                run()
            switches.dump(name)
        switches.stop_instrumentation()
    finally:
        gc.enable()


def main(argv: Sequence[str]) -> int:
    """Count the case named in the spec file ARGV[0]; write its record count and pid to ARGV[1]."""
    spec_path, output_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    case = next(case for case in all_cases(spec["size"]) if case.id == spec["case"])
    workload = prepare(case)
    switches = control()
    if isinstance(switches, ClientRequests) and not switches.running_on_valgrind():
        print("the counting worker must run under valgrind --tool=callgrind", file=sys.stderr)
        return 2
    count(workload, tuple(spec["calls"]), spec["warmups"], switches)
    result = {"id": case.id, "pid": os.getpid(), "records": workload.records}
    Path(output_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
