"""Window strategies: every one equals the reference, warm-up prefix included."""

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipebench_pipeline.errors import ConfigError
from pipebench_pipeline.source import SyntheticSource
from pipebench_pipeline.windows import (
    REFERENCE_WINDOW,
    WINDOW_STRATEGIES,
    DequeWindow,
    MonotonicWindow,
    filter_bounds,
    sliding_window_bounds,
)

REFERENCE = WINDOW_STRATEGIES[REFERENCE_WINDOW]
VARIANTS = [name for name in WINDOW_STRATEGIES if name != REFERENCE_WINDOW]


def as_list(values):
    return np.asarray(values).tolist() if isinstance(values, np.ndarray) else list(values)


@pytest.mark.parametrize("strategy", VARIANTS)
@pytest.mark.parametrize("n", [0, 1, 49, 2000])
@pytest.mark.parametrize("window", [1, 2, 10, 50, 1000, 5000])
def test_equals_the_reference_on_seeded_input(strategy, n, window):
    values = SyntheticSource(n, seed=n + window).columns().values.tolist()
    assert as_list(WINDOW_STRATEGIES[strategy](values, window)) == REFERENCE(values, window)


def runs(draw_value):
    """Lists built from constant runs, ties and long monotone stretches."""
    piece = st.one_of(
        st.tuples(draw_value, st.integers(1, 30)).map(lambda t: [t[0]] * t[1]),
        st.lists(draw_value, max_size=30).map(sorted),
        st.lists(draw_value, max_size=30).map(lambda v: sorted(v, reverse=True)),
        st.lists(st.sampled_from([0.0, 1.0, 1.0, 2.0]), max_size=20),
    )
    return st.lists(piece, max_size=8).map(lambda pieces: [x for p in pieces for x in p])


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@pytest.mark.parametrize("strategy", VARIANTS)
@given(values=runs(finite), window=st.integers(1, 80))
def test_equals_the_reference_on_arbitrary_sequences(strategy, values, window):
    assert as_list(WINDOW_STRATEGIES[strategy](values, window)) == REFERENCE(values, window)


@pytest.mark.parametrize("window", [1, 3, 8])
def test_bounds_agree_across_strategies(window):
    values = [random.Random(window).uniform(-5, 5) for _ in range(300)]
    deque_window, monotonic = DequeWindow(window), MonotonicWindow(window)
    expected = [deque_window.push(v) for v in values]
    assert [monotonic.push(v) for v in values] == expected
    for bounds in (sliding_window_bounds, filter_bounds):
        lo, hi = bounds(np.array(values), window)
        assert list(zip(lo.tolist(), hi.tolist(), strict=True)) == expected


@pytest.mark.parametrize("strategy", list(WINDOW_STRATEGIES))
@pytest.mark.parametrize("window", [0, -3, 1.5])
def test_invalid_window_raises(strategy, window):
    with pytest.raises(ConfigError):
        WINDOW_STRATEGIES[strategy]([1.0, 2.0], window)
