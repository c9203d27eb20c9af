"""Workloads: the input a case needs, built outside any timed region, and its body.

A builder here turns a :class:`~pipebench.cases.Case` of its suite into a :class:`Workload`:
the input is built once (seeded, so every runner and every process sees the same data)
and ``run`` is a function of no arguments doing exactly the work to be timed or tracked,
nothing else. Each suite names its builder where it is declared, in :mod:`pipebench.matrix`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipebench.cases import Case
from pipebench_pipeline.pipelines import PIPELINES, StageParams
from pipebench_pipeline.record_kinds import RECORD_KINDS
from pipebench_pipeline.source import SourceColumns, SyntheticSource
from pipebench_pipeline.stage_styles import STAGE_STYLES
from pipebench_pipeline.windows import WINDOW_STRATEGIES

SEED = 20_240_601
"""The seed of every input: every runner and every process builds the same data."""


@dataclass(frozen=True)
class Workload:
    """A prepared case: call ``run()`` to do the measured work on ``records`` records.

    ``output()`` does the same work and returns its result in a form comparable across the
    variants of a suite: the tests prove each variant's output equal to the reference's on
    exactly the input the benchmarks time. ``materialized`` says whether the work holds
    all its records at once (then bytes per record mean something).
    """

    case: Case
    run: Callable[[], Any]
    output: Callable[[], Any]
    records: int
    materialized: bool


def _source(n: int) -> SourceColumns:
    return SyntheticSource(n, seed=SEED).columns()


def _drain(iterable: Any) -> None:
    deque(iterable, maxlen=0)


def build_records(case: Case) -> Workload:
    """Build N records of the case's kind from the source's columns, reading every value."""
    block = _source(case.get("n"))
    names = block.sensor_names
    columns = (
        [names[i] for i in block.sensor_index.tolist()],
        block.timestamps.tolist(),
        block.values.tolist(),
        [block.unit] * len(block),
    )
    kind = RECORD_KINDS[case.variant]

    def output() -> tuple[list[tuple[Any, ...]], float]:
        records, total = kind.build_and_sum(columns)
        return [kind.as_tuple(record) for record in records], total

    return Workload(case, lambda: kind.build_and_sum(columns), output, len(block), materialized=True)


def build_stages(case: Case) -> Workload:
    """Filter and normalize N dict records in the case's stage style."""
    records = list(_source(case.get("n")).records())
    style = STAGE_STYLES[case.variant]
    params = StageParams(window=case.get("w"))
    return Workload(
        case,
        lambda: _drain(style(records, params)),
        lambda: list(style(records, params)),
        len(records),
        materialized=case.variant == "list",
    )


def build_windows(case: Case) -> Workload:
    """Normalize N values with the case's window strategy at window W."""
    values = _source(case.get("n")).values.tolist()
    strategy = WINDOW_STRATEGIES[case.variant]
    size = case.get("w")
    return Workload(
        case,
        lambda: strategy(values, size),
        lambda: [float(value) for value in strategy(values, size)],
        len(values),
        materialized=True,
    )


def build_pipeline(case: Case) -> Workload:
    """Run the case's whole pipeline over N source records at window W."""
    columns = _source(case.get("n"))
    variant = PIPELINES[case.variant]
    params = StageParams(window=case.get("w"))

    def output() -> tuple[list[dict[str, Any]], Any]:
        result = variant(columns, params)
        return list(result.records()), result.counts

    return Workload(
        case,
        lambda: variant(columns, params).count(),
        output,
        len(columns),
        materialized=case.variant == "vectorized",
    )
