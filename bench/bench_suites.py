"""The pytest-benchmark suites, generated from the variant matrix.

One test function per suite, parametrized with that suite's cases: ``pytest
--benchmark-only`` times every case, grouped by suite and parameter set so that each
group's table compares the variants of one workload. Input is built before the timed
call; ``extra_info`` carries the case id, its parameters and per-record figures.
"""

from __future__ import annotations

import pytest

from bench.matrix import SUITES
from bench.workloads import prepare


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    suite = metafunc.function.__name__.removeprefix("test_")
    if suite in SUITES and "case" in metafunc.fixturenames:
        size = metafunc.config.getoption("pipebench_size")
        cases = SUITES[suite].cases(size)
        metafunc.parametrize("case", cases, ids=[case.param_id for case in cases])


def measure(benchmark, case) -> None:
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


def test_records(benchmark, case):
    measure(benchmark, case)


def test_stages(benchmark, case):
    measure(benchmark, case)


def test_windows(benchmark, case):
    measure(benchmark, case)


def test_pipeline(benchmark, case):
    measure(benchmark, case)
