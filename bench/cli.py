"""``pipebench``: the harness's command line.

``main(argv) -> int`` parses the arguments, calls one command function from a table and
maps :class:`~bench.errors.BenchError` to its exit code with a one-line message.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from bench.cases import Case, select
from bench.errors import BenchError, UsageError
from bench.gate.options import FORMATS, add_gate_options
from bench.history import bisection
from bench.matrix import SUITES, all_cases
from bench.metrics import FAMILIES, FAMILY_NAMES
from bench.processes import stop_all
from bench.store import DEFAULT_RUNS_ROOT
from pipeline.command_line import run_command, streams

PROG = "pipebench"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2, via main()
        raise UsageError(message)


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """The case-selection options shared by every command that takes cases."""
    parser.add_argument("--suite", action="append", default=[], choices=list(SUITES), help="only this suite")
    parser.add_argument(
        "-k",
        "--case",
        action="append",
        default=[],
        dest="patterns",
        metavar="PATTERN",
        help="only cases whose id contains PATTERN (or matches it, with * and ?); repeatable",
    )
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", dest="size", action="store_const", const="quick", help="the quick matrix (default)")
    sizes.add_argument("--full", dest="size", action="store_const", const="full", help="the full matrix")
    parser.set_defaults(size="quick")


def selected_cases(args: argparse.Namespace) -> list[Case]:
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
    cases = selected_cases(args)
    if args.format == "json":
        rows = [
            {"id": c.id, "suite": c.suite, "variant": c.variant, "params": c.param_dict, "tags": list(c.tags)}
            for c in cases
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return 0
    for suite in dict.fromkeys(case.suite for case in cases):
        out.write(f"{suite}: {SUITES[suite].description}\n")
        for case in (c for c in cases if c.suite == suite):
            tags = f"  [{', '.join(case.tags)}]" if case.tags else ""
            out.write(f"  {case.id}{tags}\n")
    out.write(f"{len(cases)} cases\n")
    return 0


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from bench.run import engine as runner  # numpy, scipy and pandas: only for a run

    cases = selected_cases(args)
    shard = None
    if args.shard is not None:
        from bench.run.shards import parse_shard, shard_of

        shard = parse_shard(args.shard)
        cases = shard_of(cases, shard)
        if not cases:
            raise UsageError(
                f"--shard {args.shard}: this shard has no group of the selection (fewer groups than shards)"
            )
    request = runner.RunRequest(
        cases=cases,
        shard=shard,
        size=args.size,
        time=args.time,
        memory=args.memory,
        out=args.out,
        runs_root=args.runs_root,
        flamegraphs=args.flamegraph,
        instructions=args.instructions,
        jobs=args.jobs,
    )
    with _progress_bar(runner.planned_steps(request), args.progress) as advance:
        outcome = runner.execute(request, advance)
    from bench.report.run_table import render_run_table  # pandas, only once there is a table to show

    out.write(render_run_table(outcome.results))
    for path in outcome.flamegraphs:
        out.write(f"\nflame graph: {path}")
    out.write(f"\nrun: {outcome.run_dir}\n")
    return 0


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A tqdm bar on stderr showing the step being measured and the time left."""
    from tqdm import tqdm

    bar = tqdm(total=total, disable=not enabled, unit="step", dynamic_ncols=True, file=sys.stderr)

    def advance(label: str) -> None:
        bar.set_postfix_str(label, refresh=False)
        bar.update(1)

    try:
        yield advance
    finally:
        bar.close()


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from bench import frames, store
    from bench.report import document as report

    run_dirs = args.runs or [store.latest_run(args.runs_root)]
    from bench.explain.changes import profiles_of, where_work_goes

    runs = [store.load_run(path) for path in run_dirs]
    work = {case: where_work_goes(profile) for case, profile in profiles_of(run_dirs[-1], runs[-1]).items()}
    built = report.build(frames.to_frame(runs), frames.suite_descriptions(runs), work)
    target = store.output_dir(args.out or run_dirs[-1])
    files: dict[str, str | bytes] = {image.name: image.png for section in built.sections for image in section.images}
    files.update(
        {
            "report.md": report.to_markdown(built),
            "report.html": report.to_html(built),
            "summary.csv": report.to_csv(built),
        }
    )
    store.write_files(target, files)
    out.write(f"report: {target / 'report.html'}\n")
    return 0


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from bench.gate.inputs import load_gate_input
    from bench.gate.options import check_comparable, thresholds_from
    from bench.gate.render import RENDERERS
    from bench.gate.verdicts import compare_sides

    families = tuple(dict.fromkeys(args.metric)) or FAMILY_NAMES
    thresholds = thresholds_from(args.fail_on)
    base, current = load_gate_input(args.base), load_gate_input(args.current)
    check_comparable(base, current, families)
    outcome = compare_sides(base, current, thresholds, absolute_time=args.absolute_time, families=families)
    out.write(RENDERERS[args.format](outcome, args.strict))
    if args.format == "table":
        out.write(_where_counts_moved(args.base, args.current, outcome))
    return 1 if outcome.failed(args.strict) else 0


