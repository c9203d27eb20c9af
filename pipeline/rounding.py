"""Python's ``round(x, ndigits)`` for numpy arrays, exactly.

``np.round(x, 6)`` computes ``rint(x * 1e6) / 1e6``. The product is itself rounded, so when
``x * 10**6`` lies within a rounding error of a half-way point numpy may round the other
way than Python, which rounds the exact binary value of ``x``: ``round(0.0000125, 6)`` is
``1.3e-05`` while ``np.round(0.0000125, 6)`` is ``1.2e-05``, and about half of all values
of the form ``(k + 0.5) / 10**6`` disagree. Everywhere else the two agree: both pick the
same integer ``k`` and both return the double nearest to ``k / 10**6``. So the array is
rounded by numpy, and only the elements near a half-way point (or too large to scale
safely) are rounded again by Python.
"""

from __future__ import annotations

import numpy as np

# Far wider than the error of one multiplication for |x * 10**d| < 2**52 (at most half an
# ulp of the product, under 1e-6 there), so no doubtful element escapes the second pass.
_HALFWAY_TOLERANCE = 1e-6
_EXACT_LIMIT = 2.0**52


def round_like_python(values: np.ndarray, ndigits: int) -> np.ndarray:
    """Round each element as ``round(float(v), ndigits)`` would, as a new float64 array."""
    values = np.asarray(values, dtype=np.float64)
    scale = 10.0**ndigits
    # Overflow and inf - inf only occur for elements that the exact-limit test below sends
    # to Python's round anyway.
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = values * scale
        rounded = np.rint(scaled) / scale
        distance = np.abs(scaled - np.floor(scaled) - 0.5)
    doubtful = ~(np.abs(scaled) < _EXACT_LIMIT) | (distance <= _HALFWAY_TOLERANCE)
    indices = np.flatnonzero(doubtful)
    if indices.size:
        rounded[indices] = [round(v, ndigits) for v in values[indices].tolist()]
    return rounded
