"""Log-log slopes on synthetic data with known exponents."""

import pytest

from pipebench.report.scaling import fit_loglog, growth_name

SIZES = [1_000, 10_000, 100_000, 1_000_000]


@pytest.mark.parametrize(
    ("exponent", "growth"),
    [(0.0, "constant"), (0.5, "sub-linear"), (1.0, "linear"), (2.0, "super-linear"), (-1.0, "decreasing")],
)
def test_power_laws_recover_their_exponent(exponent, growth):
    fit = fit_loglog(SIZES, [3.0 * n**exponent for n in SIZES])
    assert fit.slope == pytest.approx(exponent)
    assert fit.top_slope == pytest.approx(exponent)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.growth == growth


def test_affine_cost_bends_the_overall_slope_but_not_the_top_one():
    """cost = 700 + 22 W, the reference window's shape: linear once W dominates."""
    windows = [10, 50, 200, 1000]
    fit = fit_loglog(windows, [700 + 22 * w for w in windows])
    assert fit.slope < 0.8
    assert fit.top_slope > 0.9
    assert fit.growth == "linear"


def test_noisy_data_has_a_lower_r_squared():
    noisy = fit_loglog(SIZES, [10.0, 1e4 * 3, 1e5 / 2, 1e6 * 1.5])
    assert noisy.r_squared < 0.99


def test_unsorted_input_is_sorted_first():
    assert fit_loglog([100, 10, 1000], [100, 10, 1000]).top_slope == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sizes", "costs"), [([10, 10], [1.0, 2.0]), ([10], [1.0]), ([0, 10], [1.0, 2.0]), ([1, 10], [1.0, -2.0])]
)
def test_degenerate_input_is_refused(sizes, costs):
    with pytest.raises(ValueError):
        fit_loglog(sizes, costs)


@pytest.mark.parametrize(
    ("slope", "name"),
    [(0.14, "constant"), (0.15, "sub-linear"), (0.8, "linear"), (1.2, "linear"), (1.21, "super-linear")],
)
def test_growth_name_boundaries(slope, name):
    assert growth_name(slope) == name


def test_growth_is_unclear_where_the_fit_does_not_support_a_name():
    assert fit_loglog([10, 100], [10, 1000]).growth == "unclear"  # two points always fit
    assert fit_loglog([1, 10, 100, 1000], [1, 100, 1, 100]).growth == "unclear"  # R² 0
    # Cache effects: linear, then the last segment bends up; the range as a whole is linear.
    bent = fit_loglog([1_000, 10_000, 100_000], [35.0, 320.0, 5_700.0])
    assert bent.top_slope > 1.2 and bent.slope <= 1.2 and bent.growth == "unclear"
    assert fit_loglog([1_000, 10_000, 100_000], [1.0, 100.0, 10_000.0]).growth == "super-linear"
    assert fit_loglog([10, 50, 1000], [920.0, 1_800.0, 22_700.0]).growth == "linear"