def _where_counts_moved(base: Path, current: Path, outcome) -> str:
    """Under a table with count regressions: the top functions each came from, when both runs kept profiles."""
    from bench.explain import changes as explain

    moved = list(dict.fromkeys(c.id for c in outcome.regressions if FAMILIES[c.family].counted))
    if not moved:
        return ""
    try:
        explanations = explain.explain(base, current, moved)
    except BenchError:
        return ""  # not two runs with profiles: the table is all there is
    return "\nwhere the counts moved (pipebench explain):\n" + explain.render(explanations, top=3)


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from bench import store
    from bench.report import export

    out.write(export.render(store.load_run(args.run or store.latest_run(args.runs_root))))
    return 0


def _profile(args: argparse.Namespace, out: TextIO) -> int:
    from datetime import UTC, datetime

    from bench import store
    from bench.profile import runner as profiling

    if args.seconds <= 0 or args.seconds > 600:
        raise UsageError(f"--seconds {args.seconds}: give a time in (0, 600]")
    if importlib.util.find_spec("pyinstrument") is None:
        raise UsageError("pyinstrument is not installed: pip install pyinstrument (or reinstall pipebench)")
    cases = selected_cases(args)
    if args.instructions:
        from bench.counts import runner as counts

        counts.valgrind_version()
        counts.compile_sources()
    stamp = store.stamp(datetime.now(UTC))
    root = store.output_dir(args.out or args.runs_root.parent / "profiles" / stamp)
    directory = store.output_dir(root / profiling.PROFILE_DIR)
    for case in cases:
        summary = profiling.profile_case(case, args.size, directory, args.seconds)
        out.write(profiling.render(summary, directory, args.top) + "\n")
        if args.instructions:
            out.write(profiling.counted_functions(case, args.size, directory, args.top) + "\n")
    return 0


def _history(args: argparse.Namespace, out: TextIO) -> int:
    from bench import store
    from bench.history import series as history

    places = args.paths or [args.runs_root]
    missing = next((path for path in args.paths if not Path(path).exists()), None)
    if missing is not None:
        raise UsageError(f"{missing}: no such file or directory")
    directories = [run for path in places for run in store.runs_in(path)]
    if len(directories) < 2:
        where = ", ".join(map(str, places))
        raise UsageError(f"history needs at least two complete runs; found {len(directories)} in {where}")
    runs = history.ordered([store.load_run(path) for path in directories], history.commit_order())
    series = history.build_series(runs)
    steps = history.all_steps(series)
    target = store.output_dir(args.out or args.runs_root.parent / "history")
    document = json.dumps(history.as_json(steps), indent=2) + "\n"
    store.write_files(target, {"history.json": document, "history.html": history.render_html(steps, series, len(runs))})
    if args.format == "json":
        out.write(document)
    else:
        out.write(history.render_table(steps, len(runs), len(series)) + f"history: {target / 'history.html'}\n")
    return 0


def _bisect(args: argparse.Namespace, out: TextIO) -> int:
    from bench.gate.options import parse_percent

    threshold = parse_percent(args.threshold, "--threshold")
    out.write(bisection.run(args.repo, args.good, args.bad, args.case, args.metric, threshold))
    return 0


def _merge(args: argparse.Namespace, out: TextIO) -> int:
    from bench.run import shards

    out.write(f"run: {shards.merge(args.runs, args.out)}\n")
    return 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from bench.explain import changes as explain

    explanations = explain.explain(args.base, args.current, args.case)
    if args.format == "json":
        out.write(json.dumps([asdict(item) for item in explanations], indent=2) + "\n")
    else:
        out.write(explain.render(explanations, args.top))
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Benchmark and profile the pipeline's variants.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="print the cases of the variant matrix")
    add_selection_options(listing)
    listing.add_argument("--format", choices=("text", "json"), default="text")
    _add_run_command(commands)
    _add_report_commands(commands)
    _add_compare_command(commands)
    _add_profile_commands(commands)
    _add_history_commands(commands)
    return parser


