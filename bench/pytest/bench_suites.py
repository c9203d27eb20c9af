"""The pytest-benchmark suites, generated from the variant matrix.

One test function per suite, made from its declaration, parametrized with that suite's axes as real pytest
parameters (``strategy``, ``n``, ``w``, ...), so that pytest-benchmark stores them in its
JSON and ``--benchmark-group-by=param:n`` works. ``pytest --benchmark-only`` times every
case, grouped by suite and parameter set so that each group's table compares the variants
of one workload. Input is built before the timed call; ``extra_info`` carries the case id,
its parameters and per-record figures. A suite added to the matrix gets its test here
by itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from pipebench.cases import Case
from pipebench.matrix import SIZES, SUITES, Suite, prepare
from pipebench.proof.equality import first_difference
from pipebench.workloads import Workload


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    suite = metafunc.function.__name__.removeprefix("test_")
    if suite not in SUITES:
        return
    cases = SUITES[suite].cases(metafunc.config.getoption("pipebench_size"))
    names = [name for name, _ in cases[0].params]
    values = [[value for _, value in case.params] for case in cases]
    metafunc.parametrize(names, values, ids=[case.param_id for case in cases])


def _case(request: pytest.FixtureRequest, suite: str) -> Case:
    wanted = {name: request.getfixturevalue(name) for name in request.node.callspec.params}
    size = request.config.getoption("pipebench_size")
    return next(case for case in SUITES[suite].cases(size) if case.param_dict == wanted)


_REFERENCE_OUTPUTS: dict[str, object] = {}


def _prove(case: Case, workload: Workload) -> None:
    """Fail the test unless ``workload`` computes what its group's reference computes, on this input."""
    known = (c for size in SIZES for c in SUITES[case.suite].cases(size))
    reference = next(c for c in known if c.group == case.group and c.is_reference)
    if reference.id not in _REFERENCE_OUTPUTS:
        _REFERENCE_OUTPUTS[reference.id] = (workload if reference == case else prepare(reference)).output()
    found = first_difference(_REFERENCE_OUTPUTS[reference.id], workload.output())
    if found is not None:
        pytest.fail(f"{case.id}: its output differs from its reference {reference.variant!r}'s, {found}; not timed")


def time_case(benchmark, case: Case) -> None:
    """Time ``case``'s workload with pytest-benchmark, in its group, with per-record figures.

    When the benchmark is timed, the workload is first proven to compute what its reference
    does on the very input that is timed; a plain test run (bodies once, untimed) leaves
    that to the workload tests, which cover the same inputs up to 10,000 records.
    """
    workload = prepare(case)
    if benchmark.enabled:
        _prove(case, workload)
    benchmark.group = case.group
    benchmark.extra_info.update(
        case_id=case.id, suite=case.suite, variant=case.variant, params=case.param_dict, records=workload.records
    )
    benchmark(workload.run)
    if benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["ns_per_record"] = median * 1e9 / workload.records
        benchmark.extra_info["records_per_s"] = workload.records / median if median > 0 else float("inf")


def _suite_test(suite: Suite) -> Callable[..., None]:
    """``test_<suite>``: its signature names the suite's axes, which pytest then parametrizes."""

    def test(benchmark, request, **params):
        time_case(benchmark, _case(request, suite.name))

    axes = dict.fromkeys(axis for size in suite.sizes.values() for axis in size)
    names = ["benchmark", "request", suite.variant_axis, *axes]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    test.__signature__ = inspect.Signature([inspect.Parameter(name, kind) for name in names])
    test.__name__ = test.__qualname__ = f"test_{suite.name}"
    test.__doc__ = f"Time every case of {suite.name}: {suite.description}."
    # As any project's benchmarks name theirs: counted (--pipebench-instructions), the cases
    # are the suite's own (records[kind=dict,n=10000]), comparable with pipebench run's.
    test = pytest.mark.pipebench_reference(**{suite.variant_axis: suite.reference})(test)
    return pytest.mark.benchmark(group=suite.name)(test)


for _suite in SUITES.values():
    globals()[f"test_{_suite.name}"] = _suite_test(_suite)
