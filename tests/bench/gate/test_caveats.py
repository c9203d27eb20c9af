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


def side(calibration=None):
    metadata = {"conditions": {"calibration_ns": calibration, "load_median": 1.0}} if calibration else {}
    return GateInput(path=Path("s"), kind="pipebench", machine="m", metadata=metadata)


def test_runs_of_alike_conditions_keep_every_comparison_and_say_nothing():
    kept = [comparison()]
    caveats = caveats_across_runs(side(10.0), side(11.0), kept, timed=True, by_ratio=True)
    assert caveats.comparisons == kept and caveats.notes == [] and caveats.withheld == []


def test_far_slower_current_withholds_time_and_keeps_counts():
    counted = comparison(test="exact", family="instructions")
    caveats = caveats_across_runs(side(10.0), side(30.0), [comparison(), counted], timed=True, by_ratio=True)
    assert caveats.comparisons == [counted] and caveats.withheld == ["x"]
    assert caveats.notes[0].startswith("time not compared: CURRENT ran 3x slower than BASE")


def test_a_side_without_rounds_is_said_once():
    caveats = caveats_across_runs(side(), side(), [comparison("medians/summaries")], timed=True, by_ratio=False)
    assert len(caveats.notes) == 1 and "--benchmark-save-data" in caveats.notes[0]
