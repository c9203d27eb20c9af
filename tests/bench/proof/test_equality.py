"""Where a variant's output first differs from its reference's."""

from pipebench.proof.equality import first_difference


def test_equal_outputs_have_no_difference():
    assert first_difference([0.5, 1.0], [0.5, 1.0]) is None


def test_the_first_differing_record_is_named_with_both_values():
    assert first_difference([0.5, 1.0, 0.25], [0.5, 0.9, 0.0]) == "record 1: 0.9 where the reference has 1.0"


def test_records_inside_a_tuple_and_a_missing_field_are_named():
    reference = ([("a", 1.0), ("b", 2.0)], 3.0)
    assert first_difference(reference, ([("a", 1.0), ("b", 2.5)], 3.5)) == (
        "part 0 record 1 part 1: 2.5 where the reference has 2.0"
    )
    assert first_difference([{"value": 1.0}], [{}]) == "record 0 value: (missing) where the reference has 1.0"


def test_a_shorter_output_says_how_many_records_each_has():
    assert first_difference([1.0, 2.0, 3.0], [1.0, 2.0]) == "the output: 2 items where the reference has 3"


def test_a_long_value_is_cut():
    message = first_difference(["x" * 500], ["y" * 500])
    assert len(message) < 200 and message.startswith("record 0: 'yyy")
