"""Ratios re-read against any variant from the rounds a run already holds."""

import pytest

from pipebench.errors import UsageError
from pipebench.frames import suite_descriptions, to_frame
from pipebench.report import analysis
from pipebench.stats import clustered_ratio_estimate, paired_ratios
from pipebench.timing import versus


def _ratios(run):
    return {row.case_id: row for row in run.rows if row.metric == "ratio_to_reference"}


def test_read_against_its_own_reference_a_run_gives_back_the_ratios_it_stored(paired_run):
    run = paired_run()
    again = versus.against(run, "dict")
    for case_id, row in _ratios(run).items():
        assert _ratios(again)[case_id].samples == row.samples
        assert _ratios(again)[case_id].ci == pytest.approx(row.ci)
        assert _ratios(again)[case_id].estimate == pytest.approx(row.estimate)


def test_every_other_variant_is_read_against_the_one_named_from_the_same_rounds(paired_run, times_of):
    again = versus.against(paired_run(), "slots")
    ratios = _ratios(again)
    assert set(ratios) == {"records[kind=dict,n=1000]", "records[kind=plain,n=1000]"}
    plain = ratios["records[kind=plain,n=1000]"]
    expected = clustered_ratio_estimate([paired_ratios(p, s) for p, s in zip(times_of("plain"), times_of("slots"))])
    assert plain.estimate == pytest.approx(expected.estimate) and plain.ci == pytest.approx(
        (expected.low, expected.high)
    )
    assert plain.reference == "records[kind=slots,n=1000]" and plain.sample_groups == (3, 3)
    # The load of a round cancels: plain is 90/70 of slots whatever the round's load.
    assert plain.estimate == pytest.approx(90 / 70, rel=0.04)
    described = suite_descriptions([again])["records"]
    assert described["reference"] == "slots" and described["measured_reference"] == "dict"
    assert set(to_frame([again]).query("is_reference")["variant"]) == {"slots"}


def test_the_stored_run_is_left_as_it_was(paired_run):
    run = paired_run()
    before = run.as_dict()
    versus.against(run, "plain")
    assert run.as_dict() == before


def test_a_variant_no_suite_timed_is_one_line_naming_what_was_timed(paired_run):
    with pytest.raises(UsageError, match=r"--versus heap: no suite of r1 timed .*\(timed: dict, plain, slots\)"):
        versus.against(paired_run(), "heap")


def test_values_not_taken_in_shared_rounds_are_never_paired():
    assert versus.paired([(1.0, 2.0), (3.0,)], [(1.0,), (2.0, 3.0)]) is None
    assert versus.paired([], []) is None
    assert versus.paired([(1.0,)], [(0.0,)]) is None
    assert versus.paired([(2.0, 4.0)], [(1.0, 2.0)]).interval.estimate == pytest.approx(2.0)


def test_a_suites_questions_are_answered_first_by_name_whoever_is_fastest(paired_run, times_of):
    described = {
        "records": {
            "description": "records",
            "reference": "dict",
            "axes": ["n"],
            "swept": ["n"],
            "questions": [["slots", "plain"], ["slots", "dict"]],
        }
    }
    run = paired_run(described)
    frame = to_frame([run])
    table = analysis.case_table(frame, described)
    answered = analysis.answers(frame, described)
    plain = answered[(answered["variant"] == "slots") & (answered["against"] == "plain")].iloc[0]
    expected = clustered_ratio_estimate([paired_ratios(s, p) for s, p in zip(times_of("slots"), times_of("plain"))])
    assert plain["ratio"] == pytest.approx(expected.estimate)
    sentences = analysis.findings(table, analysis.scaling_table(table, described), described, answered)["r1"]
    assert sentences[0].startswith("records: `slots` against `plain` at n=1000: ")
    assert sentences[1].startswith("records: `slots` against `dict` at n=1000: ")
    # slots is the fastest: the sentence that names the fastest is not said twice.
    assert not any(s.startswith("records: `slots` is") for s in sentences)


def test_a_variants_time_in_the_table_agrees_with_its_ratio(paired_run, times_of):
    run = paired_run()
    table = analysis.case_table(to_frame([run]), suite_descriptions([run])).set_index("variant")
    for kind in ("slots", "plain"):
        assert table.loc[kind, "time_per_record"] == pytest.approx(
            table.loc["dict", "time_per_record"] * table.loc[kind, "ratio"]
        )
        own = sorted(v for process in times_of(kind) for v in process)
        assert table.loc[kind, analysis.OWN_MEDIAN] == pytest.approx((own[2] + own[3]) / 2)
