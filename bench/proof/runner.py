"""The proof pass of a run: before anything is measured, every variant is proven to compute what its reference does.

Each comparison group is built in a fresh worker process (:mod:`pipebench.proof.worker`)
exactly as the instruments build it, so the proof is on the very input they measure,
at every size the run measures. A variant that differs stops the run before a figure
is written: a figure of wrong code would read as a speed-up.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pipebench.cases import Case
from pipebench.errors import UsageError
from pipebench.matrix import largest_first
from pipebench.processes import HEAD, Code, parallel, run_module

Progress = Callable[[str], None]


class NotEqualError(UsageError):
    """A variant's output is not its reference's: nothing of the run is measured."""


def prove_group(group: Sequence[Case], size: str, scratch: Path, code: Code = HEAD) -> dict[str, str]:
    """The differing variants of one group (its reference first), with where each first differs.

    Raises:
        pipebench.errors.BenchError: the worker failed (the variant could not be built or run).
    """
    output = Path(scratch) / f"proof-{abs(hash(group[0].group))}.json"
    arguments = [size, str(output), *(case.id for case in group)]
    run_module("pipebench.proof.worker", arguments, f"proof of {group[0].group}", code=code)
    try:
        return json.loads(output.read_text(encoding="utf-8"))
    finally:
        output.unlink(missing_ok=True)


def prove(
    groups: Sequence[Sequence[Case]],
    size: str,
    jobs: int = 2,
    progress: Progress | None = None,
    code: Code = HEAD,
    side: str = "",
) -> None:
    """Prove every group, ``jobs`` at a time.

    Raises:
        NotEqualError: a variant differs from its reference; the message names the first
            such case and where its output first differs.
    """
    with tempfile.TemporaryDirectory(prefix="pipebench-proof-") as scratch:

        def one(group: Sequence[Case]) -> dict[str, str]:
            found = prove_group(group, size, Path(scratch), code)
            if progress is not None:
                progress(f"prove {group[0].group}")
            return found

        ordered = largest_first(groups)
        for group, found in zip(ordered, parallel(one, ordered, jobs)):
            if found:
                case_id = next(case.id for case in group if case.id in found)
                raise NotEqualError(
                    f"{case_id}{side}: its output differs from its reference {group[0].variant!r}'s, {found[case_id]}; "
                    "nothing was measured"
                )
