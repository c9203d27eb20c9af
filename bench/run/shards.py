"""Sharding a run across machines, and merging the shards back into one run.

``pipebench run --shard K/N`` measures the K-th of N parts of the selection. Parts are made
of whole comparison groups (the variants of one suite at one parameter set, reference
included), dealt round-robin in matrix order, so a paired ratio is always measured on one
machine and every part gets a similar mix of small and large groups. ``pipebench merge``
joins the shards of one commit and method into one run: results, pyperf's benchmarks and
the tools' files; each group keeps the name of the machine that measured it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyperf

from pipebench import store
from pipebench.cases import Case
from pipebench.errors import UsageError
from pipebench.metrics import METRICS
from pipebench.results import RunResults

_SHARD = re.compile(r"^(\d+)/(\d+)$")
# Metadata that must agree across the shards of one run.
_SAME = ("commit", "dirty", "patch", "size", "method", "python", "python_build", "counts", "tools")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` as ``(K, N)``, 1 <= K <= N.

    Raises:
        UsageError: anything else.
    """
    match = _SHARD.match(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text!r}: give K/N with 1 <= K <= N, for example 2/3")
    return int(match.group(1)), int(match.group(2))


def shard_of(cases: Sequence[Case], shard: tuple[int, int]) -> list[Case]:
    """The cases of whole groups dealt to shard K of N (round-robin over groups in matrix order).

    Raises:
        UsageError: the shard gets no group (fewer groups than shards).
    """
    index, count = shard[0], shard[1]
    groups = list(dict.fromkeys(case.group for case in cases))
    mine = {group for position, group in enumerate(groups) if position % count == index - 1}
    if not mine:
        raise UsageError(
            f"--shard {index}/{count}: this shard has no group of the selection (fewer groups than shards)"
        )
    return [case for case in cases if case.group in mine]


def selection_digest(cases: Sequence[Case]) -> str:
    """A short digest of a whole selection's case ids: every shard of one run carries the same one."""
    return hashlib.sha256("\n".join(sorted(case.id for case in cases)).encode()).hexdigest()[:12]


def merge(run_dirs: Sequence[Path], out: Path) -> Path:
    """Merge shards into a new run directory ``out``; return it.

    Raises:
        UsageError: shards of different commits, methods or sizes; a case in two shards; a
            shard missing, or one measured without ``--shard``.
        pipebench.errors.InputError: a directory that is not a finished run.
    """
    runs = [store.load_run(path) for path in run_dirs]
    shards = [_shard_metadata(run) for run in runs]
    total = shards[0]["count"]
    indexes = sorted(shard["index"] for shard in shards)
    if any(shard["count"] != total for shard in shards) or indexes != list(range(1, total + 1)):
        raise UsageError(
            f"merge needs shards 1/{total} to {total}/{total} once each; got {', '.join(map(str, indexes))}"
        )
    for key in _SAME:
        values = {json.dumps(run.metadata.get(key), sort_keys=True) for run in runs}
        if len(values) > 1:
            raise UsageError(f"the shards differ in {key}: they are not parts of one run")
    if len({json.dumps(shard.get("selection")) for shard in shards}) > 1:
        raise UsageError("the shards were cut from different selections (--suite / -k): they are not parts of one run")
    for path, run in zip(run_dirs, runs):
        timed = any(METRICS[row.metric].tool == "pyperf" for row in run.rows)
        if timed and not (_run_dir(path) / store.PYPERF_FILE).is_file():
            raise UsageError(f"{path}: a timed shard without its {store.PYPERF_FILE}: its raw values would be lost")
    _check_out(run_dirs, out)
    suites = _pyperf_suites(run_dirs, runs)
    seen: dict[str, str] = {}
    for run in runs:
        for case_id in dict.fromkeys(row.case_id for row in run.rows):
            if case_id in seen:
                raise UsageError(f"{case_id} is in two shards ({seen[case_id]} and {run.run_id})")
            seen[case_id] = run.run_id
    rows = tuple(row for run in runs for row in run.rows)
    metadata = dict(runs[0].metadata)
    metadata.pop("shard", None)
    metadata["merged_from"] = [{"run": run.run_id, "machine": run.metadata.get("machine")} for run in runs]
    metadata["machines"] = {row.group: run.metadata.get("machine") for run in runs for row in run.rows}
    metadata["suites"] = {name: d for run in runs for name, d in (run.metadata.get("suites") or {}).items()}
    metadata["executed"] = {case: paths for run in runs for case, paths in (run.metadata.get("executed") or {}).items()}
    _check_tool_files(run_dirs)
    merged = store.RunWriter(out, f"{runs[0].run_id}-merged", metadata)
    _merge_files(run_dirs, suites, merged)
    merged.finish(rows)
    return merged.run_dir


