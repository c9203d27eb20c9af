"""How numbers are written wherever pipebench shows them: bytes and intervals, one way each."""

from __future__ import annotations


def format_bytes(value: float) -> str:
    """``512 B``, ``1.5 KiB``, ``18.3 MiB``: binary units, one decimal above bytes."""
    for unit in ("B", "KiB", "MiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def format_interval(low: float, high: float, digits: int = 3) -> str:
    """``[0.92, 0.966]``: a confidence interval, the same in the terminal, the report and the gate."""
    return f"[{low:.{digits}g}, {high:.{digits}g}]"


def format_percent(fraction: float) -> str:
    """``0.005`` as ``0.5%``, ``0.1`` as ``10%``: as many digits as the figure has, up to three."""
    return f"{fraction * 100:.3g}%"
