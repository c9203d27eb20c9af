"""Comparison, scaling and findings: the report's numbers, computed from the tidy frame.

Functions here take the DataFrame of :func:`pipebench.frames.to_frame` and the suites'
descriptions the runs stored (:func:`pipebench.frames.suite_descriptions`: each suite's axes,
the axes its scaling is fit against, the finding it wants), and return DataFrames or
sentences; they read no files, draw nothing and know no suite by name. A verdict follows
from the ratio's confidence interval, never from its point estimate alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipebench.counts.cycles import AGREEMENT, VECTORIZED, agrees
from pipebench.formatting import code_span, format_interval, markdown_text
from pipebench.metrics import (
    BYTES_PER_RECORD,
    ESTIMATED_CYCLES_PER_RECORD,
    INSTRUCTIONS_PER_RECORD,
    PEAK_MEMORY,
    RATIO_TO_REFERENCE,
    TIME_PER_RECORD,
)
from pipebench.report.scaling import fit_loglog
from pipebench.results import clusters_of
from pipebench.stats import CI_LABEL
from pipebench.timing.versus import paired

Suites = Mapping[str, Mapping[str, Any]]
SIZE_AXIS = "n"
"""The axis every suite has: the number of records a call handles."""
OWN_MEDIAN = "time_per_record_own_median"
"""A case's own median time per record; the table's time of a variant is its reference's times its ratio."""


def size_axes(suites: Suites) -> list[str]:
    """Every suite's size axes, ``n`` first, in the order they were declared."""
    return list(dict.fromkeys([SIZE_AXIS, *(axis for suite in suites.values() for axis in suite.get("axes", ()))]))


def verdict(low: float, high: float) -> str:
    """``faster`` if the time ratio's interval lies below 1, ``slower`` above, else no difference."""
    if high < 1.0:
        return "faster"
    if low > 1.0:
        return "slower"
    return "no real difference"


def plain_text(value: object) -> str:
    """Free text from a results file (a machine's name, a CPU model) made inert for Markdown and HTML."""
    return re.sub(r"[^A-Za-z0-9 _.,:/()@+=-]", "?", str(value))[:120]


def run_label(frame: pd.DataFrame, run_id: str) -> str:
    """``run_id (machine, commit)``: how a run is named wherever runs are shown together."""
    row = frame[frame["run_id"] == run_id].iloc[0]
    return f"{run_id} ({plain_text(row['machine'])}, {plain_text(row['commit'])}{'-dirty' if row['dirty'] else ''})"


def at_largest_size(part: pd.DataFrame) -> pd.DataFrame:
    """The rows at the largest N, or all of them for cases without one (pytest-benchmark tests)."""
    if SIZE_AXIS not in part or part[SIZE_AXIS].isna().all():
        return part
    return part[part[SIZE_AXIS] == part[SIZE_AXIS].max()]


def case_table(frame: pd.DataFrame, suites: Suites) -> pd.DataFrame:
    """One line per (run, case): time, throughput, ratio with interval and verdict, memory."""
    keys = ["run_id", "suite", "group", "case_id", "variant", "is_reference"]
    keys += [axis for axis in size_axes(suites) if axis in frame.columns]
    base = frame[keys].drop_duplicates("case_id" if frame["run_id"].nunique() == 1 else ["run_id", "case_id"])
    medians = frame.pivot_table(index=["run_id", "case_id"], columns="metric", values="median", aggfunc="first")
    table = base.merge(medians.reset_index(), on=["run_id", "case_id"], how="left")
    ratios = frame[frame["metric"] == RATIO_TO_REFERENCE][["run_id", "case_id", "estimate", "ci_low", "ci_high"]]
    table = table.merge(ratios, on=["run_id", "case_id"], how="left")
    if TIME_PER_RECORD in table:
        table = _consistent_times(table)
        table["records_per_s"] = 1e9 / table[TIME_PER_RECORD]
    table["verdict"] = [
        "reference" if is_reference else ("" if pd.isna(estimate) else verdict(low, high))
        for is_reference, estimate, low, high in zip(
            table["is_reference"], table["estimate"], table["ci_low"], table["ci_high"], strict=True
        )
    ]
    return table.rename(columns={"estimate": "ratio", "ci_low": "ratio_low", "ci_high": "ratio_high"})


