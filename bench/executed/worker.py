"""A change-coverage worker: the functions of the measured packages each case's work executes.

Run by :mod:`pipebench.executed.runner` as ``python -m pipebench.executed.worker SIZE OUTPUT CASE...``.
Each case's input is built first, outside the trace, then coverage.py records one call
of the work that is timed (``Workload.run``), and only that: building the input is not
what is measured. Writes to OUTPUT a JSON object: case id -> path (relative to the
packages' parent, ``pipeline/stages.py``) -> the names of the functions executed there
(:mod:`pipebench.executed.functions`).
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import coverage

from pipebench.executed.functions import units_at
from pipebench.matrix import all_cases, prepare
from pipebench.processes import MEASURED


def package_dirs() -> list[Path]:
    """The directories of the measured packages this process imports."""
    return [Path(importlib.import_module(name).__file__).resolve().parent for name in MEASURED]


def executed(run: object, roots: Sequence[Path]) -> dict[str, list[str]]:
    """The functions under ``roots`` that one call of ``run`` executes, by path relative to the roots' parent."""
    tracer = coverage.Coverage(data_file=None, config_file=False, include=[f"{root}/*" for root in roots], branch=False)
    tracer.start()
    try:
        run()  # type: ignore[operator]
    finally:
        tracer.stop()
    data = tracer.get_data()
    out: dict[str, list[str]] = {}
    for measured in sorted(data.measured_files()):
        path = Path(measured).resolve()
        root = next((r for r in roots if path.is_relative_to(r)), None)
        lines = data.lines(measured) or []
        if root is None or not lines:
            continue
        names = units_at(path.read_text(encoding="utf-8"), lines)
        out[path.relative_to(root.parent).as_posix()] = sorted(names)
    return out


def main(argv: Sequence[str]) -> int:
    """Trace the cases named by ARGV; write what each executes to ARGV[1]."""
    size, output, *case_ids = argv
    by_id = {case.id: case for case in all_cases(size)}
    roots = package_dirs()
    found = {case_id: executed(prepare(by_id[case_id]).run, roots) for case_id in case_ids}
    Path(output).write_text(json.dumps(found), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
