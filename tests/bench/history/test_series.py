"""pipebench history: series in commit order, and steps found where they are (known answers)."""

from types import SimpleNamespace

import numpy as np
import pytest

from pipebench.history import series as history
from pipebench.history.series import Point, Series


def series(values, noise=None, metric="ratio_to_reference"):
    points = tuple(Point(f"c{i:06d}", f"r{i}", float(v), noise) for i, v in enumerate(values))
    return Series("windows[strategy=monotonic,n=10000,w=50]", metric, None, 3, points)


def test_a_three_percent_step_in_counts_is_found_at_its_commit():
    counts = [1_000_000.0] * 12 + [1_030_000.0] * 12
    (step,) = history.find_steps(series(counts, metric="instructions_per_record"))
    assert step.commit == "c000012" and step.change == pytest.approx(0.03) and step.p_value is None


def test_a_ten_percent_step_in_ratios_with_five_percent_noise_is_found_within_one_commit():
    rng = np.random.default_rng(7)
    within = 0
    for _ in range(100):
        values = np.exp(rng.normal(0.0, 0.05, 30))
        values[15:] *= 1.10
        found = history.find_steps(series(values, noise=0.05))
        within += len(found) == 1 and abs(found[0].index - 15) <= 1
    # About 72 of 100: a step of two noise widths cannot always be placed exactly, and the series'
    # own scatter, sampled from 30 points, sometimes reads above the points' 5%.
    assert within >= 65


def test_pure_noise_gives_no_step_in_at_least_99_of_100_series():
    rng = np.random.default_rng(11)
    quiet = sum(not history.find_steps(series(np.exp(rng.normal(0.0, 0.05, 30)), noise=0.05)) for _ in range(100))
    assert quiet >= 99


def test_noise_is_estimated_from_the_series_when_points_carry_none():
    rng = np.random.default_rng(3)
    values = np.exp(rng.normal(0.0, 0.05, 40))
    assert history.noise_of(series(values, metric="peak_memory")) == pytest.approx(0.05, rel=0.35)
    values[20:] *= 1.3  # one step moves one difference only
    assert history.noise_of(series(values, metric="peak_memory")) == pytest.approx(0.05, rel=0.35)
    assert history.noise_of(series([1.0, 1.001, 0.999, 1.0])) == history.MIN_TIME_NOISE


def test_time_is_a_series_per_machine_and_a_new_method_starts_a_new_series(sample_results):
    results = sample_results()
    runs = []
    for index, (machine, method) in enumerate([("a", 3), ("b", 3), ("a", 4)]):
        metadata = {**results.metadata, "machine": machine, "method": {"version": method}, "commit": f"c{index}"}
        runs.append(type(results)(f"r{index}", metadata, results.rows))
    built = {(s.metric, s.machine, s.method): len(s.points) for s in history.build_series(runs)}
    assert built[("time_per_record", "a", 3)] == 1 and built[("time_per_record", "b", 3)] == 1
    assert built[("ratio_to_reference", None, 3)] == 2 and built[("ratio_to_reference", None, 4)] == 1


def test_runs_are_put_in_commit_order_and_unknown_commits_where_their_time_puts_them(sample_results):
    results = sample_results()
    make = lambda commit, stamp: type(results)(commit, {"commit": commit, "timestamp": stamp}, ())  # noqa: E731
    runs = [make("ccccccc", "5"), make("later", "7"), make("early", "1"), make("aaaaaaa", "3")]
    order = {"aaaaaaa": 0, "ccccccc": 1}
    assert [run.run_id for run in history.ordered(runs, order)] == ["early", "aaaaaaa", "ccccccc", "later"]


def test_a_run_named_twice_counts_once_and_runs_of_uncommitted_changes_are_left_out(sample_results):
    results = sample_results()
    clean = type(results)("r1", {"commit": "aaaaaaa", "timestamp": "1"}, results.rows)
    dirty = type(results)("r2", {"commit": "aaaaaaa", "timestamp": "2", "dirty": True}, results.rows)
    found = history.history_of([clean, clean, dirty], order={"aaaaaaa": 0})
    assert [run.run_id for run in found.runs] == ["r1"]
    assert found.notes == (
        "1 run(s) named twice, counted once",
        "1 run(s) of uncommitted changes left out: their commit did not hold the code they measured",
    )


