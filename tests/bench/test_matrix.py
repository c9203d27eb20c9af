"""The variant matrix: every registered variant has cases, and an equivalence test."""

import importlib

import pytest

from bench.matrix import SIZES, SUITES, all_cases
from pipeline.pipelines import PIPELINES
from pipeline.record_kinds import RECORD_KINDS
from pipeline.stage_styles import STAGE_STYLES
from pipeline.windows import WINDOW_STRATEGIES

REGISTRIES = {"records": RECORD_KINDS, "stages": STAGE_STYLES, "windows": WINDOW_STRATEGIES, "pipeline": PIPELINES}

# Where each suite's variants are proven equal to the reference, and the name under which
# that test module holds the registry it parametrizes over.
EQUIVALENCE_TESTS = {
    "records": ("tests.pipeline.test_record_kinds", "RECORD_KINDS"),
    "stages": ("tests.pipeline.test_stage_styles", "STAGE_STYLES"),
    "windows": ("tests.pipeline.test_windows", "WINDOW_STRATEGIES"),
    "pipeline": ("tests.pipeline.test_pipelines", "PIPELINES"),
}


def test_every_suite_has_a_registry_and_an_equivalence_test():
    assert set(SUITES) == set(REGISTRIES) == set(EQUIVALENCE_TESTS)


@pytest.mark.parametrize("suite", list(SUITES))
@pytest.mark.parametrize("size", SIZES)
def test_every_registered_variant_has_cases(suite, size):
    variants = {case.variant for case in SUITES[suite].cases(size)}
    assert variants == set(REGISTRIES[suite])


@pytest.mark.parametrize("suite", list(SUITES))
def test_every_registered_variant_is_proven_equivalent(suite):
    module_name, attribute = EQUIVALENCE_TESTS[suite]
    module = importlib.import_module(module_name)
    assert getattr(module, attribute) is REGISTRIES[suite]


@pytest.mark.parametrize("suite", list(SUITES))
def test_reference_is_a_registered_variant_listed_first(suite):
    assert SUITES[suite].reference == next(iter(REGISTRIES[suite]))


def test_case_ids_are_unique():
    for size in SIZES:
        ids = [case.id for case in all_cases(size)]
        assert len(ids) == len(set(ids))


def test_every_group_has_its_reference():
    groups = {}
    for case in all_cases("full"):
        groups.setdefault(case.group, set()).add(case.variant)
    for group, variants in groups.items():
        suite = group.split("[")[0]
        assert SUITES[suite].reference in variants, group


def test_unknown_suite_or_size_is_refused():
    with pytest.raises(KeyError, match="unknown suite"):
        all_cases("quick", ["nope"])
    with pytest.raises(KeyError, match="unknown size"):
        all_cases("huge")
