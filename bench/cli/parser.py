"""``pipebench``'s arguments: every command's options, each shared option declared once."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from pipebench.errors import UsageError
from pipebench.gate.options import FORMATS, add_gate_options
from pipebench.matrix import SUITES
from pipebench.metrics import FAMILY_NAMES
from pipebench.store import DEFAULT_RUNS_ROOT

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


def _seconds(text: str) -> float:
    """An argparse type: a time in seconds in (0, 600]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value <= 600):
        raise argparse.ArgumentTypeError(f"{text}: give a time in (0, 600]")
    return value


def _add_selection(parser: argparse.ArgumentParser) -> None:
    """The case-selection options of every command that takes cases."""
    parser.add_argument("--suite", action="append", default=[], choices=list(SUITES), help="only this suite")
    parser.add_argument(
        "-k",
        "--case",
        action="append",
        default=[],
        dest="patterns",
        metavar="PATTERN",
        help="only cases whose id contains PATTERN (or matches it whole, with * and ?); repeatable: any of them",
    )
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", dest="size", action="store_const", const="quick", help="the quick matrix (default)")
    sizes.add_argument("--full", dest="size", action="store_const", const="full", help="the full matrix")
    parser.set_defaults(size="quick")


def _add_runs_root(parser: argparse.ArgumentParser, shown: bool = True) -> None:
    help_text = "where runs are kept (%(default)s)" if shown else argparse.SUPPRESS
    parser.add_argument("--runs-root", type=Path, default=DEFAULT_RUNS_ROOT, help=help_text)


