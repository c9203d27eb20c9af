"""Workloads: the input a case needs, built outside any timed region, and its body.

:func:`prepare` turns a :class:`~bench.cases.Case` into a :class:`Workload`: the input is
built once (seeded, so every runner and every process sees the same data) and ``run`` is
a function of no arguments doing exactly the work to be timed or tracked, nothing else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.cases import Case
from bench.matrix import SEED
from pipeline.pipelines import PIPELINES, StageParams
from pipeline.record_kinds import RECORD_KINDS
from pipeline.source import SourceColumns, SyntheticSource
from pipeline.stage_styles import STAGE_STYLES
from pipeline.windows import WINDOW_STRATEGIES


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


def _records(case: Case) -> Workload:
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


def _stages(case: Case) -> Workload:
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


def _windows(case: Case) -> Workload:
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


def _pipeline(case: Case) -> Workload:
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


_PREPARE: dict[str, Callable[[Case], Workload]] = {
    "records": _records,
    "stages": _stages,
    "windows": _windows,
    "pipeline": _pipeline,
}


def prepare(case: Case) -> Workload:
    """Build ``case``'s input and return its workload."""
    return _PREPARE[case.suite](case)
