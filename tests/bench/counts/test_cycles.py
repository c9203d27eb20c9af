"""Estimated cycles: a pinned cache model and one formula."""

import pytest

from pipebench.counts import cycles


def test_the_simulated_caches_are_pinned_every_level_never_detected():
    options = cycles.MODEL.options()
    assert options[0] == "--cache-sim=yes"
    assert {option.split("=")[0] for option in options[1:]} == {"--I1", "--D1", "--LL"}
    for cache in (cycles.MODEL.l1i, cycles.MODEL.l1d, cycles.MODEL.ll):
        sets = cache.size // (cache.ways * cache.line)
        assert sets * cache.ways * cache.line == cache.size and sets & (sets - 1) == 0  # callgrind needs 2^k sets


def test_estimated_cycles_weigh_each_levels_misses_instruction_and_data_alike():
    events = {"Ir": 1000, "I1mr": 1, "D1mr": 2, "D1mw": 3, "ILmr": 1, "DLmr": 0, "DLmw": 1}
    assert cycles.misses(events) == (6, 2)
    weights = cycles.Weights(l1=5.0, ll=50.0)
    assert cycles.estimate(1000, 6, 2, weights) == 1000 + 30 + 100
    assert "5" in cycles.describe(weights) and "50" in cycles.describe(weights)


def test_counts_without_cache_simulation_have_no_misses():
    with pytest.raises(KeyError):
        cycles.misses({"Ir": 1000})
