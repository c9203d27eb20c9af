"""The gate's renderings: each agrees with the exit status, and what needs a look comes first."""

import json
import math

from pipebench.gate.render import render_json, render_markdown, render_table
from pipebench.gate.verdicts import Comparison, Outcome, RatioEstimate


def comparison(name, verdict, ratio=1.0, low=0.98, high=1.02, base=100.0):
    return Comparison(
        id=name,
        family="time",
        metric="time_per_record",
        unit="ns/record",
        base=base,
        current=base * ratio,
        estimate=RatioEstimate(ratio, low, high, "welch/clusters", 0.5),
        threshold=0.10,
        verdict=verdict,
    )


SLOWER = comparison("slow[x]", "slower", 1.5, 1.4, 1.6)
UNCHANGED = comparison("same[x]", "unchanged")
POSSIBLE = comparison("maybe[x]", "inconclusive", 1.05, 0.9, 1.3)


def test_the_table_marks_a_regression_and_its_status_line_counts_it():
    text = render_table(Outcome([UNCHANGED, SLOWER], [], []))
    line = next(line for line in text.splitlines() if line.startswith("slow[x]"))
    assert "slower (REGRESSION)" in line and "[1.4, 1.6]" in line and "10%" in line
    assert text.rstrip().splitlines()[-1] == "2 compared, 1 regression(s), 0 inconclusive"


def test_markdown_status_agrees_with_the_exit_and_puts_regressions_first():
    passed = render_markdown(Outcome([UNCHANGED, POSSIBLE], [], []))
    assert passed.startswith("### pipebench compare: passed")
    assert render_markdown(Outcome([UNCHANGED, POSSIBLE], [], []), strict=True).startswith(
        "### pipebench compare: FAILED"
    )
    failed = render_markdown(Outcome([UNCHANGED, SLOWER], [], ["gone[x] (time)"]))
    assert failed.startswith("### pipebench compare: FAILED")
    rows = [line for line in failed.splitlines() if line.startswith("| ") and "[x]" in line]
    assert "slow[x]" in rows[0] and rows[0].startswith("| slower (REGRESSION)") and "gone[x] (time)" in failed


def test_json_has_no_nan_and_says_whether_it_failed():
    broken = comparison("nan[x]", "inconclusive", math.nan, math.nan, math.inf)
    document = json.loads(render_json(Outcome([broken, SLOWER], ["new[x] (time)"], [])))
    assert document["failed"] is True and document["regression"] is True
    first = document["comparisons"][0]
    assert first["ratio"] is None and first["ci"] == [None, None]
    assert document["added"] == ["new[x] (time)"]


def test_markdown_carries_no_markup_from_names_read_out_of_files():
    hostile = comparison("x<script>alert(1)</script>[a](javascript:1)|`", "unchanged")
    outcome = Outcome([hostile], added=['<img src=x onerror="alert(1)">'], missing=[], notes=["machine <b>m</b>"])
    text = render_markdown(outcome)
    assert "<script" not in text and "<img" not in text and "<b>" not in text and "[a](javascript" not in text
    assert "&lt;script&gt;" in text and "&lt;img" in text


def test_an_inconclusive_verdict_says_what_is_known_not_what_could_have_been():
    (line,) = [line for line in render_table(Outcome([POSSIBLE], [], [])).splitlines() if line.startswith("maybe[x]")]
    assert line.endswith(f"inconclusive (interval reaches past {POSSIBLE.threshold:.0%})")
    assert "could detect" not in line
