"""The variant matrix: every suite, its axes and sizes, declared once.

The variants of each suite are read from the pipeline's own registries, so a variant
added to :mod:`pipeline` is measured everywhere (pytest-benchmark suites, the pyperf and
memray runners, ``pipebench list``) without being listed again here. Sizes come in two
sets: ``quick`` (the default, a few minutes on two cores) and ``full``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipebench import workloads
from pipebench.cases import SIZES, Case, ParamValue, expand
from pipebench.workloads import Workload
from pipebench_pipeline.pipelines import PIPELINES, REFERENCE_PIPELINE
from pipebench_pipeline.record_kinds import RECORD_KINDS, REFERENCE_RECORD_KIND
from pipebench_pipeline.stage_styles import REFERENCE_STAGE_STYLE, STAGE_STYLES
from pipebench_pipeline.windows import REFERENCE_WINDOW, WINDOW_STRATEGIES

MEASURES = ("time", "peak memory")
"""What a scaling fit can be of: time per call, or peak memory."""


@dataclass(frozen=True)
class Suite:
    """One suite, all that pipebench knows of it.

    ``build`` makes a case's workload; ``sizes`` gives each size set's parameter axes
    (``n``, the number of records, first); ``swept`` names the axes that scaling is fit
    against (time against each, peak memory against ``n``); ``finding`` is the one fit the
    report states as a sentence, as ``(axis, measure)``; ``questions`` are the comparisons
    the suite exists to settle, each ``(variant, against)``, which the report's findings
    answer first, by name, whichever variant is fastest; ``threaded`` says that some
    variant does its work in threads of its own (a pool), so that its values must be the
    process's CPU time, which counts every thread, rather than the measuring thread's
    (:mod:`pipebench.timing.worker`). A run stores :meth:`describe`, so that it is read later
    by what it was, not by what the code is then.
    """

    name: str
    description: str
    variant_axis: str
    variants: Sequence[str]
    reference: str
    build: Callable[[Case], Workload]
    sizes: Mapping[str, Mapping[str, Sequence[ParamValue]]]
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    swept: tuple[str, ...] = ("n",)
    finding: tuple[str, str] | None = None
    questions: tuple[tuple[str, str], ...] = ()
    threaded: bool = False

    def __post_init__(self) -> None:
        axes = {axis for size in self.sizes.values() for axis in size}
        if self.reference not in self.variants:
            raise ValueError(f"suite {self.name}: reference {self.reference!r} is not one of its variants")
        if any(size and next(iter(size)) != "n" for size in self.sizes.values()):
            raise ValueError(f"suite {self.name}: the first size axis must be n, the number of records")
        if not set(self.swept) <= axes:
            raise ValueError(f"suite {self.name}: swept axes {self.swept} are not all among {sorted(axes)}")
        if self.finding is not None and (self.finding[0] not in self.swept or self.finding[1] not in MEASURES):
            raise ValueError(f"suite {self.name}: finding {self.finding} is not a swept axis and a measure")
        for variant, against in self.questions:
            if variant == against or not {variant, against} <= set(self.variants):
                raise ValueError(f"suite {self.name}: question {variant} vs {against} is not two of its variants")

    def cases(self, size: str = "quick") -> list[Case]:
        """This suite's cases at ``size``, variant axis first."""
        axes = {self.variant_axis: list(self.variants), **self.sizes[size]}
        return expand(self.name, axes, variant_axis=self.variant_axis, reference=self.reference, tags=self.tags)

    def describe(self, size: str) -> dict[str, Any]:
        """What a run records of this suite: enough to read its results without this code."""
        return {
            "description": self.description,
            "variant_axis": self.variant_axis,
            "reference": self.reference,
            "axes": list(self.sizes[size]),
            "swept": list(self.swept),
            "finding": list(self.finding) if self.finding else None,
            "questions": [list(question) for question in self.questions],
            "threaded": self.threaded,
            "tags": {variant: list(tags) for variant, tags in self.tags.items()},
        }


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
            workloads.build_records,
            {"quick": {"n": _N_QUICK}, "full": {"n": _N_FULL}},
            {"dict": ("reference",), "tuple": ("builtin",), "namedtuple": ("builtin",)},
            # What __slots__ buys: over a dict, and over the same class without them.
            questions=(("slots", "dict"), ("slots", "plain")),
        ),
        Suite(
            "stages",
            "filter + normalizer over dict records: generator chain vs lists, map/filter, fused, numpy batches",
            "style",
            list(STAGE_STYLES),
            REFERENCE_STAGE_STYLE,
            workloads.build_stages,
            {"quick": {"n": _N_QUICK, "w": [50]}, "full": {"n": _N_FULL, "w": [50]}},
            {"generator": ("reference", "streaming"), "list": ("materialized",), "numpy_batches": ("vectorized",)},
            finding=("n", "peak memory"),
            questions=(("list", "generator"),),
        ),
        Suite(
            "windows",
            "sliding-window min/max normalization: deque scan vs monotonic deques, numpy, scipy",
            "strategy",
            list(WINDOW_STRATEGIES),
            REFERENCE_WINDOW,
            workloads.build_windows,
            {
                "quick": {"n": _N_QUICK, "w": [10, 50, 500]},
                "full": {"n": [1_000, 10_000, 100_000, 300_000], "w": [10, 50, 200, 1000]},
            },
            {"deque": ("reference",), "numpy": ("vectorized",), "scipy": ("vectorized",)},
            swept=("n", "w"),
            finding=("w", "time"),
            questions=(("monotonic", "deque"), ("numpy", "deque"), ("scipy", "deque")),
        ),
        Suite(
            "pipeline",
            "end to end: the seed's configuration vs the best streaming pure Python vs vectorized",
            "pipeline",
            list(PIPELINES),
            REFERENCE_PIPELINE,
            workloads.build_pipeline,
            {"quick": {"n": _N_QUICK, "w": [50, 500]}, "full": {"n": _N_FULL, "w": [10, 50, 1000]}},
            {"seed": ("reference",), "vectorized": ("vectorized",)},
            finding=("n", "peak memory"),
            questions=(("streaming", "seed"), ("vectorized", "seed")),
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


def prepare(case: Case) -> Workload:
    """Build ``case``'s input and return its workload (its suite's builder does it)."""
    return SUITES[case.suite].build(case)


def groups_of(cases: Sequence[Case], all_known: Sequence[Case]) -> list[list[Case]]:
    """The comparison groups of ``cases``, each with its reference first.

    A group's reference is added when the selection left it out: a ratio needs it.
    """
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.group, [])
        if case not in groups[case.group]:
            groups[case.group].append(case)
    ordered = []
    for members in groups.values():
        reference = next((c for c in all_known if c.group == members[0].group and c.is_reference), None)
        if reference is not None and reference not in members:
            members.insert(0, reference)
        members.sort(key=lambda c: not c.is_reference)
        ordered.append(members)
    return ordered


def largest_first(groups: Sequence[Sequence[Case]]) -> list[Sequence[Case]]:
    """``groups`` ordered by their largest ``n``, most records first (stable otherwise).

    For passes that run groups ``jobs`` at a time, so that the jobs end together: in
    matrix order the pipeline at n=100,000, w=500 (4.5 s under memray) ran alone at the end.
    """
    return sorted(groups, key=lambda group: -max(int(case.param_dict.get("n", 0)) for case in group))
