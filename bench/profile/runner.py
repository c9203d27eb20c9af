"""``pipebench profile``: where a case's time goes, from pyinstrument, one process per case.

Each case is profiled in a fresh worker (:mod:`pipebench.profile.worker`), its input built
before the profiler starts, so only the workload's calls are profiled. pyinstrument's HTML
(open it in a browser) and speedscope JSON (https://www.speedscope.app) are kept; the
summary printed here gives each case's top functions by own time, with their share of the
profile's own and total time, and the profiler's overhead (profiled over unprofiled time
per record, both in CPU time).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tabulate import tabulate

from pipebench import store
from pipebench.cases import Case
from pipebench.errors import UsageError
from pipebench.processes import run_module
from pipebench.store import case_file_name

PROFILE_DIR = "pyinstrument"
COUNTED_DIR = store.CALLGRIND_DIR
"""Where ``--instructions`` keeps each case's callgrind profile, beside (not in) pyinstrument's."""

READING_C = (
    "These are the interpreter's C functions, not your Python functions: a Python function's own "
    "work is in _PyEval_EvalFrameDefault (its bytecode) and in what it calls: builtins by their C "
    "names (min, max, round's float formatting), the allocator (PyObject_Malloc), dict and list "
    "operations. Read the own columns; an entry point's inclusive figure (_PyObject_MakeTpCall, "
    "PyObject_Vectorcall) holds the whole call tree below it, the measured call included."
)


def profile_case(case: Case, size: str, directory: Path, seconds: float) -> dict[str, Any]:
    """Profile one case in its own process; return the summary its worker wrote.

    Raises:
        BenchError: the worker failed.
    """
    run_module(
        "pipebench.profile.worker", [size, case.id, str(directory), str(seconds)], f"profiling worker for {case.id}"
    )
    return json.loads((directory / case_file_name(case.id, ".profile.json")).read_text(encoding="utf-8"))


def render(summary: dict[str, Any], directory: Path, top: int = 8) -> str:
    """One case's summary: its overhead, its top functions, and where its profiles are."""
    overhead = summary["ns_per_record_profiled"] / summary["ns_per_record"]
    rows = [
        [row["function"], row["file"], f"{row['own']:.1%}", f"{row['total']:.1%}"] for row in summary["functions"][:top]
    ]
    html, speedscope = (
        case_file_name(summary["case"], suffix) for suffix in (".pyinstrument.html", ".speedscope.json")
    )
    return (
        f"{summary['case']}: {summary['ns_per_record']:,.1f} ns/record unprofiled, "
        f"{summary['ns_per_record_profiled']:,.1f} profiled ({overhead:.2f}x), {summary['calls']} calls\n"
        + tabulate(rows, headers=["function", "file", "own", "total"], tablefmt="simple", disable_numparse=True)
        + f"\nprofile: {directory / html} (speedscope: {speedscope})\n"
    )


def counted_functions(case: Case, size: str, directory: Path, top: int) -> str:
    """The C-level view of one case: its top functions from a callgrind count of two calls, and its profile's path."""
    from pipebench.counts import callgrind
    from pipebench.counts import runner as counts
    from pipebench.explain.render import function_table

    figures = counts.count_case(case, size, directory)
    path = directory / case_file_name(case.id, ".callgrind.out")
    profile = callgrind.parse(path.read_text(encoding="utf-8"))
    return (
        f"{case.id}: {figures['instructions'] / figures['records']:,.1f} instructions and "
        f"{figures['allocations'] / figures['records']:,.2f} allocations per record\n"
        + function_table(profile, figures["records"], top)
        + f"callgrind profile: {path} (callgrind_annotate --inclusive=yes, or KCachegrind)\n"
    )


def profile_cases(
    cases: Sequence[Case], size: str, root: Path, *, seconds: float, top: int, instructions: bool
) -> Iterator[str]:
    """Profile each case in turn into ``root``'s :data:`PROFILE_DIR`, yielding its summary as it is done.

    Raises:
        UsageError: pyinstrument missing, or (``instructions``) valgrind missing.
        BenchError: a worker failed.
    """
    if importlib.util.find_spec("pyinstrument") is None:
        raise UsageError("pyinstrument is not installed: pip install pyinstrument (or reinstall pipebench)")
    if instructions:
        from pipebench.counts import runner as counts

        counts.valgrind_version()
        counts.compile_sources()
    directory = store.output_dir(Path(root) / PROFILE_DIR)
    counted = store.output_dir(Path(root) / COUNTED_DIR) if instructions else None
    for index, case in enumerate(cases):
        yield render(profile_case(case, size, directory, seconds), directory, top)
        if counted is not None:
            yield counted_functions(case, size, counted, top) + ("" if index else READING_C + "\n")
