"""run_pipeline: the summary adds up, per-stage metrics, one log line, every variant."""

import io
import json

import pytest

from pipebench_pipeline.assembly import PipelineConfig, RunSummary, _check_accounting, run_pipeline
from pipebench_pipeline.errors import ConfigError, PipelineError
from pipebench_pipeline.pipelines import PIPELINES
from pipebench_pipeline.sinks import CollectingSink, CountingSink


def test_summary_accounts_for_every_record():
    summary = run_pipeline(PipelineConfig(records=1000, seed=3), CountingSink())
    assert summary.generated == 1000
    assert summary.passed + summary.filtered + summary.rejected == 1000
    assert summary.consumed == summary.passed
    assert 0 < summary.filtered < 200


def test_reference_run_reports_each_stage_own_metrics():
    ticks = iter(range(10**7))
    summary = run_pipeline(PipelineConfig(records=500), CountingSink(), clock=lambda: float(next(ticks)))
    filter_report, normalizer_report = summary.stages
    assert (filter_report.stage, normalizer_report.stage) == ("ThresholdFilter", "WindowNormalizer")
    assert filter_report.records == normalizer_report.records == summary.passed
    # On a clock that ticks once per read, each stage's own time is a known count of reads.
    assert filter_report.records_per_second != float("inf") != normalizer_report.records_per_second


def test_peak_memory_only_when_asked():
    assert run_pipeline(PipelineConfig(records=100), CountingSink()).peak_memory_bytes is None
    assert run_pipeline(PipelineConfig(records=100), CountingSink(), trace_memory=True).peak_memory_bytes > 0


def test_logs_one_structured_line():
    from pipebench_pipeline.structured_log import StructuredLogger

    stream = io.StringIO()
    run_pipeline(PipelineConfig(records=50), CountingSink(), logger=StructuredLogger("Pipeline", stream))
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert event["event"] == "pipeline_complete" and event["generated"] == 50
    assert "ThresholdFilter" in event["registered"]


@pytest.mark.parametrize("name", list(PIPELINES))
def test_every_pipeline_variant_produces_the_reference_records(name):
    reference, variant = CollectingSink(), CollectingSink()
    run_pipeline(PipelineConfig(records=2000, seed=11, window=30), reference)
    summary = run_pipeline(PipelineConfig(records=2000, seed=11, window=30, pipeline=name), variant)
    assert variant.records == reference.records
    assert summary.passed + summary.filtered + summary.rejected == 2000


def test_lost_records_are_an_error():
    summary = RunSummary("seed", 10, 8, 1, 0, 8, 0.0, None, (), ())
    with pytest.raises(PipelineError, match="unaccounted"):
        _check_accounting(summary)


@pytest.mark.parametrize(
    "kwargs",
    [{"records": -1}, {"window": 0}, {"anomaly_rate": 2.0}, {"low": 50, "high": 10}, {"pipeline": "quantum"}],
)
def test_invalid_configuration_raises_config_error(kwargs):
    with pytest.raises(ConfigError):
        PipelineConfig(**kwargs)
