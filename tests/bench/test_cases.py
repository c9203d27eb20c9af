"""Cases: stable ids, groups, expansion from axes, selection."""

import pytest

from pipebench.cases import Case, expand, select


def windows():
    return expand(
        "windows",
        {"strategy": ["deque", "monotonic"], "n": [10, 100], "w": [5]},
        variant_axis="strategy",
        reference="deque",
        tags={"deque": ("reference",)},
    )


def test_expansion_is_the_product_in_declaration_order():
    assert [c.id for c in windows()] == [
        "windows[strategy=deque,n=10,w=5]",
        "windows[strategy=deque,n=100,w=5]",
        "windows[strategy=monotonic,n=10,w=5]",
        "windows[strategy=monotonic,n=100,w=5]",
    ]


def test_case_knows_its_variant_group_and_reference():
    case = windows()[3]
    assert (case.variant, case.group, case.is_reference) == ("monotonic", "windows[n=100,w=5]", False)
    assert windows()[1].is_reference and windows()[1].tags == ("reference",)
    assert case.param_dict == {"strategy": "monotonic", "n": 100, "w": 5}


def test_cases_are_hashable_values():
    assert windows()[0] == windows()[0] and len(set(windows() + windows())) == 4


def test_expansion_requires_the_variant_axis():
    with pytest.raises(ValueError, match="no 'kind' axis"):
        expand("records", {"n": [1]}, variant_axis="kind", reference="dict")


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        ((), 4),
        (("monotonic",), 2),
        (("n=100,",), 2),
        (("windows[strategy=deque,*",), 2),
        (("*n=10,*", "*n=100,*"), 4),
        (("nothing",), 0),
    ],
)
def test_selection_by_substring_or_glob(patterns, expected):
    assert len(select(windows(), patterns)) == expected


def test_case_equality_includes_every_field():
    case = windows()[0]
    assert case != Case(case.suite, case.params, case.variant_axis, "monotonic", case.tags)


@pytest.mark.parametrize(
    ("pattern", "count"),
    [
        ("windows[strategy=scipy,n=1000,w=10]", 1),  # a pasted id selects itself
        ("windows[strategy=scipy,n=1000,w=*]", 3),  # brackets are literal, not a character class
        ("windows[*,n=10000,w=50]", 4),
        ("records[kind=dict,n=10000]", 1),
        ("records[kind=dict,n=1000*", 3),  # n=1000, 10000 and 100000
    ],
)
def test_a_case_id_with_or_without_stars_selects_its_cases(pattern, count):
    from pipebench.matrix import all_cases

    assert len(select(all_cases("quick"), [pattern])) == count
