"""The tidy frame of runs: one line per case and metric, read by what each run stored."""

import contextlib
import io
import shutil
from pathlib import Path

from pipebench import frames, store


def test_frame_has_one_line_per_case_and_metric_with_params_as_columns(finished_run, tmp_path):
    frame = frames.to_frame([store.load_run(finished_run(tmp_path))])
    assert len(frame) == 3
    assert set(frame["metric"]) == {"time_per_record", "ratio_to_reference", "peak_memory"}
    assert list(frame["n"]) == [100, 100, 100] and set(frame["w"]) == {5} and frame["n"].dtype == "Int64"
    assert list(frame["count"]) == [2, 3, 1]
    ratio = frame[frame["metric"] == "ratio_to_reference"].iloc[0]
    assert (ratio["estimate"], ratio["ci_low"], ratio["ci_high"]) == (0.51, 0.49, 0.53)
    assert frame["machine"].iloc[0] == "box"


def test_a_run_is_read_by_the_suites_it_stored_not_by_todays_matrix(sample_results):
    results = sample_results()
    reference, variant = results.rows[0], results.rows[1]
    # A run from before runs stored their suites: its reference is what its ratios were taken against.
    frame = frames.to_frame([results])
    assert set(frame[frame["is_reference"]]["case_id"]) == {reference.case_id}
    assert frames.suite_descriptions([results])[reference.suite]["reference"] == reference.variant
    # A run that stored them is read by them, whatever the matrix says now.
    described = {reference.suite: {"reference": variant.variant, "axes": ["n", "w"], "swept": ["w"]}}
    stored = type(results)(results.run_id, {**results.metadata, "suites": described}, results.rows)
    frame = frames.to_frame([stored])
    assert set(frame[frame["is_reference"]]["case_id"]) == {variant.case_id}
    assert frames.suite_descriptions([stored]) == described


def test_readmes_pandas_example_pivots_ratios_by_variant_and_parameters(tmp_path, monkeypatch):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("Ratios by variant and parameters:", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    runs_root = tmp_path / "results" / "runs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "run_small", runs_root / "20261129T074529Z_f78b305")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), {})
    table = printed.getvalue()
    assert "monotonic" in table and "numpy_batches" in table
    frame = frames.to_frame([store.load_run(runs_root / "20261129T074529Z_f78b305")])
    ratio = frame[(frame["metric"] == "ratio_to_reference")].iloc[0]
    assert ratio["value"] == ratio["estimate"] and frame["timestamp"].dtype.kind == "M"