def test_the_command_needs_two_runs_and_says_so_in_one_line(pipebench, tmp_path):
    code, out, err = pipebench("history", tmp_path, "--out", tmp_path / "h")
    assert code == 2 and out == "" and err.count("\n") == 1 and "at least two" in err


def test_a_path_that_does_not_exist_is_named_in_one_line(pipebench, tmp_path):
    code, out, err = pipebench("history", tmp_path / "nowhere", "--out", tmp_path / "h")
    assert code == 2 and out == "" and err.count("\n") == 1 and "nowhere: no such file or directory" in err


@pytest.mark.parametrize(
    ("link", "words"), [("loop", "a symbolic link that loops"), ("dangling", "a symbolic link to nothing")]
)
def test_a_link_that_leads_nowhere_says_which_in_one_line(pipebench, tmp_path, link, words):
    if link == "loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        named = tmp_path / "a"
    else:
        named = tmp_path / "d"
        named.symlink_to(tmp_path / "nothing-here")
    commands = (("history", named, tmp_path, "--out", tmp_path / "o"), ("compare", named, tmp_path), ("report", named))
    for command in commands:
        code, _, err = pipebench(*command)
        assert code == 2 and err.count("\n") == 1 and words in err, (command, err)


def test_runs_named_by_their_results_files_are_read_like_their_directories(pipebench, finished_run, tmp_path):
    from pipebench import store
    from pipebench.results import RunResults

    first = finished_run(tmp_path, name="20260101T000000Z_aaaaaaa")
    data = store.load_run(first).as_dict()
    data["run_id"] = "20260102T000000Z_bbbbbbb"
    data["metadata"] = {**data["metadata"], "commit": "bbbbbbb", "timestamp": "2026-01-02T00:00:00+00:00"}
    second = store.start_run(tmp_path / "20260102T000000Z_bbbbbbb")
    store.finish_run(second, RunResults.from_dict(data))
    code, out, err = pipebench("history", first / "results.json", second / "results.json", "--out", tmp_path / "h")
    assert code == 0, err
    assert out.startswith("2 runs,")


def test_an_exact_change_is_found_at_its_commit_even_over_four_runs():
    (step,) = history.find_steps(series([9_727.7, 9_727.7, 11_576.0, 11_576.0], metric="instructions_per_record"))
    assert step.commit == "c000002" and step.change == pytest.approx(0.19, abs=0.001)


def test_counts_from_other_machines_move_only_past_the_threshold():
    def counted(values, prints):
        points = tuple(Point(f"c{i}", f"r{i}", v, fingerprint=f) for i, (v, f) in enumerate(zip(values, prints)))
        return Series("records[kind=tuple,n=10000]", "instructions_per_record", None, 5, points)

    assert history.find_steps(counted([1000.0, 1005.0], ["a", "b"])) == []  # 0.5% across machines
    assert len(history.find_steps(counted([1000.0, 1005.0], ["a", "a"]))) == 1  # 0.5% on one machine
    assert len(history.find_steps(counted([1000.0, 1020.0], ["a", "b"]))) == 1


def test_time_is_judged_only_over_runs_of_comparable_speed_and_only_once_there_are_enough():
    rng = np.random.default_rng(5)
    values = np.exp(rng.normal(0.0, 0.02, 12))
    speeds = [10.0] * 12
    for index in (3, 7, 8):  # runs on a machine that ran 2-3x slower: their time doubled
        values[index] *= 2.0
        speeds[index] = 25.0
    points = tuple(Point(f"c{i}", f"r{i}", float(v), 0.02, speed) for i, (v, speed) in enumerate(zip(values, speeds)))
    noisy = Series("windows[strategy=monotonic,n=10000,w=50]", "time_per_record", "box", 5, points)
    assert history.find_steps(noisy) == []
    assert history.find_steps(series(np.exp(rng.normal(0.0, 0.02, 5)) * [1, 1, 1, 2, 2], noise=0.02)) == []


