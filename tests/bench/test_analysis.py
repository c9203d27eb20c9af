"""The report's numbers on synthetic results with known answers."""

import pandas as pd
import pytest

from bench import analysis
from bench.frames import to_frame
from bench.matrix import SUITES
from bench.results import RunResults, make_row
from bench.stats import Interval

WINDOWS = SUITES["windows"].cases("full")


def case(strategy, n, w):
    return next(c for c in WINDOWS if c.id == f"windows[strategy={strategy},n={n},w={w}]")


def synthetic_run(run_id="r1", machine="box"):
    """deque costs 700 + 22 W ns/record; monotonic 730 flat; memory: deque constant, numpy linear."""
    rows = []
    for n in (1_000, 10_000, 100_000):
        for w in (10, 50, 1000):
            deque_ns = 700 + 22 * w
            rows.append(
                make_row(case("deque", n, w), "time_per_record", [[deque_ns] * 3], tool="pyperf", tool_version="x")
            )
            rows.append(make_row(case("monotonic", n, w), "time_per_record", [[730.0] * 3], tool="pyperf",
                                 tool_version="x"))  # fmt: skip
            ratio = 730.0 / deque_ns
            rows.append(make_row(case("monotonic", n, w), "ratio_to_reference", [[ratio] * 3], tool="pipebench",
                                 tool_version="x", interval=Interval(ratio, ratio * 0.98, ratio * 1.02),
                                 reference=case("deque", n, w).id))  # fmt: skip
            rows.append(make_row(case("deque", n, w), "peak_memory", [[30_000.0]], tool="memray", tool_version="x"))
            rows.append(make_row(case("monotonic", n, w), "peak_memory", [[72.0 * n]], tool="memray", tool_version="x"))
            rows.append(make_row(case("monotonic", n, w), "bytes_per_record", [[72.0]], tool="memray",
                                 tool_version="x"))  # fmt: skip
            rows.append(make_row(case("deque", n, w), "bytes_per_record", [[30_000.0 / n]], tool="memray",
                                 tool_version="x"))  # fmt: skip
    metadata = {"machine": machine, "cpu_model": "cpu", "commit": "abc1234", "dirty": False, "suites": SUITE}
    return RunResults(run_id, metadata, tuple(rows))


# What the run says of its suite: the analysis reads this, never today's matrix.
SUITE = {
    "windows": {
        "description": "windows",
        "variant_axis": "strategy",
        "reference": "deque",
        "axes": ["n", "w"],
        "swept": ["n", "w"],
        "finding": ["w", "time"],
    }
}


@pytest.fixture
def table():
    return analysis.case_table(to_frame([synthetic_run()]), SUITE)


VERDICTS = [
    (0.5, 0.9, "faster"),
    (1.01, 1.2, "slower"),
    (0.9, 1.1, "no real difference"),
    (1.0, 1.0, "no real difference"),
]


@pytest.mark.parametrize(("low", "high", "expected"), VERDICTS)
def test_verdict_follows_the_interval(low, high, expected):
    assert analysis.verdict(low, high) == expected


def test_case_table_has_one_line_per_case_with_ratio_and_verdict(table):
    assert len(table) == 18
    line = table[table["case_id"] == "windows[strategy=monotonic,n=1000,w=1000]"].iloc[0]
    assert line["ratio"] == pytest.approx(730 / 22_700)
    assert line["verdict"] == "faster"
    assert line["records_per_s"] == pytest.approx(1e9 / 730)
    reference = table[table["case_id"] == "windows[strategy=deque,n=1000,w=10]"].iloc[0]
    assert reference["verdict"] == "reference" and reference["is_reference"]


def test_scaling_names_the_reference_linear_in_w_and_monotonic_constant(table):
    scaling = analysis.scaling_table(table, SUITE)
    in_w = scaling[(scaling["against"] == "W") & (scaling["held"] == "n=100000")].set_index("variant")
    assert in_w.loc["deque", "growth"] == "linear"
    assert in_w.loc["monotonic", "growth"] == "constant"
    memory = scaling[(scaling["against"] == "N") & (scaling["measure"] == "peak memory")]
    memory = memory[memory["held"] == "w=50"].set_index("variant")
    assert memory.loc["deque", "growth"] == "constant" and memory.loc["monotonic", "growth"] == "linear"
    time_in_n = scaling[(scaling["against"] == "N") & (scaling["measure"] == "time")]
    assert set(time_in_n["growth"]) == {"linear"}


def test_findings_state_figures_with_intervals(table):
    sentences = analysis.findings(table, analysis.scaling_table(table, SUITE), SUITE)["r1"]
    speed = [s for s in sentences if "faster" in s]
    assert any("`monotonic` is 31.1x faster than `deque` at n=100000, w=1000 (95% CI [30.5, 31.7])" in s
               for s in speed)  # fmt: skip
    assert any("time against W" in s and "`deque` linear" in s and "`monotonic` constant" in s for s in sentences)


def test_no_real_difference_is_said_as_such():
    frame = to_frame([synthetic_run()])
    ratio_rows = frame["metric"] == "ratio_to_reference"
    frame.loc[ratio_rows, "ci_low"] = 0.5
    frame.loc[ratio_rows, "ci_high"] = 1.5
    table = analysis.case_table(frame, SUITE)
    sentences = analysis.findings(table, pd.DataFrame(), SUITE)["r1"]
    assert sentences and all("not measurably different" in s for s in sentences if "`monotonic` is" in s)
    assert not any("faster" in s for s in sentences)
