"""Reading callgrind profiles: totals, per-function costs, allocations counted once."""

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipebench.counts import callgrind

DATA = Path(__file__).resolve().parents[2] / "data" / "callgrind"


def test_a_profile_gives_totals_label_and_costs_per_function():
    profile = callgrind.parse((DATA / "tiny.out").read_text())
    assert profile.label == "calls=2" and profile.instructions == 1205
    assert profile.functions["build_loop"].self_instructions == 1000
    assert profile.functions["list_append"].self_instructions == 105
    assert profile.functions["list_append"].calls == 4
    assert profile.functions["list_append"].inclusive_instructions == 165
    assert profile.functions["PyObject_Malloc"].calls == 5
    assert sum(f.self_instructions for f in profile.functions.values()) == profile.instructions


def test_allocations_are_calls_into_the_allocator_from_outside_it():
    """3 + 2 calls of PyObject_Malloc; its own call of _PyObject_Malloc is the same allocation."""
    assert callgrind.parse((DATA / "tiny.out").read_text()).allocations == 5


@pytest.mark.parametrize("text", ["", "events: Ir\nfn=(1) f\n1 2\n", "hello world"])
def test_what_is_not_a_complete_profile_is_refused(text):
    with pytest.raises(ValueError, match="callgrind"):
        callgrind.parse(text)


TINY = (DATA / "tiny.out").read_text()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_damaged_profile_is_a_value_error_never_a_crash(data):
    lines = TINY.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    cut = data.draw(st.integers(0, len(lines[index])))
    junk = data.draw(st.sampled_from(["", "=", "(", "x", " ", "calls=", "totals:", "fn=(99)"]))
    lines[index] = lines[index][:cut] + junk
    with contextlib.suppress(ValueError):
        callgrind.parse("\n".join(lines))


def test_a_profile_with_cache_simulation_gives_every_events_totals_and_each_functions_own():
    profile = callgrind.parse((DATA / "cache.out").read_text())
    assert profile.instructions == 210
    assert profile.totals == {
        "Ir": 210,
        "Dr": 51,
        "Dw": 21,
        "I1mr": 1,
        "D1mr": 12,
        "D1mw": 5,
        "ILmr": 0,
        "DLmr": 7,
        "DLmw": 3,
    }
    own = profile.functions["dict_new"]
    # The second cost line leaves its trailing events out: they are zeros.
    assert own.self_instructions == 150
    assert own.self_events == {
        "Ir": 150,
        "Dr": 50,
        "Dw": 20,
        "I1mr": 1,
        "D1mr": 10,
        "D1mw": 5,
        "ILmr": 0,
        "DLmr": 6,
        "DLmw": 3,
    }
    # A call's inclusive cost is still its instructions.
    assert profile.functions["PyObject_Malloc"].inclusive_instructions == 60
    assert profile.functions["PyObject_Malloc"].self_events["DLmr"] == 1
    assert sum(f.self_events["D1mr"] for f in profile.functions.values()) == profile.totals["D1mr"]


def test_a_profile_without_cache_simulation_has_instructions_alone():
    assert callgrind.parse((DATA / "tiny.out").read_text()).totals == {"Ir": 1205}


def test_a_profile_whose_first_event_is_not_instructions_is_refused():
    text = (DATA / "cache.out").read_text().replace("events: Ir Dr", "events: Dr Ir")
    with pytest.raises(ValueError, match="Ir must come first"):
        callgrind.parse(text)


# A dump taken inside a call: the function that was running when counting began received
# no call in the dump, and calls itself again through the eval loop.
ENTERED = """# callgrind format
version: 1
events: Ir
fn=(1) _PyObject_MakeTpCall
1 10
cfn=(2) _PyEval_EvalFrameDefault
calls=1 1
* 990
fn=(2)
2 700
cfn=(1)
calls=3 1
* 290
fn=(1)
1 40
cfn=(3) min
calls=3 1
* 250
fn=(3)
3 250
totals: 1000
"""


def test_inclusive_instructions_count_the_calls_a_function_made_even_when_the_dump_began_inside_it():
    profile = callgrind.parse(ENTERED)
    entry = profile.functions["_PyObject_MakeTpCall"]
    assert entry.self_instructions == 50
    # Its own 50, the eval loop's 990 below it, and min's 250 below its nested calls: past the
    # total, since the nested calls are counted at both levels; capped at the whole dump.
    assert entry.inclusive_instructions == 1000
    assert profile.functions["_PyEval_EvalFrameDefault"].inclusive_instructions == 990
    assert profile.functions["min"].inclusive_instructions == 250
