"""Record kinds: every kind holds the reference's fields and sums to the same total."""

import sys
import tracemalloc

import pytest

from pipebench_pipeline.record_kinds import RECORD_KINDS, REFERENCE_RECORD_KIND
from pipebench_pipeline.source import SyntheticSource


def columns(n, seed=1):
    block = SyntheticSource(n, seed=seed).columns()
    sensors = [block.sensor_names[i] for i in block.sensor_index.tolist()]
    return sensors, block.timestamps.tolist(), block.values.tolist(), [block.unit] * n


@pytest.mark.parametrize("kind", list(RECORD_KINDS))
@pytest.mark.parametrize("n", [0, 1, 1000])
def test_every_kind_equals_the_reference(kind, n):
    data = columns(n)
    reference = RECORD_KINDS[REFERENCE_RECORD_KIND]
    expected_records, expected_sum = reference.build_and_sum(data)
    records, total = RECORD_KINDS[kind].build_and_sum(data)
    assert total == expected_sum
    assert [RECORD_KINDS[kind].as_tuple(r) for r in records] == [reference.as_tuple(r) for r in expected_records]


def container_bytes(kind, n=20_000):
    """Bytes per record of the containers alone: the field values exist before tracing."""
    data = columns(n)
    tracemalloc.start()
    try:
        records = RECORD_KINDS[kind].build(data)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(records) == n
    return (size - sys.getsizeof(records)) / n


def test_slots_record_costs_at_most_40_percent_of_a_dict():
    assert container_bytes("slots") <= 0.4 * container_bytes("dict")


def test_plain_class_costs_more_than_slots():
    assert container_bytes("plain") > container_bytes("slots")
