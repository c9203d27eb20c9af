"""pipebench compare: exit codes, formats, thresholds, and the committed CI baseline."""

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
RUN = DATA / "run_small"
BASELINE = Path(__file__).resolve().parents[2] / "results" / "baseline" / "ci"


def edited_run(tmp_path, edit, source=RUN):
    """A copy of a run whose results.json went through ``edit(rows)``."""
    copy = tmp_path / "edited"
    shutil.copytree(source, copy)
    data = json.loads((copy / "results.json").read_text())
    edit(data["rows"])
    (copy / "results.json").write_text(json.dumps(data))
    return copy


def scale(metric, factor, case_filter=""):
    def edit(rows):
        for row in rows:
            if row["metric"] == metric and case_filter in row["case_id"]:
                row["samples"] = [v * factor for v in row["samples"]]
                row["summary"] = {k: (v * factor if k != "n" else v) for k, v in row["summary"].items()}
                if row["estimate"] is not None:
                    row["estimate"] *= factor
                    row["ci"] = [v * factor for v in row["ci"]]

    return edit


def test_identical_runs_exit_0(pipebench):
    code, out, _ = pipebench("compare", RUN, RUN)
    assert code == 0 and "0 regression(s)" in out


def test_memory_growth_exits_1_and_names_the_case(pipebench, tmp_path):
    # 30% of its 37 KB: past the memory family's 8 KiB noise floor as well as its 1% threshold.
    current = edited_run(tmp_path, scale("peak_memory", 1.3, "strategy=monotonic,n=1000,w=10]"))
    code, out, _ = pipebench("compare", RUN, current)
    assert code == 1
    flagged = [line for line in out.splitlines() if "REGRESSION" in line]
    assert len(flagged) == 1 and "windows[strategy=monotonic,n=1000,w=10]" in flagged[0] and "memory" in flagged[0]


def test_slowdown_beyond_threshold_exits_1_and_a_looser_threshold_passes(pipebench, tmp_path):
    # scipy's ratios in the small run spread widely (0.0075-0.047 at n=1000, w=10): twice as
    # slow is what their intervals can tell from 1.1 at every size.
    current = edited_run(tmp_path, scale("ratio_to_reference", 2.0, "strategy=scipy"))
    assert pipebench("compare", RUN, current, "--metric", "time")[0] == 1
    assert pipebench("compare", RUN, current, "--metric", "time", "--fail-on", "time:150%")[0] == 0


def test_absolute_times_are_compared_only_when_asked_and_with_a_warning(pipebench, tmp_path):
    current = edited_run(tmp_path, scale("time_per_record", 1.5))  # the whole machine 1.5x slower
    assert pipebench("compare", RUN, current, "--metric", "time")[0] == 0  # ratios cancel it
    code, out, _ = pipebench("compare", RUN, current, "--metric", "time", "--absolute-time")
    assert code == 1 and "--absolute-time" in out


def test_strict_makes_inconclusive_fail(pipebench, tmp_path):
    current = edited_run(tmp_path, scale("ratio_to_reference", 1.07))
    code, out, _ = pipebench("compare", RUN, current, "--metric", "time", "--format", "json")
    document = json.loads(out)
    assert code == 0 and any(c["verdict"] == "inconclusive" for c in document["comparisons"])
    assert pipebench("compare", RUN, current, "--metric", "time", "--strict")[0] == 1


def test_markdown_and_github_action_benchmark_formats(pipebench):
    code, out, _ = pipebench("compare", RUN, RUN, "--format", "md")
    assert code == 0 and out.startswith("### pipebench compare: passed") and "|--" in out
    entries = json.loads(pipebench("compare", RUN, RUN, "--format", "github-action-benchmark")[1])
    assert {"name", "unit", "value"} <= set(entries[0])
    assert all(isinstance(entry["value"], float) for entry in entries)


def test_formats_can_be_mixed_when_ids_match(pipebench):
    code, out, _ = pipebench("compare", RUN / "pyperf.json", RUN, "--metric", "time")
    assert code == 0 and "windows[strategy=deque,n=1000,w=10]" in out


