"""The public API of the pipeline package is pinned."""

import pipebench_pipeline


def test_all_names_exist_and_nothing_else_is_advertised():
    assert sorted(pipebench_pipeline.__all__) == pipebench_pipeline.__all__
    for name in pipebench_pipeline.__all__:
        assert hasattr(pipebench_pipeline, name), name


def test_public_api_is_stable():
    assert set(pipebench_pipeline.__all__) == {
        "AsyncCircuitBreaker",
        "AsyncDeliverySink",
        "AuditedAttribute",
        "AutoSlotMeta",
        "BreakerState",
        "CircuitOpenError",
        "CollectingSink",
        "ConfigError",
        "ConsoleSink",
        "CountingSink",
        "DeadLetter",
        "JsonLinesSink",
        "MalformedRecordError",
        "MonitoredStage",
        "PipelineConfig",
        "PipelineError",
        "RegistrableStage",
        "RegistryError",
        "RunSummary",
        "SensorRecord",
        "SensorRecordDict",
        "SourceColumns",
        "StageMetrics",
        "StructuredLogger",
        "SyntheticSource",
        "ThresholdFilter",
        "WindowNormalizer",
        "manifest",
        "measured_stage",
        "retry_with_backoff",
        "run_pipeline",
    }
