"""Five ways to run the filter and the normalizer over dict records (the ``stages`` suite).

==================  ===========================================================
style               how
==================  ===========================================================
``generator``       the reference: the lazy ``ThresholdFilter`` ->
                    ``WindowNormalizer`` generator chain
``list``            each stage materializes its whole output as a list
``map_filter``      builtin ``filter`` and ``map`` with closures
``fused``           one generator doing both stages in one loop
``numpy_batches``   micro-batches of ``batch_size`` records: numpy masks and scipy
                    rank filters, the window's last ``W - 1`` values carried from one
                    batch to the next so the output does not depend on the batch size
==================  ===========================================================

Every style takes the same iterable of wire-format records and :class:`StageParams`, and
yields the same output dicts as the reference. The pure-Python styles all use the
reference's window (``deque`` + ``min``/``max``), so the suite measures the style, not the
window algorithm. Records must be well formed: on a malformed one every style raises
:class:`~pipeline.errors.MalformedRecordError`, the reference filter's ``"raise"`` policy.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import compress, islice
from typing import Any

import numpy as np

from .errors import MalformedRecordError
from .pipelines import StageParams
from .stages import ThresholdFilter, WindowNormalizer, malformed_reason
from .windows import DECIMALS, filter_bounds, normalize_array

Record = Mapping[str, Any]
StageStyle = Callable[[Iterable[Record], StageParams], Iterable[dict[str, Any]]]
DEFAULT_BATCH_SIZE = 1024


def _in_range_checked(record: Record, low: float, high: float) -> bool:
    """The slow path of every style's filter: raise on a malformed record."""
    reason = malformed_reason(record)
    if reason is not None:
        raise MalformedRecordError(f"malformed record {record!r}: {reason}")
    return low <= record["value"] <= high


def generator_style(records: Iterable[Record], params: StageParams) -> Iterator[dict[str, Any]]:
    """The reference: the seed's two generator stages, unmeasured."""
    stage_filter = ThresholdFilter(params.low, params.high, on_malformed="raise", measure=False)
    normalizer = WindowNormalizer(params.window, "deque", measure=False)
    return normalizer.transform(stage_filter.transform(records))


def _normalizer(window_size: int) -> Callable[[Record], dict[str, Any]]:
    window: deque[float] = deque(maxlen=window_size)

    def normalize(record: Record) -> dict[str, Any]:
        value = record["value"]
        window.append(value)
        lo, hi = min(window), max(window)
        # windows.normalize, inlined: a function call per record would be timed with the loop.
        span = hi - lo if hi != lo else 1.0
        return {**record, "normalized": round((value - lo) / span, DECIMALS)}

    return normalize


def _keeper(low: float, high: float) -> Callable[[Record], bool]:
    def keep(record: Record) -> bool:
        value = record.get("value")
        # As in the reference filter: an in-range exact float is settled by one comparison;
        # everything else (out of range, NaN, infinite, not a float) takes the checked path.
        return (type(value) is float and low <= value <= high) or _in_range_checked(record, low, high)

    return keep


def list_style(records: Iterable[Record], params: StageParams) -> list[dict[str, Any]]:
    """Each stage builds its full output list before the next one starts."""
    keep = _keeper(params.low, params.high)
    kept = [record for record in records if keep(record)]
    normalize = _normalizer(params.window)
    return [normalize(record) for record in kept]


def map_filter_style(records: Iterable[Record], params: StageParams) -> Iterator[dict[str, Any]]:
    """Builtin ``filter`` then ``map``: lazy, with the loops in C."""
    return map(_normalizer(params.window), filter(_keeper(params.low, params.high), records))


def fused_style(records: Iterable[Record], params: StageParams) -> Iterator[dict[str, Any]]:
    """Both stages in one generator: one frame switch per record instead of two."""
    low, high = params.low, params.high
    window: deque[float] = deque(maxlen=params.window)
    for record in records:
        value = record.get("value")
        if not (type(value) is float and low <= value <= high) and not _in_range_checked(record, low, high):
            continue
        window.append(value)
        lo, hi = min(window), max(window)
        # windows.normalize, inlined: a function call per record would be timed with the loop.
        span = hi - lo if hi != lo else 1.0
        yield {**record, "normalized": round((value - lo) / span, DECIMALS)}


def numpy_batches_style(
    records: Iterable[Record], params: StageParams, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[dict[str, Any]]:
    """Filter and normalize ``batch_size`` records at a time with numpy and scipy."""
    low, high, size = params.low, params.high, params.window
    iterator = iter(records)
    carried = np.empty(0)
    while batch := list(islice(iterator, batch_size)):
        values = _batch_values(batch)
        mask = (values >= low) & (values <= high)
        kept = values[mask]
        if not kept.size:
            continue
        joined = np.concatenate((carried, kept))
        lo, hi = filter_bounds(joined, size)
        skip = len(carried)
        normalized = normalize_array(kept, lo[skip:], hi[skip:])
        carried = joined[max(0, len(joined) - (size - 1)) :]
        for record, value in zip(compress(batch, mask.tolist()), normalized.tolist()):
            yield {**record, "normalized": value}


def _batch_values(batch: list[Record]) -> np.ndarray:
    try:
        values = [record["value"] for record in batch]
    except (KeyError, TypeError):
        values = []
    if len(values) != len(batch) or not all(type(value) is float for value in values):
        for record in batch:
            _in_range_checked(record, 0.0, 0.0)
    array = np.array(values, dtype=np.float64)
    if not np.isfinite(array).all():
        for record in batch:
            _in_range_checked(record, 0.0, 0.0)
    return array


STAGE_STYLES: dict[str, StageStyle] = {
    "generator": generator_style,
    "list": list_style,
    "map_filter": map_filter_style,
    "fused": fused_style,
    "numpy_batches": numpy_batches_style,
}
"""Every stage style by name, the reference (``generator``) first."""

REFERENCE_STAGE_STYLE = "generator"
