"""The report's numbers on synthetic results with known answers."""

import pandas as pd
import pytest

from bench.frames import to_frame
from bench.report import analysis


@pytest.fixture
def table(synthetic_suites, synthetic_run):
    return analysis.case_table(to_frame([synthetic_run()]), synthetic_suites)


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


def test_scaling_names_the_reference_linear_in_w_and_monotonic_constant(synthetic_suites, table):
    scaling = analysis.scaling_table(table, synthetic_suites)
    in_w = scaling[(scaling["against"] == "W") & (scaling["held"] == "n=100000")].set_index("variant")
    assert in_w.loc["deque", "growth"] == "linear"
    assert in_w.loc["monotonic", "growth"] == "constant"
    memory = scaling[(scaling["against"] == "N") & (scaling["measure"] == "peak memory")]
    memory = memory[memory["held"] == "w=50"].set_index("variant")
    assert memory.loc["deque", "growth"] == "constant" and memory.loc["monotonic", "growth"] == "linear"
    time_in_n = scaling[(scaling["against"] == "N") & (scaling["measure"] == "time")]
    assert set(time_in_n["growth"]) == {"linear"}


def test_findings_state_figures_with_intervals(synthetic_suites, table):
    sentences = analysis.findings(table, analysis.scaling_table(table, synthetic_suites), synthetic_suites)["r1"]
    speed = [s for s in sentences if "faster" in s]
    assert any("`monotonic` is 31.1x faster than `deque` at n=100000, w=1000 (95% CI [30.5, 31.7])" in s for s in speed)
    assert any("time against W" in s and "`deque` linear" in s and "`monotonic` constant" in s for s in sentences)


def test_no_real_difference_is_said_as_such(synthetic_suites, synthetic_run):
    frame = to_frame([synthetic_run()])
    ratio_rows = frame["metric"] == "ratio_to_reference"
    frame.loc[ratio_rows, "ci_low"] = 0.5
    frame.loc[ratio_rows, "ci_high"] = 1.5
    table = analysis.case_table(frame, synthetic_suites)
    sentences = analysis.findings(table, pd.DataFrame(), synthetic_suites)["r1"]
    assert sentences and all("not measurably different" in s for s in sentences if "`monotonic` is" in s)
    assert not any("faster" in s for s in sentences)