def _consistent_times(table: pd.DataFrame) -> pd.DataFrame:
    """Each variant's time per record as its reference's median times its paired ratio.

    A case's own median and its ratio come from the same rounds but are not one statistic:
    the median of a variant's values and the median of the reference's can fall in rounds
    of different load, and two such medians once read 1.17x apart beside a paired ratio of
    0.995. The ratio is the figure taken under shared conditions, so the variant's time is
    derived from it and the two columns say the same thing; the own median is kept as
    :data:`OWN_MEDIAN`.
    """
    table = table.assign(**{OWN_MEDIAN: table[TIME_PER_RECORD]})
    references = table[table["is_reference"]].drop_duplicates(["run_id", "group"])
    reference_time = references.set_index(["run_id", "group"])[TIME_PER_RECORD]
    keys = pd.MultiIndex.from_frame(table[["run_id", "group"]])
    derived = reference_time.reindex(keys).to_numpy(dtype=float) * table["estimate"].to_numpy(dtype=float)
    table[TIME_PER_RECORD] = np.where(np.isfinite(derived), derived, table[TIME_PER_RECORD].to_numpy(dtype=float))
    return table


def answers(frame: pd.DataFrame, suites: Suites) -> pd.DataFrame:
    """The suites' questions (``variant`` against ``against``), answered in every group of every run.

    The ratio of any two members of a group is read from the rounds they shared
    (:func:`pipebench.timing.versus.paired`), so a question need not be against the reference.
    Columns: ``run_id``, ``suite``, ``group``, ``variant``, ``against``, the size axes,
    ``ratio``, ``ratio_low``, ``ratio_high``, ``verdict``.
    """
    times = frame[frame["metric"] == TIME_PER_RECORD]
    axes = [axis for axis in size_axes(suites) if axis in frame.columns]
    lines = []
    for (run_id, suite), part in times.groupby(["run_id", "suite"], sort=False):
        for variant, against in suites.get(suite, {}).get("questions") or ():
            for group, members in part.groupby("group", sort=False):
                mine, theirs = members[members["variant"] == variant], members[members["variant"] == against]
                if mine.empty or theirs.empty:
                    continue
                ratio = paired(_clusters(mine.iloc[0]), _clusters(theirs.iloc[0]))
                if ratio is None:
                    continue
                interval = ratio.interval
                lines.append(
                    {
                        "run_id": run_id,
                        "suite": suite,
                        "group": group,
                        "variant": variant,
                        "against": against,
                        **{axis: mine.iloc[0][axis] for axis in axes},
                        "ratio": interval.estimate,
                        "ratio_low": interval.low,
                        "ratio_high": interval.high,
                        "verdict": verdict(interval.low, interval.high),
                    }
                )
    return pd.DataFrame(lines)


def _clusters(row: pd.Series) -> list[tuple[float, ...]]:
    groups = row["sample_groups"] if "sample_groups" in row and isinstance(row["sample_groups"], tuple) else ()
    return clusters_of(row["samples"], groups)


def _fits(suites: Suites) -> Iterator[tuple[str, str, str, str]]:
    """``(suite, axis, measure, column)`` of every fit the suites ask for."""
    for name, suite in suites.items():
        for axis in suite.get("swept", ()):
            yield name, axis, "time", "call_ns"
            if axis == SIZE_AXIS:
                yield name, axis, "peak memory", PEAK_MEMORY


def scaling_table(table: pd.DataFrame, suites: Suites) -> pd.DataFrame:
    """Log-log fits of time per call, and of peak memory against N, along each suite's swept axes."""
    lines = []
    table = table.assign(call_ns=table.get(TIME_PER_RECORD, np.nan) * table.get(SIZE_AXIS, np.nan))
    for suite, against, measure, column in _fits(suites):
        subset = table[table["suite"] == suite]
        if against not in subset.columns or column not in subset.columns:
            continue
        held_axes = [
            a for a in suites[suite].get("axes", ()) if a != against and a in subset and subset[a].notna().any()
        ]
        keys = ["run_id", "variant", *held_axes]
        for key, part in subset.groupby(keys, dropna=False, sort=False):
            fixed = dict(zip(keys, key, strict=True))
            part = part.dropna(subset=[against, column])
            if part[against].nunique() < 2:
                continue
            fit = fit_loglog(part[against].astype(float), part[column].astype(float))
            lines.append(
                {
                    "run_id": fixed["run_id"],
                    "suite": suite,
                    "variant": fixed["variant"],
                    "held": ", ".join(f"{a}={int(fixed[a])}" for a in held_axes if pd.notna(fixed[a])),
                    "against": against.upper(),
                    "measure": measure,
                    "slope": fit.slope,
                    "r_squared": fit.r_squared,
                    "top_slope": fit.top_slope,
                    "growth": fit.growth,
                    "points": fit.points,
                }
            )
    return pd.DataFrame(lines)


