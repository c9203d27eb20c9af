"""Assembly: build a pipeline from a configuration, run it into a sink, account for it.

:func:`run_pipeline` is the seed's ``buildAndRunPipeline`` made testable: it takes a
validated :class:`PipelineConfig` and a sink, returns a :class:`RunSummary` (where every
record went, elapsed time, optional peak traced memory, per-stage metrics, registered
stages) and logs one ``pipeline_complete`` line to the structured logger it is given. It
checks that the counts add up and raises :class:`~pipeline.errors.PipelineError` if they
do not, so a record can never vanish unnoticed.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .errors import ConfigError, PipelineError
from .metrics import StageMetrics
from .pipelines import PIPELINES, REFERENCE_PIPELINE, Counts, StageParams
from .registry import registered_stages
from .sinks import Sink
from .source import SyntheticSource
from .stages import DEFAULT_HIGH, DEFAULT_LOW, DEFAULT_WINDOW, ThresholdFilter, WindowNormalizer
from .structured_log import StructuredLogger


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that determines a run's output. Invalid values raise ``ConfigError``."""

    records: int = 200
    seed: int = 0
    window: int = DEFAULT_WINDOW
    anomaly_rate: float = 0.1
    low: float = DEFAULT_LOW
    high: float = DEFAULT_HIGH
    sensors: int = 10
    pipeline: str = REFERENCE_PIPELINE

    def __post_init__(self) -> None:
        self.source()
        self.stage_params()
        if self.pipeline not in PIPELINES:
            raise ConfigError(f"unknown pipeline {self.pipeline!r}; choose from {', '.join(PIPELINES)}")

    def source(self) -> SyntheticSource:
        """The synthetic source this configuration reads."""
        return SyntheticSource(self.records, seed=self.seed, anomaly_rate=self.anomaly_rate, sensors=self.sensors)

    def stage_params(self) -> StageParams:
        """The filter bounds and window size."""
        return StageParams(self.low, self.high, self.window)


@dataclass(frozen=True)
class StageReport:
    """One stage's own throughput during a run."""

    stage: str
    records: int
    seconds: float
    records_per_second: float

    @classmethod
    def from_metrics(cls, metrics: StageMetrics) -> StageReport:
        """A report of what ``metrics`` measured."""
        return cls(metrics.stage, metrics.records, metrics.seconds, metrics.records_per_second)


@dataclass(frozen=True)
class RunSummary:
    """What a run did: ``generated == passed + filtered + rejected``, ``consumed == passed``."""

    pipeline: str
    generated: int
    passed: int
    filtered: int
    rejected: int
    consumed: int
    elapsed_seconds: float
    peak_memory_bytes: int | None
    stages: tuple[StageReport, ...]
    registered: tuple[str, ...]

    def as_fields(self) -> dict[str, object]:
        """The summary as plain JSON-ready fields."""
        fields = asdict(self)
        fields["stages"] = [asdict(stage) for stage in self.stages]
        fields["registered"] = list(self.registered)
        return fields


def run_pipeline(
    config: PipelineConfig,
    sink: Sink,
    *,
    logger: StructuredLogger | None = None,
    trace_memory: bool = False,
    clock: Callable[[], float] = time.perf_counter,
) -> RunSummary:
    """Run the configured pipeline into ``sink`` and account for every record.

    Args:
        config: the run's parameters, ``config.pipeline`` naming the variant.
        sink: where the output records go.
        logger: receives one ``pipeline_complete`` event with the summary's fields.
        trace_memory: measure peak memory with :mod:`tracemalloc` (slows the run down).
        clock: the clock for the elapsed time and the stages' metrics.

    Raises:
        PipelineError: the counts do not add up (a record was lost), or a stage failed.
    """
    started_tracing = trace_memory and not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    if trace_memory:
        tracemalloc.reset_peak()
    started = clock()
    try:
        counts, consumed, stages = _run(config, sink, clock)
        elapsed = clock() - started
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else None
    finally:
        if started_tracing:
            tracemalloc.stop()
    summary = RunSummary(
        pipeline=config.pipeline,
        generated=config.records,
        passed=counts.passed,
        filtered=counts.filtered,
        rejected=counts.rejected,
        consumed=consumed,
        elapsed_seconds=elapsed,
        peak_memory_bytes=peak,
        stages=tuple(StageReport.from_metrics(metrics) for metrics in stages),
        registered=tuple(registered_stages()),
    )
    _check_accounting(summary)
    if logger is not None:
        logger.info("pipeline_complete", **summary.as_fields())
    return summary


def _run(config: PipelineConfig, sink: Sink, clock: Callable[[], float]) -> tuple[Counts, int, list[StageMetrics]]:
    source = config.source()
    if config.pipeline == REFERENCE_PIPELINE:
        # The seed's own assembly, measured stage by stage, over the lazy source.
        stage_filter = ThresholdFilter(config.low, config.high, clock=clock)
        normalizer = WindowNormalizer(config.window, clock=clock)
        consumed = sink.consume(normalizer.transform(stage_filter.transform(source.stream())))
        counts = Counts(stage_filter.passed, stage_filter.filtered, stage_filter.rejected)
        return counts, consumed, [stage_filter.metrics, normalizer.metrics]
    output = PIPELINES[config.pipeline](source.chunks(), config.stage_params())
    consumed = sink.consume(output.records())
    return output.counts, consumed, []


def _check_accounting(summary: RunSummary) -> None:
    read = summary.passed + summary.filtered + summary.rejected
    if read != summary.generated or summary.consumed != summary.passed:
        raise PipelineError(
            f"records unaccounted for: generated {summary.generated}, passed {summary.passed}, "
            f"filtered {summary.filtered}, rejected {summary.rejected}, consumed {summary.consumed}"
        )
