"""End-to-end pipeline variants: the same source, filter and normalizer, three ways.

===============  ===========================================================================
name             how
===============  ===========================================================================
``seed``         the reference: dict records through the lazy ``ThresholdFilter`` and
                 ``WindowNormalizer(strategy="deque")`` generator chain, as the seed builds it
``streaming``    the fastest pure-Python streaming form: one fused loop over the source
                 columns, monotonic-deque windows kept in local variables, tuple records
``vectorized``   block by block: numpy masks for the filter, scipy's rank filters for the
                 window over the block plus the last ``W - 1`` kept values carried from the
                 block before, exact Python rounding
===============  ===========================================================================

Each variant takes :class:`~pipeline.source.SourceColumns` (one block, or an iterable of
consecutive blocks, as :meth:`SyntheticSource.chunks` yields them) and
:class:`StageParams`, and returns a :class:`PipelineOutput`: ``count()`` drains it (what a
benchmark times), ``records()`` yields the output as wire-format dicts, equal across
variants, and ``counts`` tells passed, filtered and rejected once it has been drained.
Every variant streams: it holds one block and at most ``W`` values at a time, whatever N.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .records import OUTPUT_FIELDS
from .source import SourceColumns
from .stages import (
    DEFAULT_HIGH,
    DEFAULT_LOW,
    DEFAULT_WINDOW,
    ThresholdFilter,
    WindowNormalizer,
    check_thresholds,
)
from .windows import DECIMALS, check_window, filter_bounds, normalize_array


@dataclass(frozen=True)
class StageParams:
    """The filter's bounds and the normalizer's window size, validated."""

    low: float = DEFAULT_LOW
    high: float = DEFAULT_HIGH
    window: int = DEFAULT_WINDOW

    def __post_init__(self) -> None:
        check_thresholds(self.low, self.high)
        check_window(self.window)


@dataclass
class Counts:
    """Where the records of one run went: ``passed + filtered + rejected`` = records read."""

    passed: int = 0
    filtered: int = 0
    rejected: int = 0

    @property
    def read(self) -> int:
        """Every record the filter saw: passed, filtered or rejected."""
        return self.passed + self.filtered + self.rejected


class PipelineOutput:
    """The output of one run: lazy rows (or computed columns) plus their accounting."""

    def __init__(
        self, rows: Iterator[Any], to_dict: Callable[[Any], dict[str, Any]], counts: Callable[[], Counts]
    ) -> None:
        self._rows = rows
        self._to_dict = to_dict
        self._counts = counts

    def count(self) -> int:
        """Drain the output; return how many records it held."""
        consumed = deque(enumerate(self._rows, start=1), maxlen=1)
        return consumed[0][0] if consumed else 0

    def records(self) -> Iterator[dict[str, Any]]:
        """Drain the output as wire-format dicts (``sensor_id`` ... ``normalized``)."""
        return map(self._to_dict, self._rows)

    @property
    def counts(self) -> Counts:
        """Passed, filtered and rejected records (complete once the output is drained)."""
        return self._counts()


Blocks = SourceColumns | Iterable[SourceColumns]
"""One block of readings, or consecutive blocks."""

VECTOR_BLOCK = 16_384
"""Rows the vectorized pipeline handles at once: its arrays stay in cache, so its cost per
record does not grow with N (in one block of 100,000 it did, from 24 to 41 ns)."""


def as_blocks(columns: Blocks) -> Iterator[SourceColumns]:
    """The blocks of ``columns``, one or many."""
    if isinstance(columns, SourceColumns):
        yield columns
    else:
        yield from columns


def seed_pipeline(columns: Blocks, params: StageParams) -> PipelineOutput:
    """The reference: the seed's generator chain over dict records."""
    stage_filter = ThresholdFilter(params.low, params.high, measure=False)
    normalizer = WindowNormalizer(params.window, "deque", measure=False)
    records = itertools.chain.from_iterable(block.records() for block in as_blocks(columns))
    rows = normalizer.transform(stage_filter.transform(records))
    return PipelineOutput(
        rows,
        dict,
        lambda: Counts(stage_filter.passed, stage_filter.filtered, stage_filter.rejected),
    )


def streaming_pipeline(columns: Blocks, params: StageParams) -> PipelineOutput:
    """One fused loop with monotonic windows: O(1) amortised per record, whatever W."""
    counts = Counts()
    return PipelineOutput(_fused_rows(columns, params, counts), _row_to_dict, lambda: counts)


def _row_to_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(OUTPUT_FIELDS, row))


