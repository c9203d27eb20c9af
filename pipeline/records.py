"""The record model: :class:`AutoSlotMeta`, :class:`SensorRecord` and the wire format.

A record is one sensor reading. On the wire (and in the reference pipeline) it is a plain
``dict`` shaped like :class:`SensorRecordDict`; :class:`SensorRecord` is the same record as a
slotted object, whose ``__slots__`` the metaclass derives from the class annotations so that
instances carry no per-instance ``__dict__``.
"""

from __future__ import annotations

from typing import Any, TypedDict

FIELDS: tuple[str, ...] = ("sensor_id", "timestamp", "value", "unit")
OUTPUT_FIELDS: tuple[str, ...] = (*FIELDS, "normalized")
"""A record's fields once the normalizer has added its value."""


class SensorRecordDict(TypedDict):
    """The wire format of a reading: what the source yields and the filter reads."""

    sensor_id: str
    timestamp: float
    value: float
    unit: str


class AutoSlotMeta(type):
    """Metaclass that turns a class's annotations into its ``__slots__``.

    Names already provided as slots by a base class are not declared again (a repeated
    slot wastes memory and shadows the base's descriptor). A class that defines
    ``__slots__`` itself keeps its own declaration. ``ClassVar`` annotations are skipped:
    they describe the class, not its instances.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any):
        """Give the class ``__slots__`` from its annotations, unless it declares them."""
        if "__slots__" not in namespace:
            inherited = _inherited_slots(bases)
            annotations = namespace.get("__annotations__", {})
            namespace["__slots__"] = tuple(
                field
                for field, annotation in annotations.items()
                if field not in inherited and not _is_classvar(annotation)
            )
        return super().__new__(mcs, name, bases, namespace, **kwargs)


def _inherited_slots(bases: tuple[type, ...]) -> set[str]:
    slots: set[str] = set()
    for base in bases:
        for klass in base.__mro__:
            declared = klass.__dict__.get("__slots__", ())
            slots.update((declared,) if isinstance(declared, str) else declared)
    return slots


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


class SlottedRecord(metaclass=AutoSlotMeta):
    """Base of slotted records: keyword construction, value equality and a full ``repr``."""

    def __init__(self, **fields: Any) -> None:
        for name in self._field_names():
            setattr(self, name, fields.pop(name))
        if fields:
            raise TypeError(f"unexpected fields for {type(self).__name__}: {sorted(fields)}")

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            names.extend(klass.__dict__.get("__slots__", ()))
        return tuple(names)

    def astuple(self) -> tuple[Any, ...]:
        """The field values, in declaration order."""
        return tuple(getattr(self, name) for name in self._field_names())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash((type(self), self.astuple()))

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._field_names())
        return f"{type(self).__name__}({body})"


class SensorRecord(SlottedRecord):
    """One sensor reading as a slotted object (no per-instance ``__dict__``)."""

    sensor_id: str
    timestamp: float
    value: float
    unit: str

    def __init__(self, sensor_id: str, timestamp: float, value: float, unit: str) -> None:
        # Spelled out rather than delegated to SlottedRecord.__init__: this constructor is
        # what the record benchmarks measure, and a loop over field names would dominate it.
        self.sensor_id = sensor_id
        self.timestamp = timestamp
        self.value = value
        self.unit = unit

    @classmethod
    def from_dict(cls, record: SensorRecordDict) -> SensorRecord:
        """Build a record from its wire format."""
        return cls(record["sensor_id"], record["timestamp"], record["value"], record["unit"])

    def to_dict(self) -> SensorRecordDict:
        """The wire format of this record."""
        return {
            "sensor_id": self.sensor_id,
            "timestamp": self.timestamp,
            "value": self.value,
            "unit": self.unit,
        }
