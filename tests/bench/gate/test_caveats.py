"""What a comparison of two separate runs cannot see (the command-line cases are in test_compare_cli)."""

from pathlib import Path

from pipebench.gate.caveats import caveats_across_runs
from pipebench.gate.data import GateInput
from pipebench.gate.verdicts import Comparison, RatioEstimate


def comparison(test="welch/clusters", family="time", ratio=1.0):
    return Comparison(
        id="x",
        family=family,
        metric="m",
        unit="u",
        base=1.0,
        current=ratio,
        estimate=RatioEstimate(ratio, ratio, ratio, test),
        threshold=0.1,
        verdict="unchanged",
    )


def side(calibration=None, load=1.0):
    metadata = {"conditions": {"calibration_ns": calibration, "load_median": load}} if calibration else {}
    return GateInput(path=Path("s"), kind="pipebench", machine="m", metadata={**metadata, "cpu_count": 2})


def test_runs_of_alike_conditions_keep_every_comparison_and_say_nothing():
    kept = [comparison()]
    caveats = caveats_across_runs(side(10.0), side(11.0), kept, timed=True, by_ratio=True)
    assert caveats.comparisons == kept and caveats.notes == [] and caveats.withheld == []


def test_far_slower_current_withholds_time_and_keeps_counts():
    counted = comparison(test="exact", family="instructions")
    caveats = caveats_across_runs(side(10.0), side(30.0), [comparison(), counted], timed=True, by_ratio=True)
    assert caveats.comparisons == [counted] and caveats.withheld == ["x"]
    assert caveats.notes[0].startswith("time not compared: CURRENT ran 3x slower than BASE")


def test_a_far_busier_current_withholds_time_though_its_calibration_matches():
    counted = comparison(test="exact", family="instructions")
    caveats = caveats_across_runs(side(10.0, 0.5), side(9.0, 3.6), [comparison(), counted], timed=True, by_ratio=True)
    assert caveats.comparisons == [counted] and caveats.withheld == ["x"]
    assert caveats.notes[0] == (
        "time not compared: CURRENT ran under a median load of 3.6 on 2 cores, BASE under 0.5 on 2; counts decide"
    )


def test_a_side_without_rounds_is_said_once():
    caveats = caveats_across_runs(side(), side(), [comparison("medians/summaries")], timed=True, by_ratio=False)
    assert len(caveats.notes) == 1 and "--benchmark-save-data" in caveats.notes[0]
