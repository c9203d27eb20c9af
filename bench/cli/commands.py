"""``pipebench``'s commands, and ``main``.

``main(argv) -> int`` parses the arguments (:mod:`pipebench.cli.parser`), calls one command
from a table and maps :class:`~pipebench.errors.BenchError` to its exit code with a one-line
message. A command calls the module that does the work and prints what it returns; heavy
modules are imported inside it, so ``pipebench --help`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from pipebench.cases import Case, select
from pipebench.cli.parser import PROG, build_parser
from pipebench.errors import BenchError, UsageError
from pipebench.matrix import SUITES, all_cases
from pipebench.metrics import FAMILIES, FAMILY_NAMES
from pipebench.processes import stop_all
from pipebench_pipeline.command_line import run_command, streams


def _selected_cases(args: argparse.Namespace) -> list[Case]:
    """The cases the selection options pick.

    Raises:
        UsageError: nothing matches.
    """
    cases = select(all_cases(args.size, args.suite), args.patterns)
    if not cases:
        wanted = ", ".join(args.patterns) or "(any)"
        raise UsageError(f"no case matches {wanted} in suites {', '.join(args.suite or SUITES)}")
    return cases


def _list(args: argparse.Namespace, out: TextIO) -> int:
    cases = _selected_cases(args)
    if args.format == "json":
        rows = [
            {"id": c.id, "suite": c.suite, "variant": c.variant, "params": c.param_dict, "tags": list(c.tags)}
            for c in cases
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0
    for suite in dict.fromkeys(case.suite for case in cases):
        out.write(f"{suite}: {SUITES[suite].description}\n")
        for case in (c for c in cases if c.suite == suite):
            out.write(f"  {case.id}" + (f"  [{', '.join(case.tags)}]" if case.tags else "") + "\n")
    out.write(f"{len(cases)} cases\n")
    return 0


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench.report.run_table import render_run_table
    from pipebench.run import engine, shards

    cases = _selected_cases(args)
    shard = shards.parse_shard(args.shard) if args.shard is not None else None
    request = engine.RunRequest(
        cases=shards.shard_of(cases, shard) if shard else cases,
        selection=shards.selection_digest(cases) if shard else None,
        shard=shard,
        size=args.size,
        time=args.time,
        memory=args.memory,
        out=args.out,
        runs_root=args.runs_root,
        flamegraphs=args.flamegraph,
        instructions=args.instructions,
        cycles=args.cycles,
        jobs=args.jobs,
        against=args.against,
    )
    with _progress_bar(engine.planned_steps(request), args.progress) as advance:
        outcome = engine.execute(request, advance)
    out.write(render_run_table(outcome.results))
    out.write("".join(f"\nnote: {note}" for note in outcome.notes))
    out.write("".join(f"\nflame graph: {path}" for path in outcome.flamegraphs) + f"\nrun: {outcome.run_dir}\n")
    return 0


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A tqdm bar on stderr showing the step being measured and the time left.

    Drawn from the first second on: input refused before anything is measured (a revision
    that does not exist, a run directory that does) leaves its one error line alone.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, disable=not enabled, unit="step", dynamic_ncols=True, file=sys.stderr, delay=1.0)

    def advance(label: str) -> None:
        bar.set_postfix_str(label, refresh=False)
        bar.update(1)

    try:
        yield advance
    finally:
        bar.close()


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench import store
    from pipebench.report.writer import write_report

    runs = [store.open_run(path) for path in args.runs or [store.latest_run(args.runs_root)]]
    out.write(f"report: {write_report(runs, args.out or runs[-1].directory, args.versus)}\n")
    return 0


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench.gate.inputs import load_ab, load_gate_input
    from pipebench.gate.options import check_comparable, thresholds_from
    from pipebench.gate.render import RENDERERS
    from pipebench.gate.verdicts import compare_sides

    families = tuple(dict.fromkeys(args.metric)) or FAMILY_NAMES
    thresholds = thresholds_from(args.fail_on)
    if args.versus is not None and args.format == "github-action-benchmark":
        raise UsageError("--versus and --format github-action-benchmark: that format is one list of benchmarks")
    if args.current is None:
        base, current = load_ab(args.base)
    else:
        base, current = load_gate_input(args.base), load_gate_input(args.current)
    check_comparable(base, current, families)
    outcome = compare_sides(base, current, thresholds, absolute_time=args.absolute_time, families=families)
    out.write(_with_versus(RENDERERS[args.format](outcome, args.strict), base, current, args))
    moved = list(dict.fromkeys(c.id for c in outcome.regressions if FAMILIES[c.family].counted))
    if args.format == "table" and moved and base.run and current.run:
        from pipebench.explain import changes, render

        try:
            explanations = changes.explain(base.run, current.run, moved)
            out.write("\nwhere the counts moved (pipebench explain):\n" + render.render(explanations, top=3))
        except BenchError:
            pass  # a run without profiles: the table is all there is
    return 1 if outcome.failed(args.strict) else 0


def _with_versus(rendered: str, base, current, args: argparse.Namespace) -> str:
    """The gate's output, with ``--versus``'s standings before it (inside it, for JSON)."""
    if args.versus is None:
        return rendered
    import json

    from pipebench.gate import versus

    found = versus.standings(base, current, args.versus)
    if args.format == "json":
        return json.dumps({**json.loads(rendered), "versus": versus.as_data(found, args.versus)}, indent=2) + "\n"
    if args.format == "md":
        return versus.render_markdown(found, args.versus) + rendered
    return versus.render_table(found, args.versus) + rendered


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench import store
    from pipebench.report import export

    out.write(export.render(store.load_run(args.run or store.latest_run(args.runs_root))))
    return 0


def _profile(args: argparse.Namespace, out: TextIO) -> int:
    from datetime import UTC, datetime

    from pipebench import store
    from pipebench.profile.runner import profile_cases

    root = args.out or args.runs_root.parent / "profiles" / store.stamp(datetime.now(UTC))
    summaries = profile_cases(
        _selected_cases(args), args.size, root, seconds=args.seconds, top=args.top, instructions=args.instructions
    )
    for summary in summaries:
        out.write(summary + "\n")
    return 0


def _history(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench import store
    from pipebench.history import render, series

    places = args.paths or [args.runs_root]
    unreadable = next(filter(None, map(store.missing, args.paths)), None)
    if unreadable is not None:
        raise UsageError(unreadable)
    directories = [run for path in places for run in store.runs_in(path)]
    unfinished = sum(len(store.incomplete_in(path)) for path in places)
    history = series.history_of(store.load_run(path) for path in directories)
    if len(history.runs) < 2:
        strange = next(filter(None, map(store.foreign, places)), None) if not directories else None
        if strange is not None:
            raise UsageError(strange)
        where = ", ".join(map(str, places))
        raise UsageError(
            f"history needs at least two complete runs of committed code; found {len(history.runs)} in {where}"
        )
    target = store.output_dir(args.out or args.runs_root.parent / "history")
    document = render.write(history, target)
    if args.format == "json":
        out.write(document)
    else:
        table = render.render_table(history.steps, len(history.runs), len(history.series))
        skipped = [f"{unfinished} incomplete run(s) left out (interrupted or still running)"] if unfinished else []
        out.write("".join(f"note: {note}\n" for note in [*history.notes, *skipped]))
        out.write(table + f"history: {target / 'history.html'}\n")
    return 0


def _bisect(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench.gate.options import parse_percent
    from pipebench.history import bisection

    threshold = parse_percent(args.threshold, "--threshold")
    out.write(bisection.run(args.repo, args.good, args.bad, args.case, args.metric, threshold))
    return 0


def _merge(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench.run import shards

    out.write(f"run: {shards.merge(args.runs, args.out)}\n")
    return 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench import store
    from pipebench.explain import changes, render

    explanations = changes.explain(store.open_run(args.base), store.open_run(args.current), args.case, args.by)
    if args.format == "json":
        out.write(json.dumps([asdict(item) for item in explanations], indent=2) + "\n")
    else:
        out.write(render.render(explanations, args.top))
    return 0


def _calibrate(args: argparse.Namespace, out: TextIO) -> int:
    from pipebench import store
    from pipebench.counts import calibration

    sizes = None
    if args.fit_on is not None:
        try:
            sizes = [int(part) for part in args.fit_on.split(",")]
        except ValueError:
            raise UsageError(f"--fit-on {args.fit_on}: record counts separated by commas, such as 1000,10000") from None
    run = store.load_run(args.run)
    more = [_timed_like(run, args.run, path) for path in args.more]
    seen = {run.run_id: args.run}
    for path, other in zip(args.more, more, strict=True):
        if other.run_id in seen:
            raise UsageError(f"{path} and {seen[other.run_id]} are the same run ({other.run_id})")
        seen[other.run_id] = path
    try:
        every = calibration.pairs(run.rows, run.metadata.get("suites"))
    except ValueError as error:
        raise UsageError(f"{args.run}: {error}") from None
    every = calibration.repeated(every, [calibration.time_ratios(other.rows) for other in more])
    try:
        overall = calibration.fit(every)
        judged = calibration.by_suite(every) if sizes is None else calibration.by_size(every, sizes)
    except ValueError as error:
        raise UsageError(f"{args.run}: {error}") from None
    judgements = calibration.judge(judged, key=calibration.family)
    out.write(calibration.render(overall, judged, judgements, runs=1 + len(more)))
    return 0


def _timed_like(first: Any, first_path: Path, path: Path) -> Any:
    """Another run whose time ratios may join ``first``'s: measured by the same method, on a CPU of the same name.

    Raises:
        UsageError: it was not, in one line naming what differs.
    """
    from pipebench import store

    other = store.load_run(path)
    for what, read in (
        ("method version", lambda run: (run.metadata.get("method") or {}).get("version")),
        ("CPU", lambda run: run.metadata.get("cpu_model")),
    ):
        if read(other) != read(first):
            raise UsageError(
                f"{path}: its {what} is {read(other)!r}, {first_path}'s {read(first)!r}: "
                "time ratios of different methods or machines are not one measurement repeated"
            )
    return other


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "list": _list,
    "run": _run,
    "report": _report,
    "compare": _compare,
    "export": _export,
    "explain": _explain,
    "calibrate": _calibrate,
    "profile": _profile,
    "history": _history,
    "merge": _merge,
    "bisect": _bisect,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``pipebench``; return the exit code.

    Ctrl-C and SIGTERM stop every worker and leave an unfinished run marked incomplete
    (exit codes 130 and 143). Output that cannot be written ends the command quietly
    when the reader went away, and with one line otherwise.
    """
    out, err = streams(out, err)

    def body() -> int:
        try:
            args = build_parser().parse_args(argv)
            return _COMMANDS[args.command](args, out)
        except BenchError as error:
            err.write(f"{PROG}: error: {error}\n")
            return error.exit_code

    return run_command(PROG, body, out, err, on_stop=stop_all)