def params_text(row: pd.Series, axes: list[str]) -> str:
    """``n=1000, w=50``: the row's size parameters."""
    return ", ".join(f"{axis}={int(row[axis])}" for axis in axes if axis in row and pd.notna(row[axis]))


def _speed_sentence(suite: str, row: pd.Series, reference: str, axes: list[str]) -> str:
    where = markdown_text(params_text(row, axes))
    named, against = f"{markdown_text(suite)}: {code_span(row['variant'])}", code_span(reference)
    if row["verdict"] == "faster":
        return (
            f"{named} is {1 / row['ratio']:.3g}x faster than {against} at {where} "
            f"({CI_LABEL} {format_interval(1 / row['ratio_high'], 1 / row['ratio_low'])})."
        )
    if row["verdict"] == "slower":
        return (
            f"{named} is {row['ratio']:.3g}x slower than {against} at {where} "
            f"({CI_LABEL} {format_interval(row['ratio_low'], row['ratio_high'])})."
        )
    interval = format_interval(row["ratio_low"], row["ratio_high"])
    return (
        f"{named} is not measurably different from {against} at {where} "
        f"(time ratio {row['ratio']:.3g}, {CI_LABEL} {interval} includes 1)."
    )


def _how_it_compares(row: pd.Series) -> str:
    """``1.49x faster (time ratio 0.671, 95% CI [0.65, 0.69])`` and the like, from a ratio and its interval."""
    interval = format_interval(row["ratio_low"], row["ratio_high"])
    if row["verdict"] == "faster":
        return f"{1 / row['ratio']:.3g}x faster (time ratio {row['ratio']:.3g}, {CI_LABEL} {interval})"
    if row["verdict"] == "slower":
        return f"{row['ratio']:.3g}x slower (time ratio {row['ratio']:.3g}, {CI_LABEL} {interval})"
    return f"no real difference (time ratio {row['ratio']:.3g}, {CI_LABEL} {interval} includes 1)"


def _memory_beside(table: pd.DataFrame, row: pd.Series) -> str:
    """``; 72 against 192 B/record`` when both cases of an answer have a memory figure per record."""
    if BYTES_PER_RECORD not in table:
        return ""
    cases = table[(table["run_id"] == row["run_id"]) & (table["group"] == row["group"])].set_index("variant")
    if not {row["variant"], row["against"]} <= set(cases.index):
        return ""
    mine, theirs = cases.loc[row["variant"], BYTES_PER_RECORD], cases.loc[row["against"], BYTES_PER_RECORD]
    if pd.isna(mine) or pd.isna(theirs):
        return ""
    return f", holding {mine:,.0f} against {theirs:,.0f} B/record"


def _question_findings(suite: str, part: pd.DataFrame, table: pd.DataFrame, axes: list[str]) -> list[str]:
    """One sentence per question the suite declares, at its largest size, every group there."""
    if part.empty:
        return []
    sentences = []
    largest = at_largest_size(part)
    sized = SIZE_AXIS in largest and largest[SIZE_AXIS].notna().any()
    size = f" at n={int(largest[SIZE_AXIS].iloc[0])}" if sized else ""  # a number: nothing to escape
    for (variant, against), rows in largest.groupby(["variant", "against"], sort=False):
        held = [axis for axis in axes if axis != SIZE_AXIS]
        described = "; ".join(
            (f"{markdown_text(params_text(row, held))}: " if params_text(row, held) else "")
            + _how_it_compares(row)
            + _memory_beside(table, row)
            for _, row in rows.iterrows()
        )
        sentences.append(
            f"{markdown_text(suite)}: {code_span(variant)} against {code_span(against)}{size}: {described}."
        )
    return sentences


def _speed_findings(suite: str, part: pd.DataFrame, axes: list[str], answered=frozenset()) -> list[str]:
    if TIME_PER_RECORD not in part or "ratio" not in part:
        return []
    timed = part[part[TIME_PER_RECORD].notna()]
    if timed.empty:
        return []
    largest = at_largest_size(timed)
    sentences = []
    for _, group in largest.groupby("group", sort=False):
        reference = group[group["is_reference"]]
        others = group[group["ratio"].notna()].sort_values("ratio")
        if reference.empty or others.empty:
            continue
        name = reference["variant"].iloc[0]
        chosen = [others.iloc[0]]
        if others.iloc[-1]["verdict"] == "slower" and len(others) > 1:
            chosen.append(others.iloc[-1])
        chosen += [row for _, row in others.iloc[1:-1].iterrows() if row["verdict"] == "no real difference"]
        chosen = [row for row in chosen if (row["variant"], name) not in answered]
        sentences += [_speed_sentence(suite, row, name, axes) for row in chosen]
    return sentences


