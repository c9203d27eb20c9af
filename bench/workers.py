"""Running a worker process of the harness and turning its failure into a one-line error."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from bench.errors import BenchError


def run_module(module: str, arguments: Sequence[str], what: str) -> None:
    """Run ``python -m module arguments`` to completion.

    Raises:
        BenchError: the process failed; the message names ``what`` and the last line the
            process wrote to stderr.
    """
    done = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{what} failed with exit code {done.returncode}: {last}")
