"""The variant matrix: every suite, its axes and sizes, declared once.

The variants of each suite are read from the pipeline's own registries, so a variant
added to :mod:`pipeline` is measured everywhere (pytest-benchmark suites, the pyperf and
memray runners, ``pipebench list``) without being listed again here. Sizes come in two
sets: ``quick`` (the default, a few minutes on two cores) and ``full``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.cases import Case, ParamValue, expand
from pipeline.pipelines import PIPELINES, REFERENCE_PIPELINE
from pipeline.record_kinds import RECORD_KINDS, REFERENCE_RECORD_KIND
from pipeline.stage_styles import REFERENCE_STAGE_STYLE, STAGE_STYLES
from pipeline.windows import REFERENCE_WINDOW, WINDOW_STRATEGIES

SIZES = ("quick", "full")
SEED = 20_240_601


@dataclass(frozen=True)
class Suite:
    """One suite: what it compares, its variant axis and its size axes per size set."""

    name: str
    description: str
    variant_axis: str
    variants: Sequence[str]
    reference: str
    sizes: Mapping[str, Mapping[str, Sequence[ParamValue]]]
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def cases(self, size: str = "quick") -> list[Case]:
        """This suite's cases at ``size``, variant axis first."""
        axes = {self.variant_axis: list(self.variants), **self.sizes[size]}
        return expand(self.name, axes, variant_axis=self.variant_axis, reference=self.reference, tags=self.tags)


_N_QUICK = [1_000, 10_000, 100_000]
_N_FULL = [1_000, 10_000, 100_000, 1_000_000]

SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in (
        Suite(
            "records",
            "building N records and reading every value: dict vs slots and friends",
            "kind",
            list(RECORD_KINDS),
            REFERENCE_RECORD_KIND,
            {"quick": {"n": _N_QUICK}, "full": {"n": _N_FULL}},
            {"dict": ("reference",), "tuple": ("builtin",), "namedtuple": ("builtin",)},
        ),
        Suite(
            "stages",
            "filter + normalizer over dict records: generator chain vs lists, map/filter, fused, numpy batches",
            "style",
            list(STAGE_STYLES),
            REFERENCE_STAGE_STYLE,
            {"quick": {"n": _N_QUICK, "w": [50]}, "full": {"n": _N_FULL, "w": [50]}},
            {"generator": ("reference", "streaming"), "list": ("materialized",), "numpy_batches": ("vectorized",)},
        ),
        Suite(
            "windows",
            "sliding-window min/max normalization: deque scan vs monotonic deques, numpy, scipy",
            "strategy",
            list(WINDOW_STRATEGIES),
            REFERENCE_WINDOW,
            {
                "quick": {"n": _N_QUICK, "w": [10, 50, 500]},
                "full": {"n": [1_000, 10_000, 100_000, 300_000], "w": [10, 50, 200, 1000]},
            },
            {"deque": ("reference",), "numpy": ("vectorized",), "scipy": ("vectorized",)},
        ),
        Suite(
            "pipeline",
            "end to end: the seed's configuration vs the best streaming pure Python vs vectorized",
            "pipeline",
            list(PIPELINES),
            REFERENCE_PIPELINE,
            {"quick": {"n": _N_QUICK, "w": [50, 500]}, "full": {"n": _N_FULL, "w": [10, 50, 1000]}},
            {"seed": ("reference",), "vectorized": ("vectorized",)},
        ),
    )
}


def all_cases(size: str = "quick", suites: Sequence[str] = ()) -> list[Case]:
    """Every case of the named suites (all suites if none), suite by suite.

    Raises:
        KeyError: an unknown suite or size.
    """
    if size not in SIZES:
        raise KeyError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    unknown = [name for name in suites if name not in SUITES]
    if unknown:
        raise KeyError(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")
    return [case for name in (suites or SUITES) for case in SUITES[name].cases(size)]