def _memory_findings(suite: str, part: pd.DataFrame, axes: list[str]) -> list[str]:
    """At the largest size, the leanest variant against the reference, and the heaviest when it holds 1.5x or more.

    Memory is the figure a reader misses beside time, so a variant that buys its speed
    with several times the reference's memory is said in words, not left to a column.
    """
    if BYTES_PER_RECORD not in part or part[BYTES_PER_RECORD].isna().all():
        return []
    largest = at_largest_size(part)
    for _, group in largest.groupby("group", sort=False):
        reference = group[group["is_reference"]]
        measured = group.dropna(subset=[BYTES_PER_RECORD]).sort_values(BYTES_PER_RECORD)
        if reference.empty or pd.isna(reference[BYTES_PER_RECORD].iloc[0]) or len(measured) < 2:
            continue
        base = reference.iloc[0]
        chosen = [row for row in (measured.iloc[0], measured.iloc[-1]) if row["variant"] != base["variant"]]
        sentences = [
            _memory_sentence(suite, row, base, axes)
            for row in chosen
            if row[BYTES_PER_RECORD] / base[BYTES_PER_RECORD] < 0.98  # within 2%: nothing worth a sentence
            or row[BYTES_PER_RECORD] / base[BYTES_PER_RECORD] >= 1.5
        ]
        if sentences:
            return list(dict.fromkeys(sentences))
    return []


def _memory_sentence(suite: str, row: pd.Series, base: pd.Series, axes: list[str]) -> str:
    share = row[BYTES_PER_RECORD] / base[BYTES_PER_RECORD]
    return (
        f"{markdown_text(suite)}: {code_span(row['variant'])} holds {row[BYTES_PER_RECORD]:,.0f} bytes per record "
        f"against {base[BYTES_PER_RECORD]:,.0f} for {code_span(base['variant'])} ({share:.3g}x) "
        f"at {markdown_text(params_text(row, axes))} (memray, deterministic to within 1%)."
    )


def _deterministic_findings(
    suite: str, part: pd.DataFrame, axes: list[str], vectorized: frozenset[str] = frozenset()
) -> list[str]:
    """Where a count's ratio to the reference and time's disagree at the largest size, the worst pair, and why.

    Why is read from the counts themselves and the suite's tags: when estimated cycles
    (which weigh simulated cache misses) follow time and instructions do not, the difference
    is memory; when time is below what either count predicts, a variant the suite tags
    ``vectorized`` does more work an instruction (C kernels), which no count weighs, and
    any other was spared time that no counted instruction shows.
    """
    if INSTRUCTIONS_PER_RECORD not in part or "ratio" not in part:
        return []
    timed = part[part["ratio"].notna() | part["is_reference"]]
    if timed.empty or timed[INSTRUCTIONS_PER_RECORD].isna().all():
        return []
    largest = at_largest_size(timed)
    cycles = ESTIMATED_CYCLES_PER_RECORD if ESTIMATED_CYCLES_PER_RECORD in part else None
    sentences = []
    for _, group in largest.groupby("group", sort=False):
        reference = group[group["is_reference"]]
        if reference.empty or pd.isna(reference[INSTRUCTIONS_PER_RECORD].iloc[0]):
            continue
        base = reference.iloc[0]
        worst, worst_gap = None, AGREEMENT
        for _, row in group[group["ratio"].notna()].iterrows():
            if pd.isna(row[INSTRUCTIONS_PER_RECORD]):
                continue
            gap = abs(row[INSTRUCTIONS_PER_RECORD] / base[INSTRUCTIONS_PER_RECORD] / row["ratio"] - 1)
            if gap > worst_gap:
                worst, worst_gap = row, gap
        if worst is not None:
            sentences.append(_disagreement_sentence(suite, worst, base, cycles, axes, worst["variant"] in vectorized))
    return sentences


