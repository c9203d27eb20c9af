"""Whether a variant computed what its reference computed, and if not, where they first differ.

Outputs are compared exactly (``==``): every variant of a suite computes the same values
in the same order (the pipeline rounds where it must, so that they do). A difference is
named by the first record where it shows, so that a wrong variant can be found by
reading one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipebench.workloads import Workload

_SHOWN = 60  # characters of a value shown in a message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def first_difference(reference: Any, output: Any) -> str | None:
    """Where ``output`` first differs from ``reference`` (``None`` where it does not).

    Lists are of records: the message names the record's index (``record 37``); tuples
    and dicts name their part. Lengths are compared after the common prefix.
    """
    return _difference(reference, output, ())


def _difference(reference: Any, output: Any, path: tuple[str, ...]) -> str | None:
    if reference == output:
        return None
    where = " ".join(path) or "the output"
    if isinstance(reference, list | tuple) and type(reference) is type(output):
        for index, (expected, got) in enumerate(zip(reference, output)):
            if expected != got:
                part = f"record {index}" if isinstance(reference, list) else f"part {index}"
                return _difference(expected, got, (*path, part))
        return f"{where}: {len(output)} items where the reference has {len(reference)}"
    if isinstance(reference, dict) and isinstance(output, dict):
        for key in dict.fromkeys([*reference, *output]):
            if reference.get(key, _MISSING) != output.get(key, _MISSING):
                return _difference(reference.get(key, _MISSING), output.get(key, _MISSING), (*path, f"{key!s}"))
    return f"{where}: {_short(output)} where the reference has {_short(reference)}"


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()


def differences(reference: Workload, variants: Sequence[Workload]) -> dict[str, str]:
    """Each variant whose output differs from ``reference``'s, with where it first does."""
    expected = reference.output()
    out = {}
    for workload in variants:
        found = first_difference(expected, workload.output())
        if found is not None:
            out[workload.case.id] = found
    return out
