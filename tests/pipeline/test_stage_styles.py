"""Stage styles: every style yields the reference's records; malformed input raises."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipebench_pipeline.errors import MalformedRecordError
from pipebench_pipeline.pipelines import StageParams
from pipebench_pipeline.source import SyntheticSource
from pipebench_pipeline.stage_styles import REFERENCE_STAGE_STYLE, STAGE_STYLES, numpy_batches_style

REFERENCE = STAGE_STYLES[REFERENCE_STAGE_STYLE]


def records(n, seed=3):
    return list(SyntheticSource(n, seed=seed).stream())


@pytest.mark.parametrize("style", list(STAGE_STYLES))
@pytest.mark.parametrize("n", [0, 1, 100, 5000])
@pytest.mark.parametrize("window", [1, 50, 1000, 10_000])
def test_equals_the_reference_on_seeded_input(style, n, window):
    data, params = records(n), StageParams(window=window)
    assert list(STAGE_STYLES[style](data, params)) == list(REFERENCE(data, params))


@pytest.mark.parametrize("batch_size", [1, 2, 7, 64, 100_000])
def test_numpy_batches_do_not_depend_on_the_batch_size(batch_size):
    data, params = records(3000), StageParams(window=33)
    assert list(numpy_batches_style(data, params, batch_size)) == list(REFERENCE(data, params))


def rec(value):
    return {"sensor_id": "S00", "timestamp": 0.0, "value": value, "unit": "celsius"}


@pytest.mark.parametrize("style", list(STAGE_STYLES))
@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.one_of(st.floats(0, 120, allow_nan=False), st.sampled_from([10.0, 100.0, 50.0])), max_size=120),
    window=st.integers(1, 40),
)
def test_equals_the_reference_on_arbitrary_values(style, values, window):
    data, params = [rec(v) for v in values], StageParams(window=window)
    assert list(STAGE_STYLES[style](data, params)) == list(REFERENCE(data, params))


@pytest.mark.parametrize("style", list(STAGE_STYLES))
@pytest.mark.parametrize("bad", [rec(math.nan), rec("42"), {"sensor_id": "S00"}, rec(math.inf)])
def test_malformed_records_raise(style, bad):
    with pytest.raises(MalformedRecordError):
        list(STAGE_STYLES[style]([rec(50.0), bad, rec(60.0)], StageParams()))


@pytest.mark.parametrize("style", list(STAGE_STYLES))
def test_integer_values_are_accepted(style):
    data = [rec(50), rec(60.0), rec(500)]
    assert list(STAGE_STYLES[style](data, StageParams())) == list(REFERENCE(data, StageParams()))


def peak_bytes(style, n):
    """Peak traced memory of draining ``style`` over ``n`` prebuilt records."""
    import tracemalloc
    from collections import deque

    data, params = records(n), StageParams(window=50)
    tracemalloc.start()
    try:
        deque(STAGE_STYLES[style](data, params), maxlen=0)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_generator_chain_memory_does_not_grow_with_n():
    assert peak_bytes("generator", 40_000) < 1.5 * peak_bytes("generator", 4_000)


def test_list_stages_memory_grows_with_n():
    assert peak_bytes("list", 40_000) > 8 * peak_bytes("list", 4_000)
