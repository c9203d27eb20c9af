"""Six ways to hold a reading in memory, compared by the ``records`` suite.

==============  ===============================================================
kind            representation
==============  ===============================================================
``dict``        the wire format (the reference): a dict of four keys
``slots``       :class:`~pipeline.records.SensorRecord`, slots from AutoSlotMeta
``plain``       an ordinary class with a per-instance ``__dict__``
``dataclass``   ``@dataclass(slots=True)``
``namedtuple``  a :class:`typing.NamedTuple`
``tuple``       a bare tuple ``(sensor_id, timestamp, value, unit)``
==============  ===============================================================

Each :class:`RecordKind` builds a list of records from four columns in the kind's most
natural idiom, sums their values through the kind's field access, and turns a record back
into a plain tuple so that every kind can be checked against the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from .records import FIELDS, SensorRecord

Columns = tuple[Sequence[str], Sequence[float], Sequence[float], Sequence[str]]


class PlainRecord:
    """A reading as an ordinary class: every instance carries a ``__dict__``."""

    def __init__(self, sensor_id: str, timestamp: float, value: float, unit: str) -> None:
        self.sensor_id = sensor_id
        self.timestamp = timestamp
        self.value = value
        self.unit = unit


@dataclass(slots=True)
class DataclassRecord:
    """A reading as a slotted dataclass."""

    sensor_id: str
    timestamp: float
    value: float
    unit: str


class TupleRecord(NamedTuple):
    """A reading as a named tuple."""

    sensor_id: str
    timestamp: float
    value: float
    unit: str


def _build_dicts(columns: Columns) -> list[Any]:
    return [
        {"sensor_id": sensor, "timestamp": stamp, "value": value, "unit": unit}
        for sensor, stamp, value, unit in zip(*columns)
    ]


def _build_with(factory: Callable[..., Any]) -> Callable[[Columns], list[Any]]:
    def build(columns: Columns) -> list[Any]:
        return list(map(factory, *columns))

    return build


def _build_tuples(columns: Columns) -> list[Any]:
    return list(zip(*columns))


def _sum_by(getter: Callable[[Any], float]) -> Callable[[list[Any]], float]:
    def total(records: list[Any]) -> float:
        return sum(map(getter, records))

    return total


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record is built, read and compared."""

    name: str
    build: Callable[[Columns], list[Any]]
    value_sum: Callable[[list[Any]], float]
    as_tuple: Callable[[Any], tuple[Any, ...]]

    def build_and_sum(self, columns: Columns) -> tuple[list[Any], float]:
        """Build the records and read every value once: what the suite measures."""
        records = self.build(columns)
        return records, self.value_sum(records)


RECORD_KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind("dict", _build_dicts, _sum_by(itemgetter("value")), itemgetter(*FIELDS)),
        RecordKind("slots", _build_with(SensorRecord), _sum_by(attrgetter("value")), attrgetter(*FIELDS)),
        RecordKind("plain", _build_with(PlainRecord), _sum_by(attrgetter("value")), attrgetter(*FIELDS)),
        RecordKind("dataclass", _build_with(DataclassRecord), _sum_by(attrgetter("value")), attrgetter(*FIELDS)),
        RecordKind("namedtuple", _build_with(TupleRecord), _sum_by(attrgetter("value")), tuple),
        RecordKind("tuple", _build_tuples, _sum_by(itemgetter(2)), tuple),
    )
}
"""Every record kind by name, the reference (``dict``) first."""

REFERENCE_RECORD_KIND = "dict"
