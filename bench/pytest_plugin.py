"""pytest integration: the ``--pipebench-size`` option, and smoke mode for plain runs.

Plain ``pytest`` runs every benchmark body once, untimed (pytest-benchmark's disabled
mode), so the suites double as smoke tests; timing starts when the user asks for it with
``--benchmark-only``, ``--benchmark-enable`` or any option that saves or compares timings.
"""

from __future__ import annotations

import pytest

from bench.matrix import SIZES

# Options that only make sense when benchmarks are timed.
_TIMING_OPTIONS = (
    "benchmark_only",
    "benchmark_enable",
    "benchmark_json",
    "benchmark_autosave",
    "benchmark_save",
    "benchmark_compare",
    "benchmark_histogram",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pipebench")
    group.addoption(
        "--pipebench-size",
        choices=SIZES,
        default="quick",
        help="which size set of the variant matrix the benchmark suites run (default: quick)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Runs before pytest-benchmark reads its options, so its session starts disabled.
    option = config.option
    if hasattr(option, "benchmark_disable") and not any(getattr(option, name, None) for name in _TIMING_OPTIONS):
        option.benchmark_disable = True
