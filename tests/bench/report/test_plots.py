"""The report's pictures: real figures with one line per variant, and real PNG files."""

import pytest

from pipebench.frames import to_frame
from pipebench.report import analysis, plots


@pytest.fixture
def table(synthetic_run, synthetic_suites):
    return analysis.case_table(to_frame([synthetic_run()]), synthetic_suites)


def test_scaling_against_w_has_one_panel_per_n_and_a_line_per_variant(table):
    figure = plots.scaling_figure(table, "windows", "w", facet="n")
    axes = figure.get_axes()
    assert len(axes) == 3 and [a.get_title() for a in axes] == ["N = 1000", "N = 10000", "N = 100000"]
    assert {line.get_label() for line in axes[0].get_lines()} == {"deque", "monotonic"}
    assert axes[0].get_xscale() == "log" and axes[0].get_xlabel() == "W"


def test_scaling_against_n_adds_peak_memory(table):
    figure = plots.scaling_figure(table, "windows", "n", facet="w")
    labels = {a.get_ylabel() for a in figure.get_axes()}
    assert labels >= {"time per record (ns)", "peak memory (bytes)"}


def test_ratios_are_points_with_intervals_on_a_log_axis_centred_on_one(table):
    figure = plots.ratio_figure(table, "windows")
    axes = figure.get_axes()[0]
    low, high = axes.get_ylim()
    assert axes.get_yscale() == "log" and low * high == pytest.approx(1.0)
    assert low <= table["ratio_low"].min() and table["ratio_high"].max() <= high
    legend = axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["monotonic"]
    assert legend.get_bbox_to_anchor().x0 >= axes.get_window_extent().x1  # outside the data


def test_a_figure_comes_out_as_a_png(table):
    png = plots.png_bytes(plots.ratio_figure(table, "windows"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_an_interval_beside_its_estimate_is_drawn_from_the_point(table):
    shifted = table.copy()
    shifted["ratio_low"] = shifted["ratio"] * 1.1  # above the estimate
    figure = plots.ratio_figure(shifted, "windows")
    assert plots.png_bytes(figure).startswith(b"\x89PNG")
