"""Running a worker process of the harness and turning its failure into a one-line error.

Workers import the same ``bench`` and ``pipeline`` packages as the process that starts
them, whatever its working directory: the package's root goes first on their
``PYTHONPATH``. So a run started from a scratch copy of the tree measures that copy, and
a run started elsewhere measures the installed checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.errors import BenchError
from bench.metadata import PACKAGE_ROOT


def worker_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (the current environment by default) with :data:`PACKAGE_ROOT` first on ``PYTHONPATH``."""
    environment = dict(os.environ if base is None else base)
    paths = [str(PACKAGE_ROOT), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


def run_module(
    module: str,
    arguments: Sequence[str],
    what: str,
    *,
    prefix: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run ``[prefix...] python -m module arguments`` to completion.

    Raises:
        BenchError: the process failed; the message names ``what`` and the last line the
            process wrote to stderr.
    """
    command = [*prefix, sys.executable, "-m", module, *arguments]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env=worker_environment() if env is None else dict(env),
        cwd=cwd,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{what} failed with exit code {done.returncode}: {last}")
