"""How cost grows with size: log-log slopes, their fit, and a name for the growth.

Pure functions over numbers. A cost that is ``a + b * x`` bends on a log-log plot: its
slope over the whole range is pulled below 1 by the constant ``a``, while the slope
between the two largest sizes tends to the exponent of the term that grows. So a fit
reports both: the least-squares slope over every point with its R², and the slope over the
top of the range, from which the growth is named.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

# Slope bounds of each name, applied to the slope over the top of the range.
CONSTANT_BELOW = 0.15
LINEAR_FROM = 0.8
LINEAR_TO = 1.2
# A growth is named only from a fit this good, over at least this many sizes.
MIN_R_SQUARED = 0.9
MIN_POINTS = 3


@dataclass(frozen=True)
class Scaling:
    """A log-log fit of cost against size."""

    slope: float
    r_squared: float
    top_slope: float
    points: int

    @property
    def growth(self) -> str:
        """The growth the top slope names (constant, linear, ...), or ``unclear``.

        Unclear when the fit does not support a name: fewer than :data:`MIN_POINTS` sizes
        (two points always fit), a log-log fit with R² below :data:`MIN_R_SQUARED` (unless
        flat: a constant cost leaves R² only noise to explain), or a
        super-linear top slope that the whole range does not share: cache effects bend
        the last segment upwards (scipy's windows: 1.25 over the top, 1.1 overall), which
        is not growth faster than linear.
        """
        if self.points < MIN_POINTS:
            return "unclear"
        name = growth_name(self.top_slope)
        if name == "constant" and growth_name(self.slope) == "constant":
            return name  # a flat line leaves R² nothing to explain: noise alone sets it
        if self.r_squared < MIN_R_SQUARED:
            return "unclear"
        if name == "super-linear" and self.slope <= LINEAR_TO:
            return "unclear"
        return name


def growth_name(slope: float) -> str:
    """``constant``, ``sub-linear``, ``linear``, ``super-linear`` (or ``decreasing``)."""
    if slope < -CONSTANT_BELOW:
        return "decreasing"
    if slope < CONSTANT_BELOW:
        return "constant"
    if slope < LINEAR_FROM:
        return "sub-linear"
    if slope <= LINEAR_TO:
        return "linear"
    return "super-linear"


def fit_loglog(sizes: Sequence[float], costs: Sequence[float]) -> Scaling:
    """Fit ``log(cost) = slope * log(size) + c``.

    Raises:
        ValueError: fewer than two distinct sizes, or a size or cost that is not positive.
    """
    x = np.asarray(sizes, dtype=float)
    y = np.asarray(costs, dtype=float)
    if x.shape != y.shape:
        raise ValueError("sizes and costs differ in length")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("sizes and costs must be positive for a log-log fit")
    order = np.argsort(x)
    x, y = np.log(x[order]), np.log(y[order])
    if len(np.unique(x)) < 2:
        raise ValueError("a slope needs at least two distinct sizes")
    fit = scipy_stats.linregress(x, y)
    r_squared = float(fit.rvalue**2) if math.isfinite(fit.rvalue) else 1.0
    top = (y[-1] - y[-2]) / (x[-1] - x[-2]) if x[-1] != x[-2] else float(fit.slope)
    return Scaling(float(fit.slope), r_squared, float(top), len(x))
