"""The results schema: round trip, version check, malformed input."""

import json
from pathlib import Path

import pytest

from pipebench.results import SCHEMA_VERSION, RunResults


def test_round_trip_through_json(sample_results):
    results = sample_results()
    assert RunResults.from_dict(json.loads(json.dumps(results.as_dict()))) == results


def test_samples_keep_the_process_they_were_taken_in(sample_results):
    ratio = sample_results().rows[1]
    assert ratio.samples == (0.5, 0.52, 0.51) and ratio.sample_groups == (2, 1)
    assert ratio.clusters == [(0.5, 0.52), (0.51,)]


def test_rows_carry_units_from_the_metric_table(sample_results):
    units = [row.unit for row in sample_results().rows]
    assert units == ["ns/record", "ratio", "bytes"]


def test_estimate_and_interval_are_kept(sample_results):
    ratio = sample_results().rows[1]
    assert (ratio.estimate, ratio.ci, ratio.reference) == (0.51, (0.49, 0.53), "windows[strategy=deque,n=100,w=5]")


def test_other_schema_version_is_refused(sample_results):
    data = sample_results().as_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="schema version"):
        RunResults.from_dict(data)


@pytest.mark.parametrize(
    "mutate", [lambda d: d.pop("rows"), lambda d: d["rows"][0].pop("summary"), lambda d: d["rows"][0].update(ci=[1.0])]
)
def test_malformed_results_are_refused(sample_results, mutate):
    data = sample_results().as_dict()
    mutate(data)
    with pytest.raises(ValueError, match="malformed"):
        RunResults.from_dict(data)


def test_foreign_json_is_refused():
    with pytest.raises(ValueError, match="not a pipebench results file"):
        RunResults.from_dict({"benchmarks": []})


def _ratio_row(data):
    return next(row for row in data["rows"] if row["metric"] == "ratio_to_reference")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda data: _ratio_row(data).update(ci=[5.0, 1.0]), "upside down"),
        (lambda data: _ratio_row(data).update(estimate=0.991, ci=[1.0, 5.0]), "outside"),
        (lambda data: _ratio_row(data).update(samples=[0.0, 0.5, 0.5], estimate=0.0, ci=[0.0, 0.0]), "cannot be 0"),
        (lambda data: data["rows"].append(dict(data["rows"][-1])), "appears twice"),
    ],
)
def test_figures_no_measurement_makes_are_refused(sample_results, edit, message):
    data = json.loads(json.dumps(sample_results().as_dict()))
    edit(data)
    with pytest.raises(ValueError, match=message):
        RunResults.from_dict(data)


def test_a_run_of_more_rows_than_pipebench_reads_is_refused_in_one_line(monkeypatch, tmp_path):
    from pipebench import results, store
    from pipebench.errors import InputError

    data = json.loads((Path(__file__).resolve().parents[1] / "data" / "run_small" / "results.json").read_text())
    monkeypatch.setattr(results, "MAX_ROWS", len(data["rows"]) - 1)
    with pytest.raises(ValueError, match=r"rows, more than the .* a run may hold"):
        results.RunResults.from_dict(data)
    monkeypatch.setattr(store, "MAX_JSON_BYTES", 10)
    (tmp_path / "big.json").write_text("[" + "1," * 20 + "1]")
    with pytest.raises(InputError, match=r"big.json: 0 MiB, more than the 0 MiB pipebench reads"):
        store.read_json(tmp_path / "big.json")