def build_parser() -> argparse.ArgumentParser:
    """Every command's parser; an error in the arguments raises :class:`~pipebench.errors.UsageError`."""
    parser = _Parser(prog=PROG, description="Benchmark and profile the pipeline's variants.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (_measuring, _reporting, _comparing, _profiling, _following):
        add(commands)
    return parser


def _measuring(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser("list", help="print the cases of the variant matrix")
    _add_selection(listing)
    listing.add_argument("--format", choices=("text", "json"), default="text")

    run = commands.add_parser("run", help="measure time (pyperf) and memory (memray) of the selected cases")
    _add_selection(run)
    run.add_argument("--no-time", dest="time", action="store_false", help="skip the timing pass")
    run.add_argument("--no-memory", dest="memory", action="store_false", help="skip the memory pass")
    run.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions and allocations per call under valgrind (deterministic; slow)",
    )
    run.add_argument(
        "--cycles",
        action="store_true",
        help="count with a simulated cache too: misses and estimated cycles per call (implies --instructions; slower)",
    )
    run.add_argument("--out", type=Path, help="write the run into this (new or empty) directory")
    _add_runs_root(run)
    run.add_argument("--flamegraph", action="append", default=[], metavar="CASE", help="write memray's flame graph")
    run.add_argument("--jobs", type=int, default=2, help="memory and counted cases at once (default: %(default)s)")
    run.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    run.add_argument("--shard", metavar="K/N", help="measure only the K-th of N parts (whole groups); see merge")
    run.add_argument(
        "--against",
        metavar="REV",
        help="A/B: also measure REV's code (a temporary worktree), its rounds interleaved with the working tree's",
    )


def _reporting(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write report.md, report.html and summary.csv for runs")
    report.add_argument("runs", nargs="*", type=Path, metavar="RUN_DIR", help="run directories (default: the latest)")
    report.add_argument("--out", type=Path, help="where to write the report (default: the last RUN_DIR)")
    report.add_argument(
        "--versus",
        metavar="VARIANT",
        help="read every suite that timed VARIANT against it instead of its reference (from the same rounds)",
    )
    _add_runs_root(report)
    exporting = commands.add_parser(
        "export",
        help="every benchmark of a run for another tool (github-action-benchmark)",
        description="Print every benchmark of RUN_DIR in github-action-benchmark's customSmallerIsBetter JSON.",
    )
    exporting.add_argument("run", nargs="?", type=Path, metavar="RUN_DIR", help="a run directory (default: the latest)")
    exporting.add_argument("--format", choices=("github-action-benchmark",), default="github-action-benchmark")
    _add_runs_root(exporting)


def _comparing(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare",
        help="the regression gate: exit 1 on a real regression",
        description="Compare CURRENT with BASE: pipebench run directories, pytest-benchmark or pyperf JSON files; "
        "or an A/B run (run --against REV) alone, its head with its base, every case's time by its own paired "
        "head/base ratio. Time of two pipebench runs is compared through paired ratios to each suite's reference. "
        "Exit codes: "
        "0 no regression, 1 regression (with --strict also a possible one, or a missing benchmark), "
        "2 bad input or runs that cannot be compared.",
    )
    compare.add_argument("base", type=Path, metavar="BASE", help="the baseline, or an A/B run alone")
    compare.add_argument("current", type=Path, nargs="?", metavar="CURRENT", help="what is compared with BASE")
    add_gate_options(compare.add_argument)
    compare.add_argument("--normalize", action="store_true", help=argparse.SUPPRESS)  # paired ratios are the default
    compare.add_argument("--format", choices=FORMATS, default="table", help="output format")
    compare.add_argument(
        "--versus",
        metavar="VARIANT",
        help="also show each side's time against VARIANT (from its own paired rounds), beside the verdicts",
    )


def _profiling(commands: argparse._SubParsersAction) -> None:
    profiling = commands.add_parser("profile", help="where the selected cases spend their time (pyinstrument)")
    _add_selection(profiling)
    profiling.add_argument("--seconds", type=_seconds, default=1.0, help="profiled time per case (%(default)s)")
    profiling.add_argument("--top", type=_positive, default=8, help="functions shown per case (%(default)s)")
    profiling.add_argument("--instructions", action="store_true", help="also callgrind's counts per function")
    profiling.add_argument("--out", type=Path, help="where the profiles go (default: results/profiles/<timestamp>)")
    _add_runs_root(profiling, shown=False)
    explaining = commands.add_parser(
        "explain",
        help="what changed between two runs' counts, function by function",
        description="For cases counted (--instructions) in both runs: the change per record of each function's "
        "own instructions, calls received and allocator calls made, largest first.",
    )
    explaining.add_argument("base", type=Path, metavar="BASE")
    explaining.add_argument("current", type=Path, metavar="CURRENT")
    explaining.add_argument("--case", action="append", default=[], metavar="ID", help="only this case; repeatable")
    explaining.add_argument("--top", type=_positive, default=10, help="functions shown per case (%(default)s)")
    explaining.add_argument("--format", choices=("text", "json"), default="text")
    explaining.add_argument(
        "--by",
        choices=("instructions", "cycles"),
        default="instructions",
        help="rank functions by own instructions or by own estimated cycles (runs with --cycles) (%(default)s)",
    )
    calibrating = commands.add_parser(
        "calibrate",
        help="fit estimated cycles' weights to a run's time, judged on pairs they were not fitted on",
        description="For a run that timed and counted with --cycles: fit the weights of L1 and LL misses so that "
        "variant/reference ratios of estimated cycles follow the paired time ratios, then show, for every pair, "
        "time, instruction and estimated-cycles ratios, the cycles ratio under weights fitted without the pair's "
        "suite (or, with --fit-on, on the pairs of those sizes only), and how many of each deterministic ratio "
        "lie within 10% of time, by suite.",
    )
    calibrating.add_argument("run", type=Path, metavar="RUN_DIR")
    calibrating.add_argument(
        "more",
        type=Path,
        nargs="*",
        metavar="MORE_RUN_DIR",
        help="more runs of the same method on this machine, timed: each pair's time is the median over all runs "
        "(counts are RUN_DIR's)",
    )
    calibrating.add_argument(
        "--fit-on", metavar="N,N", help="fit on the pairs of these record counts and judge the rest, not by suite"
    )


def _following(commands: argparse._SubParsersAction) -> None:
    bisecting = commands.add_parser("bisect", help="the first commit where one case's figure moved")
    bisecting.add_argument("--good", required=True, metavar="REV", help="a commit where the figure was right")
    bisecting.add_argument("--bad", required=True, metavar="REV", help="a later commit where it moved")
    bisecting.add_argument("--case", required=True, metavar="ID", help="the case id, whole")
    bisecting.add_argument("--metric", choices=FAMILY_NAMES, default="instructions")
    bisecting.add_argument("--threshold", default="1%", help="how far bad must be from good (%(default)s)")
    bisecting.add_argument("--repo", type=Path, default=Path.cwd(), help="the git repository (default: here)")
    merging = commands.add_parser("merge", help="join the shards of one run (run --shard K/N) into one run")
    merging.add_argument("runs", nargs="+", type=Path, metavar="SHARD_DIR")
    merging.add_argument("--out", type=Path, required=True, help="the merged run's (new or empty) directory")
    chronicle = commands.add_parser("history", help="every case's figures across runs, and where they moved")
    chronicle.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="run directories or directories of runs")
    chronicle.add_argument("--out", type=Path, help="where history.html and history.json go (default: results/history)")
    chronicle.add_argument("--format", choices=("table", "json"), default="table")
    _add_runs_root(chronicle, shown=False)
