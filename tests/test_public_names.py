"""The packages' public names: each importable, and the lists pinned so a change to them is deliberate."""

import importlib

import pytest

PUBLIC = {
    "bench": ["SUITES", "Case", "all_cases", "expand", "select"],
    "pipeline": [
        "AsyncCircuitBreaker", "AsyncDeliverySink", "AuditedAttribute", "AutoSlotMeta", "BreakerState",
        "CircuitOpenError", "CollectingSink", "ConfigError", "ConsoleSink", "CountingSink", "DeadLetter",
        "JsonLinesSink", "MalformedRecordError", "MonitoredStage", "PipelineConfig", "PipelineError",
        "RegistrableStage", "RegistryError", "RunSummary", "SensorRecord", "SensorRecordDict", "SourceColumns",
        "StageMetrics", "StructuredLogger", "SyntheticSource", "ThresholdFilter", "WindowNormalizer", "manifest",
        "measured_stage", "retry_with_backoff", "run_pipeline",
    ],
}  # fmt: skip


@pytest.mark.parametrize("package", list(PUBLIC))
def test_the_public_names_are_the_pinned_ones_and_each_resolves(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC[package])
    assert all(getattr(module, name, None) is not None for name in module.__all__)
