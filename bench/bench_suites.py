"""The pytest-benchmark suites, generated from the variant matrix.

One test function per suite, parametrized with that suite's axes as real pytest
parameters (``strategy``, ``n``, ``w``, ...), so that pytest-benchmark stores them in its
JSON and ``--benchmark-group-by=param:n`` works. ``pytest --benchmark-only`` times every
case, grouped by suite and parameter set so that each group's table compares the variants
of one workload. Input is built before the timed call; ``extra_info`` carries the case id,
its parameters and per-record figures. A test's signature names its suite's axes: pytest
refuses to run it if they drift apart from the matrix.
"""

from __future__ import annotations

import pytest

from bench.cases import Case
from bench.matrix import SUITES
from bench.workloads import prepare


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


def measure(benchmark, case: Case) -> None:
    workload = prepare(case)
    benchmark.group = case.group
    benchmark.extra_info.update(
        case_id=case.id, suite=case.suite, variant=case.variant, params=case.param_dict, records=workload.records
    )
    benchmark(workload.run)
    if benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["ns_per_record"] = median * 1e9 / workload.records
        benchmark.extra_info["records_per_s"] = workload.records / median if median > 0 else float("inf")


def test_records(benchmark, request, kind, n):
    measure(benchmark, _case(request, "records"))


def test_stages(benchmark, request, style, n, w):
    measure(benchmark, _case(request, "stages"))


def test_windows(benchmark, request, strategy, n, w):
    measure(benchmark, _case(request, "windows"))


def test_pipeline(benchmark, request, pipeline, n, w):
    measure(benchmark, _case(request, "pipeline"))
