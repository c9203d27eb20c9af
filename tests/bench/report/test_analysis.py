"""The report's numbers on synthetic results with known answers."""

import pandas as pd
import pytest

from pipebench.frames import to_frame
from pipebench.report import analysis


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


def counted_table(slots_cycles, numpy_cycles):
    """Records and windows at their largest size: time ratios, instructions and estimated cycles per record."""
    lines = [
        ("records", "dict", True, None, 2240, 3600),
        ("records", "slots", False, 0.67, 2205, slots_cycles),
        ("windows", "deque", True, None, 900, 1000),
        ("windows", "numpy", False, 0.20, 600, numpy_cycles),
    ]
    return pd.DataFrame(
        [
            {
                "run_id": "r1",
                "suite": suite,
                "group": suite,
                "case_id": f"{suite}[{variant}]",
                "variant": variant,
                "is_reference": reference,
                "n": 100_000,
                "ratio": ratio,
                "ratio_low": None if ratio is None else ratio * 0.98,
                "ratio_high": None if ratio is None else ratio * 1.02,
                "verdict": "reference" if reference else "faster",
                "time_per_record": 100.0,
                "instructions_per_record": instructions,
                "estimated_cycles_per_record": cycles,
            }
            for suite, variant, reference, ratio, instructions, cycles in lines
        ]
    )


def test_where_counts_and_time_disagree_the_findings_say_so_and_why():
    suites = {"records": {"axes": ["n"]}, "windows": {"axes": ["n"], "tags": {"numpy": ["vectorized"]}}}
    sentences = analysis.findings(counted_table(2450, 650), pd.DataFrame(), suites)["r1"]
    memory = next(s for s in sentences if "`slots`" in s and "instructions" in s)
    assert "0.67 of `dict`'s time" in memory and "0.984 of its instructions" in memory
    assert "0.681 of its estimated cycles" in memory and "the difference is memory" in memory
    vectorized = next(s for s in sentences if "`numpy`" in s and "instructions" in s)
    assert "vectorized C code" in vectorized


def test_a_variant_faster_than_both_counts_is_called_vectorized_only_where_its_suite_tags_it():
    # The streaming pipeline against the seed's: faster than either count says, in pure
    # Python; the seed's clock reads are time no counted instruction shows.
    suites = {"records": {"axes": ["n"]}, "windows": {"axes": ["n"]}}
    sentences = analysis.findings(counted_table(2450, 650), pd.DataFrame(), suites)["r1"]
    untagged = next(s for s in sentences if "`numpy`" in s and "instructions" in s)
    assert "vectorized" not in untagged
    assert "`deque` spends time that no counted instruction shows" in untagged


def test_counts_that_follow_time_need_no_sentence():
    suites = {"records": {"axes": ["n"]}, "windows": {"axes": ["n"]}}
    table = counted_table(2450, 200).assign(instructions_per_record=[2240, 1500, 900, 180])
    sentences = analysis.findings(table, pd.DataFrame(), suites)["r1"]
    assert not [s for s in sentences if "of its instructions" in s]