def test_load_that_comes_and_goes_between_runs_is_noise_even_where_each_run_knows_its_own_level():
    """Twelve runs of unchanged code, some under CPU burners (their time doubled), each within 1% of its own level."""
    loaded = (True, False, False, True, True, False, True, False, True, True, False, False)
    rng = np.random.default_rng(9)
    values = [(2.0 if hot else 1.0) * float(np.exp(rng.normal(0.0, 0.01))) for hot in loaded]
    points = tuple(Point(f"c{i}", f"r{i}", v, 0.01, 10.0) for i, v in enumerate(values))
    assert history.find_steps(Series("records[kind=dict,n=10000]", "time_per_record", "vm", 6, points)) == []


def test_one_run_at_a_level_of_its_own_is_no_step_of_time_but_two_are():
    quiet = [1.0, 1.01, 0.99, 1.0, 1.01, 0.99, 1.0, 1.01, 0.99, 1.0]
    burst = [*quiet[:5], 1.6, *quiet[6:]]
    assert history.find_steps(series(burst, noise=0.01, metric="time_per_record")) == []
    moved = quiet[:5] + [1.2 * v for v in quiet[5:]]
    (step,) = history.find_steps(series(moved, noise=0.01, metric="time_per_record"))
    assert step.commit == "c000005" and step.change == pytest.approx(0.2, abs=0.02)


def test_a_machine_whose_speed_drifts_over_the_runs_makes_no_step_of_absolute_time():
    """Unchanged records over an hour of rising load: 120 down to 110 ns/record and back, 1-2% from run to run."""
    values = [120.0, 116.3, 115.0, 116.8, 115.4, 112.6, 109.5, 110.9, 111.8, 112.1, 117.7, 113.0]
    points = tuple(Point(f"c{i}", f"r{i}", v, None, 23.0) for i, v in enumerate(values))
    assert history.find_steps(Series("records[kind=slots,n=10000]", "time_per_record", "vm", 6, points)) == []


def _timed_runs(times, ratios):
    """Runs of one records group: each case's ns/record per run, and the slots variant's ratio to dict."""
    runs, series_of = [], {}
    for index in range(len(ratios)):
        rows = [SimpleNamespace(case_id=case, group="records[n=10000]") for case in times]
        runs.append(SimpleNamespace(run_id=f"r{index}", rows=rows))
    for case, values in times.items():
        points = tuple(Point(f"c{i}", f"r{i}", v, None, 23.0) for i, v in enumerate(values))
        series_of[case] = Series(case, "time_per_record", "vm", 6, points)
    ratio_points = tuple(Point(f"c{i}", f"r{i}", v, 0.01, 23.0) for i, v in enumerate(ratios))
    series = [*series_of.values(), Series("records[kind=slots,n=10000]", "ratio_to_reference", None, 6, ratio_points)]
    return runs, series


def test_absolute_time_that_moved_while_the_groups_ratios_held_is_the_machine():
    loaded = [1.3, 1.3] + [1.0] * 10  # the first two runs under heavier load
    times = {
        "records[kind=dict,n=10000]": [120 * f for f in loaded],
        "records[kind=slots,n=10000]": [80 * f for f in loaded],
    }
    runs, series = _timed_runs(times, [0.667] * 12)
    found = history.all_steps(series)
    assert {step.series.metric for step in found} == {"time_per_record"}  # each alone would read as a step
    kept, machine = history.corroborated(found, series, runs)
    assert kept == [] and machine == len(found) == 2


def test_absolute_time_that_moved_with_the_groups_ratio_is_kept():
    slower = [1.0] * 6 + [1.25] * 6  # slots 25% slower from the seventh run on
    times = {"records[kind=dict,n=10000]": [120.0] * 12, "records[kind=slots,n=10000]": [80 * f for f in slower]}
    runs, series = _timed_runs(times, [0.667 * f for f in slower])
    kept, machine = history.corroborated(history.all_steps(series), series, runs)
    assert machine == 0
    assert {(step.series.case_id, step.series.metric, step.commit) for step in kept} == {
        ("records[kind=slots,n=10000]", "time_per_record", "c6"),
        ("records[kind=slots,n=10000]", "ratio_to_reference", "c6"),
    }
