"""python -m pipebench_pipeline: run and manifest, in-process through main()."""

import json
import signal
import subprocess
import sys
import time

import pytest

from pipebench_pipeline.pipelines import PIPELINES


def test_text_run_shows_records_stages_totals_and_registry(pipeline_cli):
    code, out, _ = pipeline_cli("run", "--records", "300", "--limit", "3")
    assert code == 0
    assert out.count("  -> S") == 3
    for expected in ("[ThresholdFilter]", "[WindowNormalizer]", "Records: generated 300", "Elapsed:", "Peak memory:"):
        assert expected in out
    assert "Registered stages:" in out


def test_jsonl_is_byte_identical_across_runs_and_changes_with_the_seed(pipeline_cli):
    first = pipeline_cli("run", "--records", "1000", "--seed", "7", "--format", "jsonl")[1]
    again = pipeline_cli("run", "--records", "1000", "--seed", "7", "--format", "jsonl")[1]
    other = pipeline_cli("run", "--records", "1000", "--seed", "8", "--format", "jsonl")[1]
    assert first == again and first != other
    records = [json.loads(line) for line in first.splitlines()]
    assert list(records[0]) == ["sensor_id", "timestamp", "value", "unit", "normalized"]


def test_jsonl_puts_the_summary_on_stderr(pipeline_cli):
    code, out, err = pipeline_cli("run", "--records", "100", "--format", "jsonl")
    assert code == 0
    summary = json.loads(err)
    assert summary["event"] == "pipeline_complete"
    assert summary["consumed"] == len(out.splitlines())


@pytest.mark.parametrize("name", list(PIPELINES))
def test_every_pipeline_prints_the_same_bytes(pipeline_cli, name):
    args = ("run", "--records", "3000", "--seed", "5", "--window", "40", "--format", "jsonl")
    assert pipeline_cli(*args, "--pipeline", name)[1] == pipeline_cli(*args)[1]


def test_manifest_lists_the_stages(pipeline_cli):
    code, out, _ = pipeline_cli("manifest")
    assert code == 0 and "Stage: WindowNormalizer" in out and "Parameters: window=50" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--records", "-5"], "records must be >= 0"),
        (["run", "--records", "ten"], "invalid int value"),
        (["run", "--records", "1.5"], "invalid int value"),
        (["run", "--window", "0"], "window must be between 1 and 2**63-1"),
        (["run", "--anomaly-rate", "1.5"], "anomaly rate"),
        (["run", "--low", "90", "--high", "10"], "low must be <= high"),
        (["run", "--limit", "-1"], "limit must be >= 0"),
        (["run", "--pipeline", "nope"], "invalid choice"),
        (["run", "--frobnicate"], "unrecognized arguments"),
        ([], "required"),
    ],
)
def test_bad_input_gets_one_line_and_exit_code_2(pipeline_cli, argv, message):
    code, out, err = pipeline_cli(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_module_entry_point_exits_with_the_code():
    done = subprocess.run(
        [sys.executable, "-m", "pipebench_pipeline", "run", "--window", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("python -m pipebench_pipeline: error:")


@pytest.mark.parametrize(
    ("signum", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_ctrl_c_and_sigterm_end_a_long_run_with_one_line(signum, code, word):
    def default_signals():
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "pipebench_pipeline", "run", "--records", str(10**9), "--format", "jsonl"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    time.sleep(1.5)  # long enough to be inside the run, not to measure anything
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert stderr.strip().splitlines() == [f"python -m pipebench_pipeline: {word}"]
