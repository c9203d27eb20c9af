"""ThresholdFilter and WindowNormalizer: the reference behaviour and its accounting."""

import math
from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipebench_pipeline.errors import ConfigError, MalformedRecordError
from pipebench_pipeline.stages import ThresholdFilter, WindowNormalizer


def rec(value, **extra):
    return {"sensor_id": "S00", "timestamp": 0.0, "value": value, "unit": "celsius", **extra}


def test_filter_keeps_values_within_bounds_inclusive():
    stage = ThresholdFilter(10.0, 100.0)
    kept = list(stage.transform([rec(9.99), rec(10.0), rec(55), rec(100.0), rec(100.01)]))
    assert [r["value"] for r in kept] == [10.0, 55, 100.0]
    assert (stage.passed, stage.filtered, stage.rejected) == (3, 2, 0)


MALFORMED = [
    ({"sensor_id": "S00"}, "missing field 'value'"),
    (rec("42"), "non-numeric"),
    (rec(None), "non-numeric"),
    (rec(True), "non-numeric"),
    (rec(math.nan), "non-finite"),
    (rec(math.inf), "non-finite"),
    (rec(-math.inf), "non-finite"),
    ("not a record", "not a mapping"),
]


@pytest.mark.parametrize(("record", "reason"), MALFORMED)
def test_malformed_records_are_rejected_and_counted(record, reason):
    stage = ThresholdFilter()
    kept = list(stage.transform([rec(50.0), record, rec(5.0)]))
    assert len(kept) == 1
    assert (stage.passed, stage.filtered, stage.rejected) == (1, 1, 1)
    assert reason in stage.rejects[0].reason


@pytest.mark.parametrize(("record", "reason"), MALFORMED)
def test_malformed_records_raise_under_the_raise_policy(record, reason):
    stage = ThresholdFilter(on_malformed="raise")
    with pytest.raises(MalformedRecordError, match=reason):
        list(stage.transform([record]))


def test_integer_values_are_real_numbers():
    stage = ThresholdFilter()
    assert len(list(stage.transform([rec(50), rec(500)]))) == 1
    assert stage.rejected == 0


def test_kept_rejects_are_bounded():
    stage = ThresholdFilter(keep_rejects=2)
    list(stage.transform([rec(math.nan)] * 5))
    assert stage.rejected == 5 and len(stage.rejects) == 2


@pytest.mark.parametrize(
    "kwargs", [{"low": 5, "high": 1}, {"low": math.nan}, {"high": math.inf}, {"low": "1"}, {"on_malformed": "ignore"}]
)
def test_filter_rejects_invalid_settings(kwargs):
    with pytest.raises(ConfigError):
        ThresholdFilter(**kwargs)


def test_normalizer_window_includes_the_current_value():
    stage = WindowNormalizer(window=3)
    out = [r["normalized"] for r in stage.transform([rec(v) for v in [10.0, 20.0, 15.0, 30.0, 30.0]])]
    # windows: [10] [10,20] [10,20,15] [20,15,30] [15,30,30]
    assert out == [0.0, 1.0, 0.5, 1.0, 1.0]


def test_normalizer_keeps_the_input_fields():
    out = next(WindowNormalizer(2).transform([rec(50.0, extra="x")]))
    assert out == {**rec(50.0, extra="x"), "normalized": 0.0}


def test_normalizer_rounds_to_six_decimals():
    out = [r["normalized"] for r in WindowNormalizer(3).transform([rec(0.0), rec(3.0), rec(1.0)])]
    assert out == [0.0, 1.0, round(1 / 3, 6)]


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_normalizer_rejects_invalid_windows(window):
    with pytest.raises(ConfigError):
        WindowNormalizer(window)


def test_normalizer_rejects_unknown_strategies():
    with pytest.raises(ConfigError, match="unknown window strategy"):
        WindowNormalizer(5, strategy="heap")


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(st.lists(finite, max_size=200), st.integers(1, 60))
def test_normalized_values_lie_in_the_unit_interval(values, window):
    out = [r["normalized"] for r in WindowNormalizer(window).transform([rec(v) for v in values])]
    assert all(0.0 <= x <= 1.0 for x in out)


@given(finite, st.integers(1, 100), st.integers(1, 60))
def test_constant_input_normalizes_to_zero(value, count, window):
    out = [r["normalized"] for r in WindowNormalizer(window).transform([rec(value)] * count)]
    assert out == [0.0] * count


@given(st.lists(finite, max_size=150), st.integers(1, 40))
def test_monotonic_strategy_equals_the_reference(values, window):
    records = [rec(v) for v in values]
    reference = list(WindowNormalizer(window).transform(records))
    assert list(WindowNormalizer(window, strategy="monotonic").transform(records)) == reference


@given(st.lists(finite, max_size=150), st.integers(1, 40))
def test_normalizer_matches_a_brute_force_window(values, window):
    out = [r["normalized"] for r in WindowNormalizer(window).transform([rec(v) for v in values])]
    recent = deque(maxlen=window)
    for value, got in zip(values, out, strict=True):
        recent.append(value)
        lo, hi = min(recent), max(recent)
        assert got == round((value - lo) / (hi - lo if hi != lo else 1.0), 6)
