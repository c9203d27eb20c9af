"""End-to-end variants: identical output and identical accounting on seeded input."""

import math

import numpy as np
import pytest

from pipebench_pipeline.errors import ConfigError
from pipebench_pipeline.pipelines import PIPELINES, REFERENCE_PIPELINE, StageParams
from pipebench_pipeline.source import SourceColumns, SyntheticSource

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


@pytest.mark.parametrize("name", list(PIPELINES))
@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
@pytest.mark.parametrize("window", [1, 2, 50, 1500, 2**63 - 1])
def test_streamed_in_blocks_the_output_is_the_reference_s(name, chunk_size, window):
    """Blocks carry the last W - 1 values across; a window longer than the data is its whole prefix."""
    n = 3000 if chunk_size > 1 else 300
    params = StageParams(window=window)
    expected = REFERENCE(SyntheticSource(n, seed=11).columns(), StageParams(window=min(window, n)))
    output = PIPELINES[name](SyntheticSource(n, seed=11, chunk_size=chunk_size).chunks(), params)
    assert list(output.records()) == list(expected.records())
    assert output.counts == expected.counts


@pytest.mark.parametrize("window", [1, 50, 20_000, 2**63 - 1])
def test_the_vectorized_pipeline_splits_a_large_block_into_cache_sized_ones_exactly(window):
    """One block of 40,000 rows is handled in blocks of 16,384: compared with the streaming loop."""
    columns, params = SyntheticSource(40_000, seed=4).columns(), StageParams(window=window)
    vectorized, streaming = PIPELINES["vectorized"](columns, params), PIPELINES["streaming"](columns, params)
    assert list(vectorized.records()) == list(streaming.records())


@pytest.mark.parametrize("name", list(PIPELINES))
def test_count_of_a_streamed_run_drains_every_block(name):
    output = PIPELINES[name](SyntheticSource(40_000, seed=3).chunks(), StageParams(window=100))
    assert output.count() == output.counts.passed and output.counts.read == 40_000


@pytest.mark.parametrize("window", [2**63, 10**30, -1])
def test_windows_beyond_what_a_deque_can_hold_are_refused(window):
    with pytest.raises(ConfigError, match="2\\*\\*63-1"):
        StageParams(window=window)
