"""pipebench's reference stream-processing pipeline, and the variants it is compared with.

Six layers, each in its own module: records and memory (:mod:`pipeline.records`),
decorators (:mod:`pipeline.retry`, :mod:`pipeline.metrics`), generators
(:mod:`pipeline.source`, :mod:`pipeline.stages`, :mod:`pipeline.sinks`), concurrency
(:mod:`pipeline.breaker`, :mod:`pipeline.delivery`), descriptors and logging
(:mod:`pipeline.audit`, :mod:`pipeline.structured_log`), and dynamic registration
(:mod:`pipeline.registry`). :mod:`pipeline.assembly` puts them together. The variants
compared by the benchmarks live beside the reference: :mod:`pipeline.windows`,
:mod:`pipeline.pipelines`.
"""

from .assembly import PipelineConfig, RunSummary, run_pipeline
from .audit import AuditedAttribute, MonitoredStage
from .breaker import AsyncCircuitBreaker, BreakerState
from .delivery import AsyncDeliverySink, DeadLetter
from .errors import CircuitOpenError, ConfigError, MalformedRecordError, PipelineError, RegistryError
from .metrics import StageMetrics, measured_stage
from .records import AutoSlotMeta, SensorRecord, SensorRecordDict
from .registry import RegistrableStage, manifest
from .retry import retry_with_backoff
from .sinks import CollectingSink, ConsoleSink, CountingSink, JsonLinesSink
from .source import SourceColumns, SyntheticSource
from .stages import ThresholdFilter, WindowNormalizer
from .structured_log import StructuredLogger

__all__ = [
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
]
