"""The results schema: round trip, version check, malformed input."""

import json

import pytest

from bench.cases import expand
from bench.results import SCHEMA_VERSION, RunResults, make_row
from bench.stats import Interval

CASES = expand("windows", {"strategy": ["deque", "monotonic"], "n": [100], "w": [5]}, variant_axis="strategy",
               reference="deque")  # fmt: skip


def sample_results():
    rows = (
        make_row(CASES[0], "time_per_record", [[10.0, 11.0]], tool="pyperf", tool_version="2.11.0"),
        make_row(
            CASES[1],
            "ratio_to_reference",
            [[0.5, 0.52], [0.51]],
            tool="pipebench",
            tool_version="0.1.0",
            interval=Interval(0.51, 0.49, 0.53),
            reference=CASES[0].id,
        ),
        make_row(CASES[1], "peak_memory", [[4096]], tool="memray", tool_version="1.20.0"),
    )
    return RunResults("20260101T000000Z_abcdef0", {"machine": "box", "commit": "abcdef0"}, rows)


def test_round_trip_through_json():
    results = sample_results()
    assert RunResults.from_dict(json.loads(json.dumps(results.as_dict()))) == results


def test_samples_keep_the_process_they_were_taken_in():
    ratio = sample_results().rows[1]
    assert ratio.samples == (0.5, 0.52, 0.51) and ratio.sample_groups == (2, 1)
    assert ratio.clusters == [(0.5, 0.52), (0.51,)]


def test_rows_carry_units_from_the_metric_table():
    units = [row.unit for row in sample_results().rows]
    assert units == ["ns/record", "ratio", "bytes"]


def test_estimate_and_interval_are_kept():
    ratio = sample_results().rows[1]
    assert (ratio.estimate, ratio.ci, ratio.reference) == (0.51, (0.49, 0.53), "windows[strategy=deque,n=100,w=5]")


def test_other_schema_version_is_refused():
    data = sample_results().as_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="schema version"):
        RunResults.from_dict(data)


@pytest.mark.parametrize("mutate", [lambda d: d.pop("rows"), lambda d: d["rows"][0].pop("summary"),
                                    lambda d: d["rows"][0].update(ci=[1.0])])  # fmt: skip
def test_malformed_results_are_refused(mutate):
    data = sample_results().as_dict()
    mutate(data)
    with pytest.raises(ValueError, match="malformed"):
        RunResults.from_dict(data)


def test_foreign_json_is_refused():
    with pytest.raises(ValueError, match="not a pipebench results file"):
        RunResults.from_dict({"benchmarks": []})
