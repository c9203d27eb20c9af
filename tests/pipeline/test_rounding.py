"""round_like_python: numpy rounding that equals Python's round, half-way cases included."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipebench_pipeline.rounding import round_like_python

# Values of the form (k + 0.5) / 10**6: about half of them round one way in Python and
# the other way in np.round, because numpy rounds the rounded product x * 1e6.
HALFWAY = [(k + 0.5) / 1e6 for k in (0, 1, 12, 123, 4999, 12345, 500000, 654321, 999998)]


def test_np_round_really_differs_from_python_on_half_way_values():
    """The reason this module exists: if numpy ever agrees, the test says so."""
    disagreements = [x for x in HALFWAY if float(np.round(x, 6)) != round(x, 6)]
    assert disagreements, "np.round now matches Python's round on every half-way case"


def test_half_way_values_round_as_python_does():
    assert round_like_python(np.array(HALFWAY), 6).tolist() == [round(x, 6) for x in HALFWAY]


def test_many_half_way_values_in_the_unit_interval():
    ks = np.arange(0, 1_000_000, 7)
    values = (ks + 0.5) / 1e6
    assert round_like_python(values, 6).tolist() == [round(x, 6) for x in values.tolist()]


def test_neighbours_of_half_way_values():
    """One ulp either side of a half-way value must not be pulled to the wrong side."""
    values = [math.nextafter(x, direction) for x in HALFWAY for direction in (0.0, 1.0)]
    assert round_like_python(np.array(values), 6).tolist() == [round(x, 6) for x in values]


def test_special_and_huge_values():
    values = [0.0, -0.0, 1.0, -2.5e-7, 1e300, -1e17, math.inf, -math.inf]
    assert round_like_python(np.array(values), 6).tolist() == [round(x, 6) for x in values]
    assert math.isnan(round_like_python(np.array([math.nan]), 6)[0])


@pytest.mark.parametrize("ndigits", [0, 2, 6, 9])
def test_other_digit_counts(ndigits):
    values = [(k + 0.5) / 10**ndigits for k in range(0, 2000, 3)]
    assert round_like_python(np.array(values), ndigits).tolist() == [round(x, ndigits) for x in values]


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), max_size=100))
def test_equals_python_round_on_arbitrary_floats(values):
    assert round_like_python(np.array(values, dtype=float), 6).tolist() == [round(x, 6) for x in values]
