"""What the regression gate compares: one side's measurements, whatever file they came from.

Plain data, made by :mod:`pipebench.gate.inputs` from pipebench runs, pytest-benchmark and
pyperf files, and by the pytest plugin from a live session; :mod:`pipebench.gate.verdicts` reads only
these, never files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipebench.store import StoredRun


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """One benchmark's figures for one metric: samples by cluster, or summary statistics alone."""

    id: str
    metric: str
    family: str
    unit: str
    center: float
    clusters: tuple[tuple[float, ...], ...] = ()
    mean: float | None = None
    stdev: float | None = None
    n: int = 1
    exact: bool = False
    case_id: str | None = None
    """The pipebench case a foreign benchmark measures, where it says so (pytest-benchmark's extra_info)."""

    @property
    def samples(self) -> tuple[float, ...]:
        """Every value, clusters concatenated."""
        return tuple(value for cluster in self.clusters for value in cluster)


@dataclass(frozen=True, kw_only=True)
class GateInput:
    """One side of a comparison."""

    path: Path
    kind: str
    machine: str
    measures: dict[tuple[str, str], Measurement] = field(default_factory=dict)
    ratios: dict[str, Measurement] = field(default_factory=dict)
    """Each variant's time over its suite's reference's, paired within rounds of the run."""
    ab_ratios: dict[str, Measurement] = field(default_factory=dict)
    """An A/B run's: each case's head time over its base time, paired within rounds."""
    clock: str | None = None
    """The timer its times were taken with (``thread_time``, ``perf_counter``), where it says."""
    not_measured: tuple[str, ...] = ()
    """An A/B run's: functions changed since its base that none of its cases executes."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    run: StoredRun | None = None
    """The pipebench run itself, for what reads more of it than the gate (``explain``)."""
