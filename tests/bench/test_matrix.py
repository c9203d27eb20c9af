"""The variant matrix: every declared variant has cases, and a declaration that cannot work is refused."""

import pytest

from pipebench import workloads
from pipebench.matrix import SIZES, SUITES, Suite, all_cases
from pipebench_pipeline.pipelines import PIPELINES
from pipebench_pipeline.record_kinds import RECORD_KINDS
from pipebench_pipeline.stage_styles import STAGE_STYLES
from pipebench_pipeline.windows import WINDOW_STRATEGIES


@pytest.mark.parametrize("suite", list(SUITES))
@pytest.mark.parametrize("size", SIZES)
def test_every_declared_variant_has_cases_at_every_size(suite, size):
    variants = {case.variant for case in SUITES[suite].cases(size)}
    assert variants == set(SUITES[suite].variants)


@pytest.mark.parametrize(
    ("suite", "registry"),
    [("records", RECORD_KINDS), ("stages", STAGE_STYLES), ("windows", WINDOW_STRATEGIES), ("pipeline", PIPELINES)],
)
def test_the_pipelines_variants_are_read_from_its_registries_reference_first(suite, registry):
    assert list(SUITES[suite].variants) == list(registry)
    assert SUITES[suite].reference == next(iter(registry))


def test_every_case_names_its_suite_size_axis_first():
    for case in all_cases("full"):
        names = [name for name, _ in case.params]
        assert names[0] == SUITES[case.suite].variant_axis and names[1] == "n"


def _suite(**changes):
    declared = {
        "name": "toy",
        "description": "a toy",
        "variant_axis": "style",
        "variants": ["a", "b"],
        "reference": "a",
        "build": workloads.build_records,
        "sizes": {"quick": {"n": [10, 20]}},
    }
    return Suite(**{**declared, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "c"}, "reference 'c' is not one of its variants"),
        ({"sizes": {"quick": {"w": [1], "n": [10]}}}, "first size axis must be n"),
        ({"swept": ("w",)}, "swept axes"),
        ({"finding": ("n", "speed")}, "finding"),
        ({"swept": ("n",), "finding": ("w", "time")}, "finding"),
        ({"questions": (("a", "a"),)}, "question a vs a"),
        ({"questions": (("a", "z"),)}, "question a vs z"),
    ],
)
def test_a_declaration_that_cannot_work_is_refused_when_it_is_made(changes, message):
    with pytest.raises(ValueError, match=message):
        _suite(**changes)


def test_a_suite_describes_itself_for_the_runs_that_measure_it():
    described = _suite(swept=("n",), finding=("n", "time"), questions=(("b", "a"),)).describe("quick")
    assert described == {
        "description": "a toy",
        "variant_axis": "style",
        "reference": "a",
        "axes": ["n"],
        "swept": ["n"],
        "finding": ["n", "time"],
        "threaded": False,
        "tags": {},
        "questions": [["b", "a"]],
    }
    assert SUITES["windows"].describe("quick")["tags"]["numpy"] == ["vectorized"]


def test_largest_first_orders_groups_by_their_records_and_keeps_ties_in_order():
    from pipebench.matrix import all_cases, groups_of, largest_first

    cases = all_cases("quick")
    ordered = largest_first(groups_of(cases, cases))
    sizes = [max(case.get("n") for case in group) for group in ordered]
    assert sizes == sorted(sizes, reverse=True) and len(ordered) == len(groups_of(cases, cases))
    largest = [group[0].group for group in ordered if max(case.get("n") for case in group) == sizes[0]]
    assert largest[0].startswith("records") and largest[-1].startswith("pipeline")
