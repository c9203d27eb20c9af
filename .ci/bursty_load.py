"""The validation scripts' load: a CPU burner on the last core that switches on and off.

It spins for three seconds, sleeps for three, and so on, pinned to the machine's last
core: half of the time the measuring process shares the machine with a busy neighbour,
and the switch falls at any point of a measurement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BURNER = "import time\nwhile True:\n    end = time.time() + 3\n    while time.time() < end: pass\n    time.sleep(3)\n"


@contextmanager
def bursty_load() -> Iterator[None]:
    """Run the block with the burner going; it is killed when the block ends."""
    last_core = {(os.cpu_count() or 1) - 1}
    burner = subprocess.Popen([sys.executable, "-c", BURNER], preexec_fn=lambda: os.sched_setaffinity(0, last_core))
    try:
        yield
    finally:
        burner.kill()
        burner.wait()