def _fused_rows(columns: Blocks, params: StageParams, counts: Counts) -> Iterator[tuple[Any, ...]]:
    low, high, size = params.low, params.high, params.window
    # Parallel deques of (index, value) candidates, kept as two deques each so that no
    # tuple is built per record; the heads are the window's min and max.
    min_at: deque[int] = deque()
    min_v: deque[float] = deque()
    max_at: deque[int] = deque()
    max_v: deque[float] = deque()
    position = passed = filtered = rejected = 0
    try:
        for block in as_blocks(columns):
            names, unit = block.sensor_names, block.unit
            for sensors, stamps, values in block.slices():
                for sensor, stamp, value in zip(sensors, stamps, values):
                    if not low <= value <= high:
                        if math.isfinite(value):
                            filtered += 1
                        else:
                            rejected += 1
                        continue
                    while min_v and min_v[-1] >= value:
                        min_v.pop()
                        min_at.pop()
                    min_v.append(value)
                    min_at.append(position)
                    while max_v and max_v[-1] <= value:
                        max_v.pop()
                        max_at.pop()
                    max_v.append(value)
                    max_at.append(position)
                    expired = position - size
                    if min_at[0] <= expired:
                        min_at.popleft()
                        min_v.popleft()
                    if max_at[0] <= expired:
                        max_at.popleft()
                        max_v.popleft()
                    position += 1
                    lo = min_v[0]
                    hi = max_v[0]
                    passed += 1
                    # windows.normalize, inlined: a function call per record would be timed with the loop.
                    normalized = round((value - lo) / (hi - lo if hi != lo else 1.0), DECIMALS)
                    yield (names[sensor], stamp, value, unit, normalized)
    finally:
        counts.passed, counts.filtered, counts.rejected = passed, filtered, rejected


def vectorized_pipeline(columns: Blocks, params: StageParams) -> PipelineOutput:
    """Block by block with numpy and scipy; each block's output is computed at once."""
    counts = Counts()
    computed = _vectorized_blocks(columns, params, counts)
    return _ColumnOutput(computed, counts)


def _vectorized_blocks(columns: Blocks, params: StageParams, counts: Counts) -> Iterator[_Columns]:
    # The last W - 1 kept values, so that the first windows of a block reach back into the
    # blocks before it (all of them while fewer than W - 1 values have been kept).
    carried = np.empty(0, dtype=np.float64)
    keep_back = params.window - 1
    for source_block in as_blocks(columns):
        for block in source_block.blocks(VECTOR_BLOCK):
            values = block.values
            finite = np.isfinite(values)
            keep = finite & (values >= params.low) & (values <= params.high)
            kept = values[keep]
            extended = np.concatenate((carried, kept))
            lo, hi = filter_bounds(extended, params.window)
            fresh = slice(len(carried), None)
            normalized = normalize_array(kept, lo[fresh], hi[fresh])
            carried = extended[max(len(extended) - keep_back, 0) :] if keep_back else carried[:0]
            counts.passed += len(kept)
            counts.filtered += int(np.count_nonzero(finite)) - len(kept)
            counts.rejected += len(values) - int(np.count_nonzero(finite))
            yield _Columns(block.sensor_index[keep], block.sensor_names, block.timestamps[keep], kept, block.unit,
                           normalized)  # fmt: skip


@dataclass(frozen=True)
class _Columns:
    sensor_index: np.ndarray
    sensor_names: tuple[str, ...]
    timestamps: np.ndarray
    values: np.ndarray
    unit: str
    normalized: np.ndarray = field(repr=False)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        names, unit = self.sensor_names, self.unit
        for sensor, stamp, value, norm in zip(
            self.sensor_index.tolist(), self.timestamps.tolist(), self.values.tolist(), self.normalized.tolist()
        ):
            yield (names[sensor], stamp, value, unit, norm)


class _ColumnOutput(PipelineOutput):
    """An output computed block by block as columns: counting it builds no rows."""

    def __init__(self, blocks: Iterator[_Columns], counts: Counts) -> None:
        super().__init__(itertools.chain.from_iterable(block.rows() for block in blocks), _row_to_dict, lambda: counts)
        self._blocks = blocks

    def count(self) -> int:
        return sum(len(block.values) for block in self._blocks)


PipelineVariant = Callable[[Blocks, StageParams], PipelineOutput]

PIPELINES: dict[str, PipelineVariant] = {
    "seed": seed_pipeline,
    "streaming": streaming_pipeline,
    "vectorized": vectorized_pipeline,
}
"""Every end-to-end variant by name, the reference (``seed``) first."""

REFERENCE_PIPELINE = "seed"