def _disagreement_sentence(
    suite: str, row: pd.Series, base: pd.Series, cycles: str | None, axes: list[str], vectorized: bool
) -> str:
    time_ratio = row["ratio"]
    instructions = row[INSTRUCTIONS_PER_RECORD] / base[INSTRUCTIONS_PER_RECORD]
    named, against = code_span(row["variant"]), code_span(base["variant"])
    where = markdown_text(params_text(row, axes))
    sentence = (
        f"{markdown_text(suite)}: {named} takes {time_ratio:.3g} of {against}'s time at {where} "
        f"but {instructions:.3g} of its instructions"
    )
    estimated = (
        row[cycles] / base[cycles] if cycles is not None and pd.notna(row[cycles]) and pd.notna(base[cycles]) else None
    )
    if estimated is not None:
        sentence += f" and {estimated:.3g} of its estimated cycles"
    if estimated is None:
        return sentence + (
            ": instructions see neither the caches nor how much work an instruction does "
            "(run --cycles to count simulated cache misses)."
        )
    if agrees(estimated, time_ratio):
        return sentence + ": the difference is memory, the simulated cache misses that estimated cycles weigh."
    if abs(math.log(estimated / time_ratio)) < abs(math.log(instructions / time_ratio)) / 2:
        return sentence + (
            f": the caches explain much of it (estimated cycles, which weigh simulated cache misses, "
            f"come within {abs(estimated / time_ratio - 1):.0%} of time), not all."
        )
    if time_ratio < min(instructions, estimated) and vectorized:
        return sentence + (
            ": time is lower than either count predicts, so its instructions do more work each "
            "(vectorized C code); counts cannot weigh that."
        )
    if time_ratio < min(instructions, estimated):
        # The streaming pipeline against the seed's: 0.32 of its time, 0.36 of its counts.
        # The seed reads the clock four times a record and stage, through the vDSO
        # natively, which valgrind replaces with a system call it counts as a few
        # instructions: the clock's time is in the reference's time, not in its counts.
        return sentence + (
            f": time is lower than either count predicts, so {against} spends time that no counted "
            "instruction shows (clock reads, system calls, the kernel's page faults) or its instructions "
            "are slower ones; trust time, measured in the same rounds."
        )
    return sentence + ": neither count follows time here; trust time, measured in the same rounds."


def _scaling_findings(suite: str, scaling: pd.DataFrame, wanted: list[str] | None) -> list[str]:
    if scaling.empty or not wanted:
        return []
    part = scaling[scaling["suite"] == suite]
    against, measure = wanted[0].upper(), wanted[1]
    part = part[(part["against"] == against) & (part["measure"] == measure)]
    if part.empty:
        return []
    # One held parameter set: the last (largest) one, so each variant is named once.
    held = part["held"].iloc[-1]
    lines = part[part["held"] == held]
    if (lines["growth"] == "unclear").all():
        return []  # nothing the fits support saying
    described = ", ".join(
        f"{code_span(row['variant'])} {markdown_text(row['growth'])} "
        f"(top slope {row['top_slope']:.2f}, fit R\u00b2 {row['r_squared']:.2f})"
        for _, row in lines.iterrows()
    )
    at = f" at {markdown_text(held)}" if held else ""
    return [f"{markdown_text(suite)}: {markdown_text(measure)} against {markdown_text(against)}{at}: {described}."]


def findings(
    table: pd.DataFrame, scaling: pd.DataFrame, suites: Suites, answered: pd.DataFrame | None = None
) -> dict[str, list[str]]:
    """Sentences per run id, each with its figure and interval; nothing the numbers do not show.

    Each suite's own questions (``answered``, from :func:`answers`) come first; the
    fastest and slowest variants against the reference follow, unless a question named them.
    """
    answered = answered if answered is not None else pd.DataFrame()
    result: dict[str, list[str]] = {}
    for run_id, run_table in table.groupby("run_id", sort=False):
        run_scaling = scaling[scaling["run_id"] == run_id] if not scaling.empty else scaling
        run_answers = answered[answered["run_id"] == run_id] if not answered.empty else answered
        sentences: list[str] = []
        for suite, part in run_table.groupby("suite", sort=False):
            described = suites.get(suite, {})
            axes = list(described.get("axes", [SIZE_AXIS]))
            questions = run_answers[run_answers["suite"] == suite] if not run_answers.empty else run_answers
            sentences += _question_findings(suite, questions, table, axes)
            pairs = frozenset(zip(questions["variant"], questions["against"])) if not questions.empty else frozenset()
            sentences += _speed_findings(suite, part, axes, pairs)
            sentences += _memory_findings(suite, part, axes)
            tags = described.get("tags") or {}
            vectorized = frozenset(variant for variant, tagged in tags.items() if VECTORIZED in tagged)
            sentences += _deterministic_findings(suite, part, axes, vectorized)
            sentences += _scaling_findings(suite, run_scaling, described.get("finding"))
        result[run_id] = sentences
    return result
