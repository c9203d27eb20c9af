"""The memory runner: real memray captures, per-record figures, agreement with tracemalloc."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.matrix import all_cases
from pipebench.memory import runner as memory
from pipebench.memory.worker import peak_of

DATA = Path(__file__).resolve().parents[2] / "data"
ROOT = Path(__file__).resolve().parents[3]


def case(case_id, size="quick"):
    return next(c for c in all_cases(size) if c.id == case_id)


def test_the_peak_of_a_real_capture_is_memray_s_own():
    capture = DATA / "run_windows_small" / "memray" / "windows-strategy=deque-n=1000-w=10.bin"
    import memray

    assert peak_of(capture) == memray.FileReader(str(capture)).metadata.peak_memory
    assert peak_of(capture) > 1000 * 8  # at least the output list's pointers


def test_rows_report_bytes_per_record_only_for_materialized_work_and_no_memray_allocations():
    listed = case("stages[style=list,n=1000,w=50]")
    streamed = case("stages[style=generator,n=1000,w=50]")
    figures = {
        listed.id: {"peak_memory": 200_000, "records": 1000, "materialized": True},
        streamed.id: {"peak_memory": 17_000, "records": 1000, "materialized": False},
    }
    produced = {(r.variant, r.metric): r.summary.median for r in memory.rows([listed, streamed], figures)}
    assert produced[("list", "bytes_per_record")] == 200.0
    assert ("generator", "bytes_per_record") not in produced
    assert produced[("generator", "peak_memory")] == 17_000
    assert not any(metric.startswith("allocations") for _, metric in produced)


TRACEMALLOC_SCRIPT = """
import gc, json, sys, tracemalloc
from pipebench.matrix import all_cases, prepare
case = next(c for c in all_cases("quick") if c.id == sys.argv[1])
workload = prepare(case)
gc.collect()
tracemalloc.start()
result = workload.run()
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps(peak / workload.records))
"""


@pytest.mark.parametrize("kind", ["dict", "slots"])
def test_bytes_per_record_agree_with_tracemalloc_within_two_percent(kind, tmp_path):
    measured = case(f"records[kind={kind},n=10000]")
    figures = memory.measure_group([measured], "quick", tmp_path)[measured.id]
    by_memray = figures["peak_memory"] / figures["records"]
    done = subprocess.run(
        [sys.executable, "-c", TRACEMALLOC_SCRIPT, measured.id], cwd=ROOT, capture_output=True, text=True, check=True
    )
    by_tracemalloc = json.loads(done.stdout)
    assert by_memray == pytest.approx(by_tracemalloc, rel=0.02)


def test_a_case_measures_the_same_alone_as_after_the_rest_of_its_group(tmp_path):
    group = [case(f"records[kind={kind},n=1000]") for kind in ("dict", "slots", "plain", "tuple")]
    together = memory.measure_group(group, "quick", tmp_path)
    for member in group:
        alone = memory.measure_group([member], "quick", tmp_path)
        assert alone[member.id]["peak_memory"] == together[member.id]["peak_memory"]
    assert {path.name for path in tmp_path.iterdir()} == {f"records-kind={c.variant}-n=1000.bin" for c in group}


def test_a_library_s_first_use_set_up_is_not_counted_as_the_call_s_memory(tmp_path):
    """scipy's window imports scipy.ndimage in its first call: 12 MiB that a warm call does not allocate."""
    measured = case("windows[strategy=scipy,n=1000,w=10]")
    figures = memory.measure_group([measured], "quick", tmp_path)[measured.id]
    assert figures["peak_memory"] < 200 * figures["records"]


def test_a_case_that_fails_names_its_error_in_one_line(tmp_path):
    from pipebench.errors import BenchError

    measured = case("records[kind=dict,n=1000]")
    with pytest.raises(
        BenchError,
        match=r"memory worker for records\[n=1000\] failed with exit code 1: OSError: Could not create output file",
    ):
        memory.measure_group([measured], "quick", tmp_path / "missing")
