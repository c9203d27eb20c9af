"""The table printed at the end of a run."""

from pipebench.report.run_table import render_run_table, run_table_frame
from pipebench.results import RunResults


def test_one_line_per_case_with_its_figures_formatted(sample_results):
    frame = run_table_frame(sample_results())
    assert list(frame.index) == ["windows[strategy=deque,n=100,w=5]", "windows[strategy=monotonic,n=100,w=5]"]
    assert list(frame.columns) == ["ns/record", "time vs ref [95% CI]", "peak"]
    monotonic = frame.loc["windows[strategy=monotonic,n=100,w=5]"]
    assert monotonic["time vs ref [95% CI]"] == "0.51x [0.49, 0.53]" and monotonic["peak"] == "4.0 KiB"
    assert frame.loc["windows[strategy=deque,n=100,w=5]", "ns/record"] == "10.5"
    assert frame.loc["windows[strategy=deque,n=100,w=5]", "peak"] == ""


def test_the_rendered_table_names_every_case_and_a_run_without_rows_says_so(sample_results):
    text = render_run_table(sample_results())
    assert text.splitlines()[0].startswith("case") and text.count("windows[") == 2
    assert render_run_table(RunResults("r", {}, ())) == "(no measurements)\n"
