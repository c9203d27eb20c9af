"""The validation scripts' load: CPU burners on every core that switch on and off.

Two burners a core, each spinning for three seconds and sleeping for three, their phases
staggered: the load swings between about 0 and 4 on a two-core machine, the measuring
processes share both cores with busy neighbours part of the time, and a switch falls at
any point of a measurement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BURNER = (
    "import sys, time\n"
    "time.sleep(float(sys.argv[1]))\n"
    "while True:\n"
    "    end = time.time() + 3\n"
    "    while time.time() < end: pass\n"
    "    time.sleep(3)\n"
)


@contextmanager
def bursty_load(per_core: int = 2) -> Iterator[None]:
    """Run the block with ``per_core`` burners pinned to each core; they are killed when the block ends."""
    cores = sorted(os.sched_getaffinity(0))
    burners = []
    try:
        for index in range(per_core * len(cores)):
            core = {cores[index % len(cores)]}
            offset = f"{1.5 * index % 6:.1f}"
            burners.append(
                subprocess.Popen(
                    [sys.executable, "-c", BURNER, offset], preexec_fn=lambda core=core: os.sched_setaffinity(0, core)
                )
            )
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
