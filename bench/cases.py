"""Benchmark cases as data, expanded from named axes.

A :class:`Case` is a suite name plus named parameters (the variant among them) and tags;
its :attr:`Case.id` (``windows[strategy=monotonic,n=100000,w=1000]``) is stable and is
how every runner, result and comparison refers to it. Cases are never written out by
hand: :func:`expand` takes the product of a suite's axes, in the order they are declared.
"""

from __future__ import annotations

import fnmatch
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ParamValue = int | float | str

SIZES = ("quick", "full")
"""The matrix's two size sets: ``quick`` (the default, minutes) and ``full``."""


@dataclass(frozen=True)
class Case:
    """One benchmark: a suite, its parameters (variant first) and tags."""

    suite: str
    params: tuple[tuple[str, ParamValue], ...]
    variant_axis: str
    reference: str
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The stable id, ``suite[name=value,...]``."""
        return f"{self.suite}[{self.param_id}]"

    @property
    def param_id(self) -> str:
        """The parameters as ``name=value,...`` (the part between the brackets)."""
        return ",".join(f"{name}={value}" for name, value in self.params)

    @property
    def param_dict(self) -> dict[str, ParamValue]:
        """The parameters as a mapping, name to value."""
        return dict(self.params)

    @property
    def variant(self) -> str:
        """The value of the suite's variant axis."""
        return str(self.param_dict[self.variant_axis])

    @property
    def is_reference(self) -> bool:
        """Whether this case is its group's reference variant."""
        return self.variant == self.reference

    @property
    def group_params(self) -> tuple[tuple[str, ParamValue], ...]:
        """The parameters other than the variant: cases sharing them are compared."""
        return tuple((name, value) for name, value in self.params if name != self.variant_axis)

    @property
    def group(self) -> str:
        """The comparison group, ``suite[n=...,w=...]``: one per suite and parameter set."""
        return f"{self.suite}[" + ",".join(f"{name}={value}" for name, value in self.group_params) + "]"

    def get(self, name: str) -> Any:
        """The value of parameter ``name`` (KeyError if the case has none)."""
        return self.param_dict[name]


def expand(
    suite: str,
    axes: Mapping[str, Sequence[ParamValue]],
    *,
    variant_axis: str,
    reference: str,
    tags: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Case]:
    """Every combination of ``axes``, in declaration order.

    Args:
        suite: the suite's name.
        axes: parameter name to values; must contain ``variant_axis``.
        variant_axis: the axis whose values are the variants compared.
        reference: the variant the others are compared with.
        tags: variant name to its tags.
    """
    if variant_axis not in axes:
        raise ValueError(f"suite {suite!r} has no {variant_axis!r} axis")
    names = list(axes)
    cases = []
    for values in itertools.product(*(axes[name] for name in names)):
        params = tuple(zip(names, values, strict=True))
        variant = str(dict(params)[variant_axis])
        case_tags = (tags or {}).get(variant, ())
        cases.append(Case(suite, params, variant_axis, reference, case_tags))
    return cases


def select(cases: Iterable[Case], patterns: Sequence[str] = ()) -> list[Case]:
    """The cases whose id contains, or glob-matches, any of ``patterns`` (all if none)."""
    chosen = []
    for case in cases:
        if not patterns or any(_matches(case.id, pattern) for pattern in patterns):
            chosen.append(case)
    return chosen


def _matches(case_id: str, pattern: str) -> bool:
    if any(char in pattern for char in "*?"):
        # Brackets are part of every case id, never a character class: a pasted id, with
        # ``*`` in place of some values, must select itself.
        literal = "".join({"[": "[[]", "]": "[]]"}.get(char, char) for char in pattern)
        return fnmatch.fnmatchcase(case_id, literal)
    return pattern in case_id
