"""AutoSlotMeta and SensorRecord: slots from annotations, equality, repr."""

from typing import ClassVar

import pytest

from pipebench_pipeline.records import AutoSlotMeta, SensorRecord, SensorRecordDict, SlottedRecord


def make() -> SensorRecord:
    return SensorRecord("S01", 1.5, 42.25, "celsius")


def test_slots_come_from_annotations():
    assert SensorRecord.__slots__ == ("sensor_id", "timestamp", "value", "unit")


def test_instances_have_no_dict():
    record = make()
    assert not hasattr(record, "__dict__")
    with pytest.raises(AttributeError):
        record.colour = "red"


def test_inherited_slots_are_not_declared_again():
    class Calibrated(SensorRecord):
        value: float
        offset: float

    assert Calibrated.__slots__ == ("offset",)


def test_classvar_annotations_are_not_slots():
    class WithConstant(SlottedRecord):
        LIMIT: ClassVar[int] = 3
        reading: float

    assert WithConstant.__slots__ == ("reading",)


def test_explicit_slots_are_kept():
    class Explicit(metaclass=AutoSlotMeta):
        __slots__ = ("a",)
        b: int

    assert Explicit.__slots__ == ("a",)


def test_equality_is_by_value_and_type():
    assert make() == make()
    assert make() != SensorRecord("S01", 1.5, 42.0, "celsius")
    assert make() != make().to_dict()
    assert hash(make()) == hash(make())


def test_repr_shows_every_field():
    assert repr(make()) == "SensorRecord(sensor_id='S01', timestamp=1.5, value=42.25, unit='celsius')"


def test_round_trip_through_the_wire_format():
    wire: SensorRecordDict = {"sensor_id": "S01", "timestamp": 1.5, "value": 42.25, "unit": "celsius"}
    assert SensorRecord.from_dict(wire).to_dict() == wire


def test_keyword_construction_rejects_unknown_fields():
    class Point(SlottedRecord):
        x: float
        y: float

    assert Point(x=1.0, y=2.0).astuple() == (1.0, 2.0)
    with pytest.raises(TypeError, match="unexpected fields"):
        Point(x=1.0, y=2.0, z=3.0)