def _shard_metadata(run: RunResults) -> dict[str, Any]:
    shard = run.metadata.get("shard")
    if not isinstance(shard, dict) or not {"index", "count"} <= set(shard):
        raise UsageError(f"{run.run_id}: not a shard (measured without --shard)")
    return shard


def _check_out(run_dirs: Sequence[Path], out: Path) -> None:
    """Refuse an ``out`` inside a shard: the merged run would be written into one of its inputs.

    Raises:
        UsageError: it is a shard or inside one.
    """
    target = Path(out).resolve()
    for path in run_dirs:
        shard = _run_dir(path).resolve()
        if target == shard or shard in target.parents:
            raise UsageError(f"--out {out}: inside the shard {path}; merge writes a new directory beside its shards")


def _pyperf_suites(run_dirs: Sequence[Path], runs: Sequence[RunResults]) -> list[pyperf.BenchmarkSuite]:
    """Each shard's pyperf suite, read and checked before anything is written.

    Raises:
        UsageError: a ``pyperf.json`` that pyperf cannot read, one holding a benchmark its
            shard did not time or lacking one it did, or a benchmark in two shards' files.
    """
    suites, owner = [], {}
    for path, run in zip(run_dirs, runs):
        file = _run_dir(path) / store.PYPERF_FILE
        if not file.is_file():
            continue
        try:
            suite = pyperf.BenchmarkSuite.load(str(file))
            names = [benchmark.get_name() for benchmark in suite]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
            raise UsageError(f"{file}: not a pyperf suite pyperf can read ({reason})") from None
        timed = {row.case_id for row in run.rows if METRICS[row.metric].tool == "pyperf"}
        for name in names:
            if name not in timed:
                raise UsageError(f"{file}: holds {name}, which its shard did not time")
            if name in owner:
                raise UsageError(f"{name} is in the {store.PYPERF_FILE} of two shards ({owner[name]} and {path})")
            owner[name] = path
        lacking = sorted(timed - set(names))
        if lacking:
            raise UsageError(f"{file}: lacks {lacking[0]}, which its shard timed: its raw values would be lost")
        suites.append(suite)
    return suites


def _check_tool_files(run_dirs: Sequence[Path]) -> None:
    """Refuse, before writing anything, a tool file that is a link or not a file, and one file name in two shards.

    Raises:
        UsageError: such a file.
    """
    seen: dict[tuple[str, str], Path] = {}
    for path in run_dirs:
        for tool in (store.MEMRAY_DIR, store.CALLGRIND_DIR):
            source = _run_dir(path) / tool
            if source.is_symlink():
                raise UsageError(f"{source}: a link; merge copies only the tools' own files")
            if not source.is_dir():
                continue
            for file in source.iterdir():
                # Only the tools' own files: a link could carry any file of this machine into the run.
                if file.is_symlink() or not file.is_file():
                    raise UsageError(f"{file}: not a regular file; merge copies only the tools' own files")
                if (tool, file.name) in seen:
                    raise UsageError(f"{tool}/{file.name} is in two shards ({seen[(tool, file.name)]} and {path})")
                seen[(tool, file.name)] = path


def _merge_files(run_dirs: Sequence[Path], suites: Sequence[pyperf.BenchmarkSuite], merged: store.RunWriter) -> None:
    """Copy the shards' tool files (checked by :func:`_check_tool_files`) and join their pyperf suites."""
    for path in run_dirs:
        for tool in (store.MEMRAY_DIR, store.CALLGRIND_DIR):
            source = _run_dir(path) / tool
            if source.is_dir():
                target = merged.tool_dir(tool)
                for file in source.iterdir():
                    shutil.copyfile(file, target / file.name)
    if suites:
        joined = suites[0]
        for suite in suites[1:]:
            for benchmark in suite:
                joined.add_benchmark(benchmark)
        merged.write_pyperf(joined)


def _run_dir(path: Path) -> Path:
    """A shard named by its directory or by its ``results.json``."""
    path = Path(path)
    return path.parent if path.name == store.RESULTS_FILE else path
