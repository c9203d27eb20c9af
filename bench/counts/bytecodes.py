"""Bytecodes each Python function executes in a call of a case: where a count moved, by Python function.

callgrind names the interpreter's C functions, and on CPython 3.11 a Python function's
own work is all inside ``_PyEval_EvalFrameDefault``: its profile cannot say which Python
function changed. Bytecodes are the Python side's count (:mod:`pipebench.counts.tracing`):
over a deterministic call they repeat exactly, and a function given more work executes
more of them. A traced call runs tens of times slower, so a case is traced in a worker
process that measures nothing else (``python -m pipebench.counts.bytecodes SIZE
DIRECTORY CASE...``), one call after a warm-up call, and each case's counts are kept
beside its callgrind profile (``callgrind/<case>.bytecodes.json``) for ``pipebench explain``.

A function is named by its file, relative to the measured packages' parent for their
code (``pipeline/stages.py``, as git names it) or to the import path's entry that holds
it for the rest (``statistics.py``), and its qualified name:
``pipeline/stages.py:ThresholdFilter.process``.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipebench import store
from pipebench.cases import Case
from pipebench.counts.tracing import by_function, count
from pipebench.errors import InputError
from pipebench.matrix import all_cases, prepare
from pipebench.processes import HEAD, MEASURED, Code, per_case, run_module, worker_environment

SUFFIX = ".bytecodes.json"
WARMUPS = 1


def measure(
    cases: Sequence[Case],
    size: str,
    directory: Path,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
    code: Code = HEAD,
) -> None:
    """Trace every case in a worker of its own, ``jobs`` at a time; each one's counts into ``directory``.

    Raises:
        pipebench.errors.BenchError: a worker failed.
    """
    # Hash seeds fixed, as for the counted processes: the order of a set of strings decides
    # how many bytecodes some loops take.
    environment = {**worker_environment(code=code), "PYTHONHASHSEED": "0"}
    one = functools.partial(_trace_case, size=size, directory=directory, environment=environment, code=code)
    per_case(one, cases, jobs, progress, "trace bytecodes of")


def _trace_case(case: Case, size: str, directory: Path, environment: dict[str, str], code: Code) -> None:
    arguments = [size, str(directory), case.id]
    run_module("pipebench.counts.bytecodes", arguments, f"tracing {case.id}", env=environment, code=code)


def kept(run_dir: Path, case_id: str) -> dict[str, int] | None:
    """A case's kept bytecode counts (per call), or None where the run has none (counted before they were kept).

    Raises:
        InputError: the file is there but is not what this module writes.
    """
    path = Path(run_dir) / store.CALLGRIND_DIR / store.case_file_name(case_id, SUFFIX)
    if not path.is_file():
        return None
    data = store.read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in data.values()):
        raise InputError(f"{path}: not a table of bytecode counts by function")
    return {str(name): number for name, number in data.items()}


def main(argv: Sequence[str]) -> int:
    """Trace the cases named by ARGV[2:] at size ARGV[0]; write each one's counts into directory ARGV[1]."""
    size, directory, *case_ids = argv
    by_id = {case.id: case for case in all_cases(size)}
    # The measured packages' parent: their files are named as the repository (and git) names them.
    bases = [Path(importlib.import_module(name).__file__).resolve().parent.parent for name in MEASURED]
    for case_id in case_ids:
        workload = prepare(by_id[case_id])
        for _ in range(WARMUPS):
            workload.run()
        counts = by_function(count(workload.run), bases)
        store.atomic_write_json(Path(directory) / store.case_file_name(case_id, SUFFIX), counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
