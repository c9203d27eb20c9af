"""The synthetic source: seeded, lazy and identical on every machine.

Readings are drawn from numpy's PCG64 generator in three independent streams (which
readings are anomalies, the normal values, the anomalous values), each spawned from one
:class:`numpy.random.SeedSequence`. Because every stream is consumed in order, drawing in
chunks gives the same numbers as drawing all at once: :meth:`SyntheticSource.stream`
yields records lazily chunk by chunk, :meth:`SyntheticSource.columns` returns the same
readings as arrays for the vectorized variants, and both agree bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ConfigError
from .records import SensorRecordDict
from .registry import RegistrableStage

NORMAL_MEAN = 50.0
NORMAL_STDDEV = 10.0
ANOMALY_LOW = 110.0
ANOMALY_HIGH = 150.0
DEFAULT_START = 1_700_000_000.0
ROW_SLICE = 4096


@dataclass(frozen=True)
class SourceColumns:
    """A block of readings, column by column (what the vectorized variants consume).

    Attributes:
        sensor_index: index into ``sensor_names`` for each reading.
        sensor_names: the sensor ids, ``S00``, ``S01``, ...
        timestamps: ``start + i * interval`` for reading ``i``.
        values: the measured values.
        unit: the unit shared by every reading.
    """

    sensor_index: np.ndarray
    sensor_names: tuple[str, ...]
    timestamps: np.ndarray
    values: np.ndarray
    unit: str

    def __len__(self) -> int:
        return len(self.values)

    def records(self) -> Iterator[SensorRecordDict]:
        """Yield the readings in their wire format, one dict at a time."""
        names = self.sensor_names
        unit = self.unit
        for sensors, timestamps, values in self.slices():
            for index, timestamp, value in zip(sensors, timestamps, values):
                yield {"sensor_id": names[index], "timestamp": timestamp, "value": value, "unit": unit}

    def block(self, start: int, stop: int) -> SourceColumns:
        """Rows ``start`` to ``stop`` (views of the arrays, no copy)."""
        return SourceColumns(
            self.sensor_index[start:stop],
            self.sensor_names,
            self.timestamps[start:stop],
            self.values[start:stop],
            self.unit,
        )

    def blocks(self, size: int) -> Iterator[SourceColumns]:
        """Consecutive blocks of at most ``size`` rows."""
        for start in range(0, len(self.values), size):
            yield self.block(start, start + size)

    def slices(self, size: int = ROW_SLICE) -> Iterator[tuple[list[int], list[float], list[float]]]:
        """Yield the columns as Python lists, ``size`` rows at a time.

        Converting slice by slice keeps the Python objects of at most ``size`` rows alive,
        so iterating a block costs constant memory however long it is.
        """
        for start in range(0, len(self.values), size):
            stop = start + size
            yield (
                self.sensor_index[start:stop].tolist(),
                self.timestamps[start:stop].tolist(),
                self.values[start:stop].tolist(),
            )


@dataclass
class SyntheticSource(RegistrableStage):
    """Seeded generator of sensor readings, ``anomaly_rate`` of them far out of range."""

    STAGE_NAME = "SyntheticSource"

    records: int
    seed: int = 0
    anomaly_rate: float = 0.1
    sensors: int = 10
    start: float = DEFAULT_START
    interval: float = 0.1
    unit: str = "celsius"
    chunk_size: int = 16384
    _names: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_int("records", self.records, minimum=0)
        _check_int("seed", self.seed, minimum=0)
        _check_int("sensors", self.sensors, minimum=1)
        _check_int("chunk_size", self.chunk_size, minimum=1)
        if not 0.0 <= self.anomaly_rate <= 1.0:
            raise ConfigError(f"anomaly rate must be within [0, 1], got {self.anomaly_rate}")
        self._names = tuple(f"S{i:02d}" for i in range(self.sensors))

    def stream(self) -> Iterator[SensorRecordDict]:
        """Yield every reading lazily; only one chunk of draws is held at a time."""
        for chunk in self.chunks():
            yield from chunk.records()

    def chunks(self) -> Iterator[SourceColumns]:
        """Yield the readings as consecutive column blocks of at most ``chunk_size``."""
        draws = _Draws(self.seed)
        for begin in range(0, self.records, self.chunk_size):
            yield self._columns(draws, begin, min(self.chunk_size, self.records - begin))

    def columns(self) -> SourceColumns:
        """All readings at once, equal to the concatenation of :meth:`chunks`."""
        return self._columns(_Draws(self.seed), 0, self.records)

    def _columns(self, draws: _Draws, begin: int, count: int) -> SourceColumns:
        index = np.arange(begin, begin + count, dtype=np.int64)
        return SourceColumns(
            sensor_index=index % self.sensors,
            sensor_names=self._names,
            # Float arithmetic in the same order as start + i * interval in Python, so a
            # record's timestamp does not depend on how it was drawn.
            timestamps=self.start + index.astype(np.float64) * self.interval,
            values=draws.values(count, self.anomaly_rate),
            unit=self.unit,
        )


class _Draws:
    """The three random streams of one source, consumed strictly in order."""

    def __init__(self, seed: int) -> None:
        choose, normal, anomalous = np.random.SeedSequence(seed).spawn(3)
        self._choose = np.random.Generator(np.random.PCG64(choose))
        self._normal = np.random.Generator(np.random.PCG64(normal))
        self._anomalous = np.random.Generator(np.random.PCG64(anomalous))

    def values(self, count: int, anomaly_rate: float) -> np.ndarray:
        is_anomaly = self._choose.random(count) < anomaly_rate
        normal = NORMAL_MEAN + NORMAL_STDDEV * self._normal.standard_normal(count)
        anomalous = ANOMALY_LOW + (ANOMALY_HIGH - ANOMALY_LOW) * self._anomalous.random(count)
        return np.where(is_anomaly, anomalous, normal)


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
