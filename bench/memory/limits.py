"""Memory guards: pytest-memray limits on the workloads whose memory must stay bounded.

Run them on their own, ``pytest --memray -p no:benchmark bench/memory/limits.py`` (the file is
not collected by a plain ``pytest``):
pytest-memray tracks allocations (slowing code several times) while pytest-benchmark
times it, so the two in one run distort each other's figures. Without ``--memray`` the
limits are not enforced and the workloads simply run once. Inputs are built in fixtures,
which pytest-memray does not track; only the test body is measured.
"""

from __future__ import annotations

import pytest

from pipebench.matrix import all_cases, prepare

# Case id -> limit. Streaming work must stay far below the size of its input (100,000
# records hold about 19 MiB as dicts); materialized work must stay near its known cost per
# record (memray: dict 192 B/record, slots 72 B/record).
LIMITS = {
    "stages[style=generator,n=100000,w=50]": "2 MB",
    "stages[style=fused,n=100000,w=50]": "2 MB",
    "pipeline[pipeline=seed,n=100000,w=500]": "2 MB",
    "pipeline[pipeline=streaming,n=100000,w=500]": "2 MB",
    "records[kind=dict,n=100000]": "20 MB",
    "records[kind=slots,n=100000]": "8 MB",
}

CASES = {case.id: case for case in all_cases("quick")}


@pytest.fixture(scope="module")
def workloads():
    return {case_id: prepare(CASES[case_id]) for case_id in LIMITS}


@pytest.mark.parametrize(
    "case_id",
    [pytest.param(case_id, marks=pytest.mark.limit_memory(limit)) for case_id, limit in LIMITS.items()],
)
def test_memory_stays_within_its_limit(case_id, workloads):
    workloads[case_id].run()
