"""Sliding-window minimum and maximum, four ways, and the normalization built on them.

A record's window is the last ``size`` values *including its own*; before ``size`` values
have arrived it is every value so far (the warm-up prefix). The normalized value is
``round((v - lo) / span, 6)`` with ``span = hi - lo``, or ``1.0`` when ``hi == lo``.

=============  ==============================================  =====================
strategy       how                                             cost per record
=============  ==============================================  =====================
``deque``      ``deque(maxlen=size)``, ``min()``/``max()``     O(size): the reference
``monotonic``  monotonic deques of candidates                  O(1) amortised
``numpy``      ``sliding_window_view`` over an edge-padded     O(size), vectorized
               array
``scipy``      ``minimum_filter1d``/``maximum_filter1d``,      O(1) amortised,
               shifted so the window trails                    vectorized
=============  ==============================================  =====================

The streaming strategies are classes with ``push(value) -> (lo, hi)``; the vectorized
ones are functions from a value array to ``(lo, hi)`` arrays. :data:`WINDOW_STRATEGIES`
maps each name to a function ``normalize(values, size)`` giving the normalized values.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import ConfigError
from .rounding import round_like_python

DECIMALS = 6
MAX_WINDOW = 2**63 - 1
"""The largest window: ``deque(maxlen=...)`` takes a C ``Py_ssize_t``."""


def check_window(size: object) -> int:
    """Return ``size`` if it is a valid window size.

    Raises:
        ConfigError: not an integer, smaller than 1 or larger than :data:`MAX_WINDOW`.
    """
    if isinstance(size, bool) or not isinstance(size, int):
        raise ConfigError(f"window must be an integer, got {size!r}")
    if not 1 <= size <= MAX_WINDOW:
        raise ConfigError(f"window must be between 1 and 2**63-1, got {size}")
    return size


def normalize(value: float, lo: float, hi: float) -> float:
    """The normalized value of ``value`` in a window whose bounds are ``lo`` and ``hi``."""
    span = hi - lo if hi != lo else 1.0
    return round((value - lo) / span, DECIMALS)


class StreamingWindow(Protocol):
    """A window fed one value at a time."""

    def push(self, value: float) -> tuple[float, float]:
        """Add ``value`` and return the window's ``(min, max)``, ``value`` included."""
        ...


class DequeWindow:
    """The reference: the last ``size`` values in a bounded deque, scanned per record."""

    __slots__ = ("_values",)

    def __init__(self, size: int) -> None:
        self._values: deque[float] = deque(maxlen=check_window(size))

    def push(self, value: float) -> tuple[float, float]:
        """Add ``value``; return the window's ``(min, max)``, the value included."""
        values = self._values
        values.append(value)
        return min(values), max(values)


class MonotonicWindow:
    """Monotonic deques: each value enters and leaves each deque once.

    ``_mins`` holds (index, value) pairs with increasing values, so its head is the window's
    minimum; a new value first evicts every candidate it beats, which can never be the
    minimum again while it stays in the window. ``_maxs`` is the mirror image.
    """

    __slots__ = ("_size", "_count", "_mins", "_maxs")

    def __init__(self, size: int) -> None:
        self._size = check_window(size)
        self._count = 0
        self._mins: deque[tuple[int, float]] = deque()
        self._maxs: deque[tuple[int, float]] = deque()

    def push(self, value: float) -> tuple[float, float]:
        """Add ``value``; return the window's ``(min, max)``, the value included."""
        index = self._count
        self._count = index + 1
        expired = index - self._size
        mins, maxs = self._mins, self._maxs
        while mins and mins[-1][1] >= value:
            mins.pop()
        mins.append((index, value))
        if mins[0][0] <= expired:
            mins.popleft()
        while maxs and maxs[-1][1] <= value:
            maxs.pop()
        maxs.append((index, value))
        if maxs[0][0] <= expired:
            maxs.popleft()
        return mins[0][1], maxs[0][1]


STREAMING_WINDOWS: dict[str, Callable[[int], StreamingWindow]] = {
    "deque": DequeWindow,
    "monotonic": MonotonicWindow,
}


def sliding_window_bounds(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing-window ``(min, max)`` arrays with numpy's ``sliding_window_view``.

    The array is padded in front with ``size - 1`` copies of its first value: those copies
    never change a warm-up window's bounds, since the first value is in every such window.
    A window longer than the data is the whole prefix, so it is cut to the data's length
    (numpy and scipy would otherwise allocate, or index, ``size`` elements).
    """
    size = min(check_window(size), len(values))
    if len(values) == 0:
        return values.copy(), values.copy()
    padded = np.concatenate((np.full(size - 1, values[0]), values))
    windows = sliding_window_view(padded, size)
    return windows.min(axis=1), windows.max(axis=1)


def filter_bounds(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing-window ``(min, max)`` arrays with scipy's 1-D rank filters.

    ``origin`` shifts the centred filter so that output ``i`` covers ``i - size + 1 .. i``;
    ``mode="nearest"`` repeats the first value in front, as :func:`sliding_window_bounds`;
    the window is cut to the data's length as there.
    """
    # Imported here: scipy.ndimage takes 0.2 s to import, paid by every benchmark
    # process even when no case in it uses scipy.
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    size = min(check_window(size), len(values))
    if len(values) == 0:
        return values.copy(), values.copy()
    origin = (size - 1) // 2
    return (
        minimum_filter1d(values, size, mode="nearest", origin=origin),
        maximum_filter1d(values, size, mode="nearest", origin=origin),
    )


def normalize_array(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Vectorized :func:`normalize`: equal, element by element, to the scalar version."""
    span = hi - lo
    # For finite doubles hi - lo == 0 exactly when hi == lo (subtraction never underflows
    # to zero thanks to subnormals), so this is the scalar rule ``1.0 if hi == lo``.
    span[span == 0.0] = 1.0
    return round_like_python((values - lo) / span, DECIMALS)


def _normalize_streaming(make_window: Callable[[int], StreamingWindow]):
    def run(values: Sequence[float], size: int) -> list[float]:
        push = make_window(size).push
        out = []
        for value in values:
            lo, hi = push(value)
            out.append(normalize(value, lo, hi))
        return out

    return run


def _normalize_deque(values: Sequence[float], size: int) -> list[float]:
    """The reference loop, written as the seed's normalizer runs it."""
    window: deque[float] = deque(maxlen=check_window(size))
    out = []
    for value in values:
        window.append(value)
        lo, hi = min(window), max(window)
        # normalize(), inlined: a function call per record would be timed with the loop.
        span = hi - lo if hi != lo else 1.0
        out.append(round((value - lo) / span, DECIMALS))
    return out


def _normalize_vectorized(bounds: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]):
    def run(values: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
        array = np.asarray(values, dtype=np.float64)
        lo, hi = bounds(array, size)
        return normalize_array(array, lo, hi)

    return run


WindowNormalize = Callable[[Sequence[float], int], Sequence[float]]

WINDOW_STRATEGIES: dict[str, WindowNormalize] = {
    "deque": _normalize_deque,
    "monotonic": _normalize_streaming(MonotonicWindow),
    "numpy": _normalize_vectorized(sliding_window_bounds),
    "scipy": _normalize_vectorized(filter_bounds),
}
"""Every window strategy by name, the reference (``deque``) first."""

REFERENCE_WINDOW = "deque"
