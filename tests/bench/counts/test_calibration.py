"""Fitting estimated cycles' weights to time, and judging them on pairs they were not fitted on."""

import math

import pytest

from pipebench.cases import Case
from pipebench.counts import calibration
from pipebench.counts.calibration import Counted, Pair
from pipebench.counts.cycles import Weights
from pipebench.metrics import INSTRUCTIONS, L1_MISSES, LL_MISSES, RATIO_TO_REFERENCE
from pipebench.results import make_row

TRUE = Weights(l1=4.0, ll=250.0)


def pair(name, records, variant, reference, suite="records", weights=TRUE):
    """A pair whose time ratio is exactly its cycles ratio under ``weights``."""
    variant, reference = Counted(*variant), Counted(*reference)
    return Pair(name, suite, records, variant.cycles(weights) / reference.cycles(weights), variant, reference)


def memory_bound_pairs():
    """Variants that differ from their reference in instructions, in L1 misses or in LL misses."""
    return [
        pair("fewer-ll", 1000, (1000, 10, 1), (1000, 10, 4)),
        pair("more-l1", 1000, (1000, 60, 1), (1000, 10, 1)),
        pair("more-instructions", 10_000, (1500, 10, 2), (1000, 10, 2)),
        pair("both", 10_000, (900, 30, 0), (1000, 10, 5)),
        pair("held-out", 100_000, (980, 20, 2), (1000, 40, 6)),
    ]


def test_the_fit_recovers_the_weights_time_follows_and_judges_only_sizes_it_did_not_see():
    (judged,) = calibration.by_size(memory_bound_pairs(), [1000, 10_000])
    assert judged.pair.case_id == "held-out"
    assert judged.weights.l1 == pytest.approx(TRUE.l1, abs=0.2)
    assert judged.weights.ll == pytest.approx(TRUE.ll, rel=0.01)
    assert judged.cycles_ratio == pytest.approx(judged.pair.time_ratio, rel=1e-3)


def test_by_suite_each_suites_pairs_are_judged_by_weights_fitted_on_the_others():
    records = memory_bound_pairs()
    windows = [
        pair("w1", 1000, (1000, 10, 1), (1000, 10, 3), suite="windows"),
        pair("w2", 1000, (1000, 40, 1), (1000, 10, 1), suite="windows"),
    ]
    judged = {item.pair.case_id: item for item in calibration.by_suite([*records, *windows])}
    assert judged["w1"].weights == calibration.fit(records)
    assert judged["fewer-ll"].weights == calibration.fit(windows)
    with pytest.raises(ValueError, match="two suites"):
        calibration.by_suite(records)


def test_a_pair_no_cache_model_can_follow_does_not_bend_the_weights():
    """A vectorized kernel, 3x faster than its counts say, among pairs that follow the weights."""
    simd = Pair("simd", "windows", 1000, 0.2, Counted(600, 10, 1), Counted(1000, 10, 1))
    fitted = calibration.fit([*memory_bound_pairs()[:4], simd])
    assert fitted.ll == pytest.approx(TRUE.ll, rel=0.1)


def test_judgement_counts_agreement_by_suite_and_in_all():
    pairs = [
        pair("a", 100_000, (1000, 10, 1), (1000, 10, 8)),  # memory: instructions say 1.0
        Pair("simd", "windows", 100_000, 0.2, Counted(600, 10, 1), Counted(1000, 10, 1)),
    ]
    held = [calibration.Judged(p, TRUE) for p in pairs]
    judged = {j.name: j for j in calibration.judge(held, key=lambda p: p.suite)}
    assert (judged["records"].instructions_agree, judged["records"].cycles_agree) == (0, 1)
    assert (judged["windows"].instructions_agree, judged["windows"].cycles_agree) == (0, 0)
    assert (judged["all"].pairs, judged["all"].cycles_agree) == (2, 1)
    text = calibration.render(TRUE, held, list(judged.values()))
    assert "not vectorized: L1 miss 4, LL miss 250" in text
    assert "records                instructions 0/1, estimated cycles 1/1" in text
    assert "largest disagreement, estimated cycles: simd" in text


