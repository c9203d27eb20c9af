"""Counts for any pytest-benchmark test: ``pytest --benchmark-only --pipebench-instructions --pipebench-out DIR``.

Each benchmark test the session ran is counted again in a pytest process of its own
under callgrind (:mod:`pipebench.pytest.counting`), one test per process, so that its
counts do not depend on which tests ran before it or how many were selected (in one
shared process a case's counts moved by 0.5% with the order). The process starts in a
fixed-length scratch directory that reaches the project through a link, with pipebench's
pinned environment (:func:`pipebench.counts.runner.pinned_environment`), so that neither
the checkout's path nor the caller's environment moves the heap it counts.

What comes out is a pipebench run in DIR, which ``report``, ``compare``, ``history``,
``export`` and ``explain`` read as they read ``pipebench run``'s. A test becomes a case:
its suite is its benchmark group (``@pytest.mark.benchmark(group=...)``) or, without one,
its module; its variant is the test function; its other parameters are the test's
parameters. A test marked ``@pytest.mark.pipebench_reference`` is its group's reference:
every other test of the group is reported and gated against it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipebench import store
from pipebench.cases import Case
from pipebench.counts import bytecodes, cycles
from pipebench.counts import runner as counts
from pipebench.errors import BenchError, UsageError
from pipebench.processes import run_module
from pipebench.pytest.project import Project

VARIANT_AXIS = "test"
"""The parameter that names a case's variant: the test function."""

REFERENCE_MARKER = "pipebench_reference"


@dataclass(frozen=True)
class BenchmarkTest:
    """One benchmark test of the session, as the case it is counted as."""

    nodeid: str
    case: Case


_UNSAFE = re.compile(r"[^A-Za-z0-9_.+\-]+")


def _name(value: object) -> str:
    """``value`` as a part of a case id: what a results file may hold (letters, digits, ``_ . + -``)."""
    text = _UNSAFE.sub("_", str(value)).strip("_.") or "_"
    return text if text[0].isalnum() else f"_{text}"[:60]