def _add_profile_commands(commands: argparse._SubParsersAction) -> None:
    profiling = commands.add_parser(
        "profile",
        help="where the selected cases spend their time (pyinstrument; HTML and speedscope files kept)",
    )
    add_selection_options(profiling)
    profiling.add_argument("--seconds", type=float, default=1.0, help="profiled time per case (default: %(default)s)")
    profiling.add_argument("--top", type=_positive, default=8, help="functions shown per case (default: %(default)s)")
    profiling.add_argument(
        "--instructions", action="store_true", help="also the C-level view: callgrind's counts per function"
    )
    profiling.add_argument("--out", type=Path, help="where the profiles go (default: results/profiles/<timestamp>)")
    profiling.add_argument("--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help=argparse.SUPPRESS)
    explaining = commands.add_parser(
        "explain",
        help="what changed between two runs' counts, function by function",
        description="For cases counted (--instructions) in both runs: the change per record of each function's "
        "own instructions, calls received and allocator calls made, largest first.",
    )
    explaining.add_argument("base", type=Path, metavar="BASE")
    explaining.add_argument("current", type=Path, metavar="CURRENT")
    explaining.add_argument("--case", action="append", default=[], metavar="ID", help="only this case; repeatable")
    explaining.add_argument("--top", type=_positive, default=10, help="functions shown per case (default: %(default)s)")
    explaining.add_argument("--format", choices=("text", "json"), default="text")


def _add_history_commands(commands: argparse._SubParsersAction) -> None:
    bisecting = commands.add_parser(
        "bisect",
        help="the first commit where one case's figure moved (each probe in a temporary worktree)",
    )
    bisecting.add_argument("--good", required=True, metavar="REV", help="a commit where the figure was right")
    bisecting.add_argument("--bad", required=True, metavar="REV", help="a later commit where it moved")
    bisecting.add_argument("--case", required=True, metavar="ID", help="the case id, whole")
    bisecting.add_argument("--metric", choices=FAMILY_NAMES, default="instructions")
    bisecting.add_argument("--threshold", default="1%", help="how far bad must be from good (default: %(default)s)")
    bisecting.add_argument("--repo", type=Path, default=Path.cwd(), help="the git repository (default: here)")
    merging = commands.add_parser("merge", help="join the shards of one run (run --shard K/N) into one run")
    merging.add_argument("runs", nargs="+", type=Path, metavar="SHARD_DIR")
    merging.add_argument("--out", type=Path, required=True, help="the merged run's (new or empty) directory")
    chronicle = commands.add_parser(
        "history",
        help="every case's figures across runs in commit order, and the commits where they moved",
    )
    chronicle.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="run directories or directories of runs")
    chronicle.add_argument("--out", type=Path, help="where history.html and history.json go (default: results/history)")
    chronicle.add_argument("--format", choices=("table", "json"), default="table")
    chronicle.add_argument("--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help=argparse.SUPPRESS)


def _add_run_command(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="measure time (pyperf) and memory (memray) of the selected cases")
    add_selection_options(run)
    run.add_argument("--no-time", dest="time", action="store_false", help="skip the timing pass")
    run.add_argument("--no-memory", dest="memory", action="store_false", help="skip the memory pass")
    run.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions and allocations per call under valgrind (deterministic; slow)",
    )
    run.add_argument("--out", type=Path, help="write the run into this (new or empty) directory")
    run.add_argument("--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help="where runs go by default (%(default)s)")
    run.add_argument(
        "--flamegraph", action="append", default=[], metavar="CASE", help="write memray's flame graph of CASE"
    )
    run.add_argument(
        "--jobs", type=int, default=2, help="memory and counted cases measured at once (default: %(default)s)"
    )
    run.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    run.add_argument("--shard", metavar="K/N", help="measure only the K-th of N parts (whole groups); see merge")


def _add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write report.md, report.html and summary.csv for runs")
    report.add_argument("runs", nargs="*", type=Path, metavar="RUN_DIR", help="run directories (default: the latest)")
    report.add_argument("--out", type=Path, help="where to write the report (default: the last RUN_DIR)")
    report.add_argument(
        "--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help="where to look for the latest run (%(default)s)"
    )

    exporting = commands.add_parser(
        "export",
        help="every benchmark of a run for another tool (github-action-benchmark)",
        description="Print every benchmark of RUN_DIR in github-action-benchmark's customSmallerIsBetter JSON.",
    )
    exporting.add_argument("run", nargs="?", type=Path, metavar="RUN_DIR", help="a run directory (default: the latest)")
    exporting.add_argument("--format", choices=("github-action-benchmark",), default="github-action-benchmark")
    exporting.add_argument(
        "--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help="where to look for the latest run (%(default)s)"
    )


def _add_compare_command(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare",
        help="the regression gate: exit 1 on a real regression",
        description="Compare CURRENT with BASE: pipebench run directories, pytest-benchmark or pyperf JSON files. "
        "Time of two pipebench runs is compared through paired ratios to each suite's reference. "
        "Exit codes: 0 no regression, 1 regression (with --strict also a possible one, or a missing benchmark), "
        "2 bad input or runs that cannot be compared.",
    )
    compare.add_argument("base", type=Path, metavar="BASE")
    compare.add_argument("current", type=Path, metavar="CURRENT")
    add_gate_options(compare.add_argument)
    # Paired ratios became the default time basis; the old switch is still accepted.
    compare.add_argument("--normalize", action="store_true", help=argparse.SUPPRESS)
    compare.add_argument("--format", choices=FORMATS, default="table", help="output format")


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "list": _list,
    "run": _run,
    "report": _report,
    "compare": _compare,
    "export": _export,
    "explain": _explain,
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
            args = _build_parser().parse_args(argv)
            return _COMMANDS[args.command](args, out)
        except BenchError as error:
            err.write(f"{PROG}: error: {error}\n")
            return error.exit_code

    return run_command(PROG, body, out, err, on_stop=stop_all)
