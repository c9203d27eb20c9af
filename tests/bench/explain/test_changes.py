"""pipebench explain: the functions a change of counts came from, per record, with known answers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.counts.callgrind import FunctionCost, Profile
from pipebench.explain import changes as explain

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / ".ci"))


def profile(**functions):
    costs = {name: FunctionCost(name, *figures) for name, figures in functions.items()}
    return Profile(
        "2", sum(c.self_instructions for c in costs.values()), costs, sum(c.allocations for c in costs.values())
    )


def test_changes_are_per_record_over_the_two_counted_calls_allocations_first():
    base = profile(run=(2_000, 2, 0, 0), append=(1_000, 200, 0, 0))
    current = profile(run=(2_000, 2, 0, 200), append=(1_600, 320, 0, 0), pop=(400, 120, 0, 0))
    changes = explain.function_changes(base, current, base_records=100, current_records=100)
    assert [c.function for c in changes] == ["run", "append", "pop"]
    run, append, pop = changes
    assert run.allocations == 1.0 and run.instructions == 0.0
    assert (append.instructions, append.calls) == pytest.approx((3.0, 0.6))
    assert (pop.instructions, pop.calls) == pytest.approx((2.0, 0.6))


def test_an_unchanged_profile_explains_nothing():
    same = profile(run=(2_000, 2, 0, 10))
    assert explain.function_changes(same, same, 100, 100) == []


def test_runs_without_counts_are_one_line_and_exit_2(pipebench, tmp_path):
    run_dir = ROOT / "tests" / "data" / "run_small"
    code, out, err = pipebench("explain", run_dir, run_dir)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--instructions" in err


@pytest.mark.slow
def test_explain_names_the_functions_a_real_change_added_exactly(count_cases, patched_copy, tmp_path):
    """The slower monotonic window spins 12 times a record; the slots record keeps one more int."""
    selection = ["records[kind=slots,n=1000]", "windows[strategy=monotonic,n=1000,w=50]"]
    copy = patched_copy(tmp_path, ("one-more-object", "slower"))
    base, current = count_cases(ROOT, tmp_path / "base", selection), count_cases(copy, tmp_path / "current", selection)
    done = subprocess.run(
        [sys.executable, "-m", "pipebench", "explain", str(base), str(current), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    by_case = {item["case_id"]: item for item in json.loads(done.stdout)}
    slots = by_case["records[kind=slots,n=1000]"]
    assert slots["allocations"] == pytest.approx(1.0, abs=0.01)
    assert slots["functions"][0]["allocations"] == pytest.approx(1.0, abs=0.01)  # who allocates it, named first
    window = {f["function"]: f for f in by_case["windows[strategy=monotonic,n=1000,w=50]"]["functions"]}
    assert window["_PyLong_Subtract"]["calls"] == pytest.approx(12.0, abs=0.01)  # spin -= 1, 12 times a record
    assert by_case["windows[strategy=monotonic,n=1000,w=50]"]["allocations"] == pytest.approx(0.0, abs=0.01)
    # ... and the Python function it spins in, alone, by its own bytecodes.
    (python,) = by_case["windows[strategy=monotonic,n=1000,w=50]"]["python"]
    assert python["function"] == "pipeline/windows.py:MonotonicWindow.push"
    assert python["current"] - python["base"] >= 12 * 4  # a few bytecodes a spin, 12 spins a record


def test_python_functions_whose_bytecodes_moved_are_listed_per_record_largest_change_first():
    base = {"a.py:f": 1_000, "a.py:g": 500, "a.py:same": 70}
    current = {"a.py:f": 1_100, "a.py:g": 200, "a.py:same": 70, "a.py:new": 30}
    changes = explain.bytecode_changes(base, current, base_records=100, current_records=100)
    assert [(c.function, c.change) for c in changes] == [("a.py:g", -3.0), ("a.py:f", 1.0), ("a.py:new", 0.3)]


def test_where_the_work_goes_is_each_functions_share_of_own_instructions_largest_first():
    shares = explain.where_work_goes(profile(a=(600, 1, 0, 0), b=(300, 1, 0, 0), c=(100, 1, 0, 0)), top=2)
    assert shares == [("a", 0.6), ("b", 0.3)]


BASELINE = Path(__file__).resolve().parents[3] / "results" / "baseline" / "ci"


def test_the_committed_baseline_keeps_compressed_profiles_that_explain_reads(pipebench):
    profiles = sorted((BASELINE / "callgrind").glob("*.callgrind.out.gz"))
    cases = {row["case_id"] for row in json.loads((BASELINE / "results.json").read_text())["rows"]}
    assert len(profiles) == len(cases)
    case = "windows[strategy=monotonic,n=10000,w=50]"
    code, out, err = pipebench("explain", BASELINE, BASELINE, "--case", case)
    assert code == 0, err
    assert out.strip() and "no callgrind profile" not in out + err


def test_a_damaged_compressed_profile_is_one_line(pipebench, tmp_path):
    import shutil

    copy = tmp_path / "base"
    shutil.copytree(BASELINE, copy)
    case = "windows[strategy=monotonic,n=10000,w=50]"
    (target,) = (copy / "callgrind").glob("windows-strategy=monotonic-n=10000-w=50.callgrind.out.gz")
    target.write_bytes(target.read_bytes()[:200])
    code, _, err = pipebench("explain", copy, BASELINE, "--case", case)
    assert code == 2 and err.count("\n") == 1 and target.name in err, err


def simulated(**functions):
    """A profile counted with cache simulation: each function's (instructions, L1 misses, LL misses)."""
    costs = {}
    for name, (instructions, l1, ll) in functions.items():
        events = {"Ir": instructions, "I1mr": 0, "D1mr": l1, "D1mw": 0, "ILmr": 0, "DLmr": ll, "DLmw": 0}
        costs[name] = FunctionCost(name, instructions, 1, 0, 0, events)
    totals = {
        event: sum(c.self_events[event] for c in costs.values()) for event in next(iter(costs.values())).self_events
    }
    return Profile("2", totals["Ir"], costs, 0, totals)


def test_a_change_of_cache_misses_alone_is_found_and_ranked_first_by_cycles():
    base = simulated(build=(10_000, 100, 10), sum=(5_000, 50, 0))
    current = simulated(build=(10_000, 300, 60), sum=(5_200, 50, 0))
    by_cycles = explain.function_changes(base, current, 100, 100, by="cycles")
    assert [c.function for c in by_cycles] == ["build", "sum"]
    assert by_cycles[0].instructions == 0 and by_cycles[0].cycles > 0
    assert explain.function_changes(base, current, 100, 100)[0].function == "sum"  # by instructions


def test_ranking_by_cycles_needs_profiles_with_cache_simulation():
    with pytest.raises(explain.UsageError, match="--cycles"):
        explain.function_changes(profile(run=(1, 1, 0, 0)), profile(run=(1, 1, 0, 0)), 1, 1, by="cycles")