def _parameters(item: pytest.Function) -> list[tuple[str, Any]]:
    """The test's parameters, numbers kept as numbers (a swept axis), the rest by pytest's id."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return []
    params = []
    for name, value in callspec.params.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            params.append((_name(name), value))
        else:
            params.append((_name(name), _name(value if isinstance(value, str) else callspec.id)))
    return params


def benchmark_test(item: pytest.Item) -> BenchmarkTest | None:
    """The case ``item`` is counted as, or None if it is not a benchmark test.

    ``@pytest.mark.pipebench_reference`` makes the test function its group's reference
    (the variant is the test). ``@pytest.mark.pipebench_reference(parser="by_split")``
    on a test parametrized over ``parser`` makes that parameter the variant instead, and
    ``by_split`` its reference.

    Raises:
        UsageError: the marker names a parameter the test does not have, or more than one.
    """
    if not isinstance(item, pytest.Function) or "benchmark" not in item.fixturenames:
        return None
    marker = item.get_closest_marker("benchmark")
    group = (marker.kwargs.get("group") if marker is not None else None) or Path(item.path).stem
    parameters = _parameters(item)
    chosen = item.get_closest_marker(REFERENCE_MARKER)
    if chosen is not None and chosen.kwargs:
        if len(chosen.kwargs) != 1 or _name(next(iter(chosen.kwargs))) not in dict(parameters):
            raise UsageError(
                f"{item.nodeid}: @pytest.mark.{REFERENCE_MARKER} names one of the test's parameters and its "
                f"reference value, as {REFERENCE_MARKER}(parser='by_split'); it named {dict(chosen.kwargs)}"
            )
        ((axis, value),) = chosen.kwargs.items()
        axis = _name(axis)
        params = tuple(sorted(parameters, key=lambda pair: pair[0] != axis))
        return BenchmarkTest(item.nodeid, Case(_name(group), params, axis, _name(value)))
    variant = _name(item.originalname)
    params = ((VARIANT_AXIS, variant), *((name, value) for name, value in parameters if name != VARIANT_AXIS))
    return BenchmarkTest(item.nodeid, Case(_name(group), params, VARIANT_AXIS, variant if chosen is not None else ""))


def with_references(tests: Sequence[BenchmarkTest]) -> list[BenchmarkTest]:
    """The tests with each suite's reference (its marked test, or marked value) on every case of the suite.

    Raises:
        UsageError: a suite marks two different references, or two tests are one case.
    """
    references: dict[str, set[tuple[str, str]]] = {}
    for test in tests:
        if test.case.reference:
            references.setdefault(test.case.suite, set()).add((test.case.variant_axis, test.case.reference))
    for suite, chosen in references.items():
        if len(chosen) > 1:
            named = ", ".join(sorted(value for _, value in chosen))
            raise UsageError(f"benchmark group {suite}: more than one reference ({named})")
    seen: dict[str, str] = {}
    out = []
    for test in tests:
        other = seen.setdefault(test.case.id, test.nodeid)
        if other != test.nodeid:
            raise UsageError(f"{test.nodeid} and {other} are one case, {test.case.id}: give them different names")
        axis, reference = next(iter(references.get(test.case.suite, {(test.case.variant_axis, "")})))
        if axis != test.case.variant_axis:
            raise UsageError(
                f"benchmark group {test.case.suite}: its reference is a {axis!r}, "
                f"but {test.nodeid} varies its {test.case.variant_axis!r}"
            )
        out.append(BenchmarkTest(test.nodeid, Case(test.case.suite, test.case.params, axis, reference)))
    return out


def count_test(
    test: BenchmarkTest, project: Project, keep: Path, cache: cycles.CacheModel | None = None
) -> dict[str, float | None]:
    """Count ``test`` in a pytest process of its own under callgrind; keep its profile in ``keep``.

    The figures are per call, and ``records`` the records a call processes where the test
    says so in ``benchmark.extra_info["records"]`` (else None). The process reaches the
    project through a link, reads its configuration file, imports from where the session
    did, and runs the test in the link's copy of the directory the session started in.

    Raises:
        BenchError: the process failed (the test failed, or never called its benchmark).
    """
    with counts.scratch_directory(test.case.id) as work:
        package_root, python = counts.fixed_length_paths(work, distribution=None)
        link = work / "p"
        link.symlink_to(project.rootdir.resolve(), target_is_directory=True)
        spec = {
            "calls": list(counts.PLAN.calls),
            "warmups": counts.PLAN.warmups,
            "output": str(work / "result.json"),
            "cwd": str(project.reached(project.invocation, link)),
        }
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        environment = counts.pinned_environment(package_root)
        environment["PYTHONPATH"] = os.pathsep.join([environment["PYTHONPATH"], *project.import_entries(link)])
        arguments = [
            *("-p", "pipebench.pytest.counting", "--pipebench-count-spec=spec.json"),
            *project.options(Path("p")),
            *("-p", "no:cacheprovider", "-q", "--benchmark-disable", f"p/{test.nodeid}"),
        ]
        run_module(
            "pytest",
            arguments,
            f"counting {test.nodeid}",
            prefix=counts.valgrind_command(cache),
            env=environment,
            cwd=work,
            python=python,
        )
        result = json.loads((work / "result.json").read_text(encoding="utf-8"))
        if not result["called"]:
            raise BenchError(f"counting {test.nodeid}: the test never called its benchmark")
        kept = keep / store.case_file_name(test.case.id, ".callgrind.out")
        figures: dict[str, float | None] = dict(
            counts.figures_of_dumps(work, result["pid"], test.nodeid, kept, cached=cache is not None)
        )
        figures["records"] = _records(result["extra_info"])
        if "bytecodes" in result:
            store.atomic_write_json(keep / store.case_file_name(test.case.id, bytecodes.SUFFIX), result["bytecodes"])
        return figures


def _records(extra_info: dict[str, Any]) -> int | None:
    """The records a call processes, if the test says (``benchmark.extra_info["records"]``): counts per record too."""
    records = extra_info.get("records")
    if isinstance(records, int) and not isinstance(records, bool) and records > 0:
        return records
    return None


def suites_of(tests: Sequence[BenchmarkTest]) -> dict[str, dict[str, Any]]:
    """What the run says of each suite: its variant axis, reference and numeric axes."""
    out: dict[str, dict[str, Any]] = {}
    for suite in dict.fromkeys(test.case.suite for test in tests):
        cases = [test.case for test in tests if test.case.suite == suite]
        names = dict.fromkeys(name for case in cases for name, _ in case.group_params)
        numeric = [name for name in names if all(isinstance(case.param_dict.get(name), int | float) for case in cases)]
        out[suite] = {
            "description": f"pytest-benchmark tests of {suite}",
            "variant_axis": cases[0].variant_axis,
            "reference": cases[0].reference or None,
            "axes": numeric,
            "swept": numeric[:1],
            "finding": None,
            "threaded": False,
            "tags": {},
        }
    return out
