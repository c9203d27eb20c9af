"""``python -m pipebench_pipeline``: run the pipeline, or print its stage manifest.

``main(argv) -> int`` parses, calls the library and maps its errors to exit codes: 0 on
success, 2 on bad input (a one-line message on stderr, never a traceback), 1 when a run
fails for another reason the library reports.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TextIO

from .assembly import PipelineConfig, RunSummary, run_pipeline
from .command_line import run_command, streams
from .errors import ConfigError, PipelineError
from .pipelines import PIPELINES
from .registry import manifest, render_manifest
from .sinks import ConsoleSink, JsonLinesSink
from .structured_log import StructuredLogger

_DEFAULTS = PipelineConfig()  # the defaults of run's options are the configuration's own

PROG = "python -m pipebench_pipeline"


class UsageError(Exception):
    """The command line itself is wrong (unknown option, unparsable value)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we raise instead
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The reference stream-processing pipeline.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="generate, filter, normalize and output records")
    run.add_argument(
        "--records", type=int, default=_DEFAULTS.records, help="records to generate (default: %(default)s)"
    )
    run.add_argument("--seed", type=int, default=_DEFAULTS.seed, help="random seed (default: %(default)s)")
    run.add_argument(
        "--window", type=int, default=_DEFAULTS.window, help="normalizer window size (default: %(default)s)"
    )
    run.add_argument(
        "--anomaly-rate", type=float, default=_DEFAULTS.anomaly_rate, help="share of out-of-range readings, in [0, 1]"
    )
    run.add_argument("--low", type=float, default=_DEFAULTS.low, help="lowest value kept (default: %(default)s)")
    run.add_argument("--high", type=float, default=_DEFAULTS.high, help="highest value kept (default: %(default)s)")
    run.add_argument("--limit", type=int, default=5, help="records shown in text mode (default: %(default)s)")
    run.add_argument(
        "--pipeline",
        choices=list(PIPELINES),
        default=_DEFAULTS.pipeline,
        help="end-to-end variant; every one prints the same records (default: %(default)s)",
    )
    run.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default="text",
        help="text: the seed's report; jsonl: every record on stdout, the summary on stderr",
    )
    commands.add_parser("manifest", help="describe every registered stage")
    return parser


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.limit < 0:
        raise ConfigError(f"limit must be >= 0, got {args.limit}")
    config = PipelineConfig(
        records=args.records,
        seed=args.seed,
        window=args.window,
        anomaly_rate=args.anomaly_rate,
        low=args.low,
        high=args.high,
        pipeline=args.pipeline,
    )
    logger = StructuredLogger("Pipeline", err)
    if args.format == "jsonl":
        run_pipeline(config, JsonLinesSink(out), logger=logger)
        return 0
    out.write("=" * 60 + "\nPLUGGABLE ANALYTICS ENGINE — FINAL ASSEMBLY\n" + "=" * 60 + "\n")
    summary = run_pipeline(config, ConsoleSink(args.limit, out), logger=logger, trace_memory=True)
    _write_summary(summary, out)
    return 0


def _write_summary(summary: RunSummary, out: TextIO) -> None:
    for stage in summary.stages:
        out.write(
            f"[{stage.stage}] {stage.records} records, {stage.seconds * 1000:.1f} ms own time, "
            f"{stage.records_per_second:,.0f} records/s\n"
        )
    out.write(
        f"\nRecords: generated {summary.generated}, passed {summary.passed}, "
        f"filtered {summary.filtered}, rejected {summary.rejected}, consumed {summary.consumed}\n"
        f"Pipeline: {summary.pipeline}\n"
        f"Elapsed: {summary.elapsed_seconds * 1000:.1f} ms\n"
        f"Peak memory: {summary.peak_memory_bytes / 1024:.1f} KB\n"
        f"Registered stages: {', '.join(summary.registered)}\n"
    )


def _manifest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    out.write(render_manifest(manifest()))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "run": _run,
    "manifest": _manifest,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit code (130 on Ctrl-C, 143 on SIGTERM)."""
    out, err = streams(out, err)

    def body() -> int:
        try:
            args = _build_parser().parse_args(argv)
            return _COMMANDS[args.command](args, out, err)
        except (UsageError, ConfigError) as error:
            err.write(f"{PROG}: error: {error}\n")
            return 2
        except PipelineError as error:
            err.write(f"{PROG}: {error}\n")
            return 1

    return run_command(PROG, body, out, err)
