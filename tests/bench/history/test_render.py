"""How history's steps are printed and written."""

import json

from pipebench.history import render
from pipebench.history.series import History, Point, Series, Step


def _history():
    points = tuple(Point(f"c{i}", f"r{i}", 1.0 if i < 3 else 1.2) for i in range(6))
    one = Series("windows[strategy=monotonic,n=10000,w=50]", "instructions_per_record", None, 5, points)
    return History(runs=(), series=(one,), steps=(Step(one, 3, 1.0, 1.2, 1e-6),))


def test_no_step_is_the_head_line_alone():
    assert render.render_table([], runs=8, series=5) == "8 runs, 5 series, 0 step(s)\n"


def test_too_few_runs_for_time_says_so_in_one_line():
    table = render.render_table([], runs=3, series=5)
    assert table.splitlines()[1].startswith("too few runs for a verdict on time") and len(table.splitlines()) == 2


def test_a_step_names_its_case_metric_first_commit_and_size():
    table = render.render_table(_history().steps, runs=6, series=1)
    assert "c3" in table and "+20.0%" in table and "instructions_per_record" in table


def test_write_puts_the_json_and_the_page_side_by_side(tmp_path):
    document = render.write(_history(), tmp_path)
    assert json.loads((tmp_path / "history.json").read_text()) == json.loads(document)
    assert json.loads(document)[0]["commit"] == "c3"
    assert "<img" in (tmp_path / "history.html").read_text()


def test_dollar_signs_in_commits_and_machines_are_drawn_as_they_are(tmp_path):
    points = tuple(Point(f"$c{i}_$", f"r{i}", 1.0 if i < 3 else 1.2) for i in range(6))
    one = Series("windows[strategy=monotonic,n=10000,w=50]", "time_per_record", "$^{$", 5, points)
    document = render.write(History(runs=(), series=(one,), steps=(Step(one, 3, 1.0, 1.2, 1e-6),)), tmp_path)
    assert json.loads(document)[0]["commit"] == "$c3_$"
    assert "<img" in (tmp_path / "history.html").read_text()
