"""The change-coverage pass of a run: which functions each measured case executes.

Each comparison group is traced in a worker process of its own
(:mod:`pipebench.executed.worker`), outside every measurement: coverage.py's tracer slows
the code it watches, so it never shares a process with a timed, tracked or counted
call. One call per case is enough, since the workloads are deterministic; over CI's
selection (every suite at n = 10,000) the pass takes a few seconds.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pipebench.cases import Case
from pipebench.executed.changes import Executed
from pipebench.processes import HEAD, Code, parallel, run_module

Progress = Callable[[str], None]


def trace(
    groups: Sequence[Sequence[Case]], size: str, jobs: int = 2, progress: Progress | None = None, code: Code = HEAD
) -> Executed:
    """What every case of ``groups`` executes: case id -> path -> function names.

    Raises:
        pipebench.errors.BenchError: a worker failed.
    """
    with tempfile.TemporaryDirectory(prefix="pipebench-executed-") as scratch:

        def one(indexed: tuple[int, Sequence[Case]]) -> dict:
            index, group = indexed
            output = Path(scratch) / f"executed-{index}.json"
            run_module(
                "pipebench.executed.worker",
                [size, str(output), *(case.id for case in group)],
                f"tracing {group[0].group}",
                code=code,
            )
            if progress is not None:
                progress(f"trace {group[0].group}")
            return json.loads(output.read_text(encoding="utf-8"))

        found: dict = {}
        for part in parallel(one, list(enumerate(groups)), jobs):
            found.update(part)
        return found