def test_added_and_missing_benchmarks_are_listed(pipebench, tmp_path):
    def drop_scipy(rows):
        rows[:] = [row for row in rows if "scipy" not in row["case_id"]]

    code, out, _ = pipebench("compare", edited_run(tmp_path, drop_scipy), RUN)
    assert code == 0 and "added (only in CURRENT): windows[strategy=scipy" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", RUN, DATA / "nope.json"], "no such file"),
        (["compare", RUN, RUN, "--fail-on", "speed:5%"], "expected METRIC:PERCENT"),
        (["compare", RUN, RUN, "--fail-on", "time:fast"], "give a percentage"),
        (["compare", RUN, RUN, "--fail-on", "time:nan%"], "finite"),
        (["compare", RUN], "not an A/B run"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(pipebench, argv, message, tmp_path):
    code, out, err = pipebench(*argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_files_with_nothing_in_common_are_refused(pipebench, tmp_path):
    def keep_stages(rows):
        rows[:] = [row for row in rows if row["suite"] == "stages"]

    data = json.loads((DATA / "pytest_benchmark.json").read_text())
    for bench in data["benchmarks"]:
        bench["options"]["timer"] = "time.thread_time"
    (tmp_path / "cpu.json").write_text(json.dumps(data))
    code, out, err = pipebench("compare", tmp_path / "cpu.json", edited_run(tmp_path / "run", keep_stages))
    assert code == 2 and out == "" and "no benchmark in common" in err


def test_pytest_benchmark_file_timed_by_the_cpu_clock_matches_a_pipebench_run_by_case_id(pipebench, tmp_path):
    data = json.loads((DATA / "pytest_benchmark.json").read_text())
    for bench in data["benchmarks"]:
        bench["options"]["timer"] = "time.thread_time"
    (tmp_path / "cpu.json").write_text(json.dumps(data))
    code, out, _ = pipebench("compare", tmp_path / "cpu.json", RUN, "--metric", "time", "--fail-on", "time:500%")
    assert code == 0 and "3 compared" in out


def test_wall_clock_times_are_not_compared_with_cpu_times(pipebench):
    code, out, err = pipebench("compare", DATA / "pytest_benchmark.json", RUN, "--metric", "time")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "wall-clock time (perf_counter)" in err and "CPU time (time.thread_time)" in err


def test_committed_ci_baseline_passes_against_itself(pipebench):
    assert pipebench("compare", BASELINE, BASELINE, "--fail-on", "time:20%")[0] == 0


def test_ci_gate_fails_when_the_baseline_is_made_stricter_than_the_code_can_meet(pipebench, tmp_path):
    """A baseline claiming 10% less memory, or 40% better ratios, than the code delivers fails the gate."""
    leaner = edited_run(tmp_path / "a", scale("peak_memory", 0.9), BASELINE)
    assert pipebench("compare", leaner, BASELINE, "--fail-on", "time:20%")[0] == 1
    quicker = edited_run(tmp_path / "b", scale("ratio_to_reference", 0.6, "monotonic"), BASELINE)
    code, out, _ = pipebench("compare", quicker, BASELINE, "--fail-on", "time:20%", "--metric", "time")
    assert code == 1 and "monotonic" in next(line for line in out.splitlines() if "REGRESSION" in line)


def pyperf_significant_changes(base, current):
    """Benchmark -> ratio for the changes ``python -m pyperf compare_to`` calls significant."""
    import re
    import subprocess
    import sys

    table = subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", str(base), str(current), "--table"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changes = {}
    for line in table.splitlines():
        match = re.match(r"\|\s*(\S+\[[^|]*\])\s*\|[^|]*\|[^:|]*:\s*([\d.]+)x (slower|faster)", line)
        if match:
            ratio = float(match.group(2))
            changes[match.group(1)] = ratio if match.group(3) == "slower" else 1 / ratio
    return changes


def test_verdicts_agree_with_pyperf_where_it_sees_a_significant_change_beyond_the_threshold(pipebench):
    """pyperf files of two runs, the second with monotonic slowed by 20% and numpy by 3%."""
    base, current = DATA / "pyperf_base.json", DATA / "pyperf_slowed.json"
    significant = pyperf_significant_changes(base, current)
    beyond = {name for name, ratio in significant.items() if ratio > 1.10}
    assert beyond == {f"windows[strategy=monotonic,n=10000,w={w}]" for w in (10, 50, 1000)}
    document = json.loads(pipebench("compare", base, current, "--format", "json")[1])
    regressions = {c["id"] for c in document["comparisons"] if c["regression"]}
    assert regressions == beyond


def test_pyperf_tests_significance_between_two_real_runs_of_different_lengths():
    """Every benchmark of a run has the same number of values, so compare_to never has to give up."""
    import subprocess
    import sys

    shorter, longer = DATA / "run_windows_small" / "pyperf.json", RUN / "pyperf.json"
    done = subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", str(shorter), str(longer), "--table"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ERROR" not in done.stdout + done.stderr
    assert "windows[strategy=scipy,n=1000,w=10]" in done.stdout


def test_a_baseline_of_another_method_or_a_dirty_tree_is_refused_with_how_to_refresh(pipebench, tmp_path):
    def with_metadata(name, **changes):
        copy = tmp_path / name
        shutil.copytree(RUN, copy)
        data = json.loads((copy / "results.json").read_text())
        data["metadata"].update(changes)
        (copy / "results.json").write_text(json.dumps(data))
        return copy

    old = with_metadata("old", method={"version": 1})
    dirty = with_metadata("dirty", dirty=True, patch="0123456789ab")
    for base, words in ((old, "method version 1"), (dirty, "uncommitted changes")):
        code, out, err = pipebench("compare", base, RUN)
        assert code == 2 and out == "" and words in err and "re-measure" in err and err.count("\n") == 1


def test_the_committed_ci_baseline_was_measured_by_the_current_method_from_a_commit():
    """Fails when a change bumps the method version: refresh it with .ci/refresh-baseline."""
    from pipebench.provenance import METHOD_VERSION
    from pipebench.store import load_run

    metadata = load_run(BASELINE).metadata
    assert metadata["method"]["version"] == METHOD_VERSION
    assert not metadata["dirty"] and metadata["counts"]["valgrind"].startswith("valgrind")


def test_markdown_puts_what_needs_a_look_first_and_folds_long_lists(pipebench, tmp_path):
    def drop_most(rows):
        rows[:] = [row for row in rows if "n=1000," in row["case_id"]]

    current = edited_run(tmp_path / "a", scale("ratio_to_reference", 3.0, "strategy=scipy,n=1000,w=10]"))
    current = edited_run(tmp_path / "b", drop_most, current)
    code, out, _ = pipebench("compare", RUN, current, "--format", "md", "--metric", "time")
    assert code == 1 and out.startswith("### pipebench compare: FAILED")
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| verdict") and "REGRESSION" in table[1]  # the header, then the regression
    assert "<details><summary>missing (only in BASE)" in out


def test_ratios_across_runs_say_they_cannot_see_a_slower_reference_and_strict_fails_on_it(pipebench, tmp_path):
    slower_reference = edited_run(tmp_path, scale("time_per_record", 2.6, "style=generator"))
    code, out, _ = pipebench("compare", RUN, slower_reference, "--metric", "time")
    assert code == 0
    assert "suite reference(s) not compared (stages[style=generator,n=1000,w=50]" in out
    assert "an A/B run" in out
    code, out, _ = pipebench("compare", RUN, slower_reference, "--metric", "time", "--strict")
    assert code == 1 and "--strict fails" in out
    code, out, _ = pipebench("compare", RUN, slower_reference, "--metric", "time", "--format", "json")
    unseen = json.loads(out)["references_not_compared"]
    assert "stages[style=generator,n=1000,w=50]" in unseen and all("generator" in r or "deque" in r for r in unseen)


def test_one_run_against_itself_has_nothing_unseen(pipebench):
    code, out, _ = pipebench("compare", RUN, RUN, "--metric", "time", "--strict")
    assert code == 0 and "not compared" not in out


def with_conditions(tmp_path, name, calibration, load, edit=lambda rows: None):
    copy = tmp_path / name
    shutil.copytree(RUN, copy)
    data = json.loads((copy / "results.json").read_text())
    data["metadata"]["conditions"] = {"calibration_ns": calibration, "load_median": load}
    data["run_id"] = f"{data['run_id']}{name}"
    edit(data["rows"])
    (copy / "results.json").write_text(json.dumps(data))
    return copy


def test_time_verdicts_are_withheld_when_current_ran_far_slower_and_counts_say_which_moved(pipebench, tmp_path):
    quiet = with_conditions(tmp_path, "quiet", 10.0, 0.4)

    def slower_time_same_counts(rows):
        scale("ratio_to_reference", 4.0, "style=list")(rows)

    loaded = with_conditions(tmp_path, "loaded", 29.0, 4.1, slower_time_same_counts)
    code, out, _ = pipebench("compare", quiet, loaded)
    assert code == 0
    assert "time not compared: CURRENT ran 2.9x slower than BASE on the calibration (median load 0.4 vs 4.1)" in out
    assert "time moved and counts did not: the machine" in out
    code, _, _ = pipebench("compare", quiet, loaded, "--strict")
    assert code == 1
    similar = with_conditions(tmp_path, "similar", 12.0, 1.0, slower_time_same_counts)
    code, out, _ = pipebench("compare", quiet, similar)
    assert code == 1 and "time not compared" not in out
