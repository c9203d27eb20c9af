"""Workloads: every benchmarked case computes exactly what its reference computes."""

import pytest

from pipebench.matrix import all_cases, prepare

# The quick matrix up to 10,000 records: the same inputs the benchmarks time, at sizes
# where the quadratic reference stays fast enough for a test run.
CASES = [case for case in all_cases("quick") if case.get("n") <= 10_000 and not case.is_reference]


@pytest.fixture(scope="module")
def reference_outputs():
    return {}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_output_equals_the_reference_on_the_benchmark_input(case, reference_outputs):
    reference = next(c for c in all_cases("quick", [case.suite]) if c.group == case.group and c.is_reference)
    if reference.id not in reference_outputs:
        reference_outputs[reference.id] = prepare(reference).output()
    assert prepare(case).output() == reference_outputs[reference.id]


@pytest.mark.parametrize("case", all_cases("quick"), ids=[case.id for case in all_cases("quick")])
def test_workload_reports_the_records_it_processes(case):
    workload = prepare(case)
    assert workload.records == case.get("n")
    assert workload.case is case