def test_fewer_pairs_than_weights_cannot_be_fitted():
    with pytest.raises(ValueError, match="at least 2"):
        calibration.fit(memory_bound_pairs()[:1])


def record_case(kind):
    return Case("records", (("kind", kind), ("n", 1000)), "kind", "dict")


def rows_of(case, reference, ratio, counted):
    out = [
        make_row(case, metric, [[value]], tool="callgrind", tool_version="3.19")
        for metric, value in zip((INSTRUCTIONS, L1_MISSES, LL_MISSES), counted, strict=True)
    ]
    if ratio is not None:
        out.append(
            make_row(case, RATIO_TO_REFERENCE, [[ratio]], tool="pipebench", tool_version="1", reference=reference.id)
        )
    return out


def test_pairs_are_read_from_a_runs_rows_variant_against_its_reference():
    dict_case, slots_case = record_case("dict"), record_case("slots")
    rows = rows_of(dict_case, None, None, (2000, 40, 10)) + rows_of(slots_case, dict_case, 0.7, (1900, 20, 4))
    (found,) = calibration.pairs(rows)
    assert (found.case_id, found.records, found.time_ratio) == (slots_case.id, 1000, 0.7)
    assert math.isclose(found.instruction_ratio, 0.95)


def test_a_run_without_cache_simulation_gives_no_pairs():
    dict_case, slots_case = record_case("dict"), record_case("slots")
    rows = [
        make_row(slots_case, RATIO_TO_REFERENCE, [[0.7]], tool="pipebench", tool_version="1", reference=dict_case.id)
    ]
    with pytest.raises(ValueError, match="--cycles"):
        calibration.pairs(rows)


def test_vectorized_pairs_are_judged_in_a_group_of_their_own_and_never_fitted_on():
    simd = Pair("simd", "windows", 1000, 0.2, Counted(600, 10, 1), Counted(1000, 10, 1), vectorized=True)
    others = memory_bound_pairs()[:4]
    assert calibration.fit([*others, simd]) == calibration.fit(others)
    assert calibration.family(simd) == "windows (vectorized)" and calibration.family(others[0]) == "records"


def test_a_suites_tags_mark_its_vectorized_variants():
    dict_case, slots_case = record_case("dict"), record_case("slots")
    rows = rows_of(dict_case, None, None, (2000, 40, 10)) + rows_of(slots_case, dict_case, 0.7, (1900, 20, 4))
    (found,) = calibration.pairs(rows, {"records": {"tags": {"slots": ["vectorized"]}}})
    assert found.vectorized
    (plain,) = calibration.pairs(rows, {"records": {"tags": {}}})
    assert not plain.vectorized


def test_repeated_runs_give_each_pair_the_median_of_its_time_ratios_and_keep_its_counts():
    pairs = memory_bound_pairs()
    first = pairs[0]
    more = [{first.case_id: first.time_ratio * 1.21}, {first.case_id: first.time_ratio * 2.0}, {"elsewhere": 3.0}]
    combined = {p.case_id: p for p in calibration.repeated(pairs, more)}
    assert combined[first.case_id].time_ratio == pytest.approx(first.time_ratio * 1.21)
    assert combined[first.case_id].variant == first.variant and combined[first.case_id].reference == first.reference
    two = calibration.repeated(pairs, more[:1])[0]
    assert two.time_ratio == pytest.approx(first.time_ratio * 1.1)  # of two, the geometric middle
    assert [p.time_ratio for p in calibration.repeated(pairs, [])] == [p.time_ratio for p in pairs]


def test_a_runs_time_ratios_are_its_variants_paired_ratios():
    dict_case, slots_case = record_case("dict"), record_case("slots")
    rows = rows_of(dict_case, None, None, (2000, 40, 10)) + rows_of(slots_case, dict_case, 0.7, (1900, 20, 4))
    assert calibration.time_ratios(rows) == {slots_case.id: 0.7}
