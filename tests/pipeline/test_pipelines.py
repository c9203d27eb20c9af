"""End-to-end variants: identical output and identical accounting on seeded input."""

import math

import numpy as np
import pytest

from pipeline.errors import ConfigError
from pipeline.pipelines import PIPELINES, REFERENCE_PIPELINE, StageParams
from pipeline.source import SourceColumns, SyntheticSource

REFERENCE = PIPELINES[REFERENCE_PIPELINE]


@pytest.mark.parametrize("name", list(PIPELINES))
@pytest.mark.parametrize("n", [0, 1, 999, 5000])
@pytest.mark.parametrize("window", [1, 10, 50, 1000, 8000])
def test_equals_the_reference(name, n, window):
    columns, params = SyntheticSource(n, seed=n + 1).columns(), StageParams(window=window)
    expected, output = REFERENCE(columns, params), PIPELINES[name](columns, params)
    assert list(output.records()) == list(expected.records())
    assert output.counts == expected.counts
    assert output.counts.read == n


@pytest.mark.parametrize("name", list(PIPELINES))
def test_count_drains_and_counts(name):
    columns = SyntheticSource(500, seed=2).columns()
    output = PIPELINES[name](columns, StageParams())
    assert output.count() == output.counts.passed > 0


@pytest.mark.parametrize("name", list(PIPELINES))
def test_non_finite_values_are_rejected_and_counted(name):
    values = np.array([50.0, math.nan, 20.0, math.inf, 500.0, 30.0])
    n = len(values)
    columns = SourceColumns(np.zeros(n, dtype=np.int64), ("S00",), np.arange(n, dtype=float), values, "celsius")
    output = PIPELINES[name](columns, StageParams())
    assert [r["value"] for r in output.records()] == [50.0, 20.0, 30.0]
    counts = output.counts
    assert (counts.passed, counts.filtered, counts.rejected) == (3, 1, 2)


@pytest.mark.parametrize("kwargs", [{"window": 0}, {"low": 9, "high": 1}])
def test_invalid_params_raise(kwargs):
    with pytest.raises(ConfigError):
        StageParams(**kwargs)
