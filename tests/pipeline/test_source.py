"""SyntheticSource: seeded, lazy, deterministic, chunk-size independent."""

import itertools

import numpy as np
import pytest

from pipebench_pipeline.errors import ConfigError
from pipebench_pipeline.source import SyntheticSource


def test_same_seed_gives_same_records():
    assert list(SyntheticSource(300, seed=7).stream()) == list(SyntheticSource(300, seed=7).stream())


def test_different_seed_gives_different_values():
    first = [r["value"] for r in SyntheticSource(50, seed=7).stream()]
    second = [r["value"] for r in SyntheticSource(50, seed=8).stream()]
    assert first != second


def test_known_first_values_pin_the_generator():
    """A change of generator or formula would silently change every benchmark's input."""
    values = [r["value"] for r in SyntheticSource(3, seed=7).stream()]
    assert values == [64.01910120631788, 129.47113091857562, 80.5630239701777]


def test_timestamps_are_start_plus_index_times_interval():
    records = list(SyntheticSource(5, start=100.0, interval=0.5).stream())
    assert [r["timestamp"] for r in records] == [100.0 + i * 0.5 for i in range(5)]


def test_sensor_ids_cycle_through_the_sensor_count():
    records = list(SyntheticSource(5, sensors=3).stream())
    assert [r["sensor_id"] for r in records] == ["S00", "S01", "S02", "S00", "S01"]


def test_stream_is_lazy():
    stream = SyntheticSource(10**9, chunk_size=16).stream()
    assert len(list(itertools.islice(stream, 3))) == 3


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 5000])
def test_chunk_size_does_not_change_the_records(chunk_size):
    reference = list(SyntheticSource(1000, seed=3).stream())
    assert list(SyntheticSource(1000, seed=3, chunk_size=chunk_size).stream()) == reference


def test_columns_equal_the_stream():
    source = SyntheticSource(2000, seed=5, chunk_size=333)
    assert list(source.columns().records()) == list(source.stream())


def test_anomaly_rate_controls_out_of_range_values():
    none = SyntheticSource(2000, anomaly_rate=0.0).columns().values
    every = SyntheticSource(2000, anomaly_rate=1.0).columns().values
    assert np.all(none < 110) and np.all(every >= 110)
    some = SyntheticSource(20000, anomaly_rate=0.25).columns().values
    assert 0.23 < np.mean(some >= 110) < 0.27


@pytest.mark.parametrize(
    "kwargs",
    [
        {"records": -1},
        {"records": 1.5},
        {"records": True},
        {"anomaly_rate": 1.5},
        {"anomaly_rate": -0.1},
        {"sensors": 0},
    ],
)
def test_invalid_parameters_raise_config_error(kwargs):
    arguments = {"records": 10, **kwargs}
    with pytest.raises(ConfigError):
        SyntheticSource(**arguments)
