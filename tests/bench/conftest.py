"""Builders of results shared by the bench tests, as fixtures: each returns its builder."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench import store
from pipebench.cases import expand
from pipebench.matrix import SUITES
from pipebench.results import RunResults, make_row
from pipebench.stats import Interval, clustered_ratio_estimate, paired_ratios

CASES = expand(
    "windows", {"strategy": ["deque", "monotonic"], "n": [100], "w": [5]}, variant_axis="strategy", reference="deque"
)


def _sample_results():
    rows = (
        make_row(CASES[0], "time_per_record", [[10.0, 11.0]], tool="pyperf", tool_version="2.11.0"),
        make_row(
            CASES[1],
            "ratio_to_reference",
            [[0.5, 0.52], [0.51]],
            tool="pipebench",
            tool_version="0.1.0",
            interval=Interval(0.51, 0.49, 0.53),
            reference=CASES[0].id,
        ),
        make_row(CASES[1], "peak_memory", [[4096]], tool="memray", tool_version="1.20.0"),
    )
    return RunResults("20260101T000000Z_abcdef0", {"machine": "box", "commit": "abcdef0"}, rows)


def _finished_run(tmp_path, name="20260101T000000Z_abcdef0"):
    run_dir = store.start_run(tmp_path / name)
    store.finish_run(run_dir, _sample_results())
    return run_dir


WINDOWS = SUITES["windows"].cases("full")


def case(strategy, n, w):
    return next(c for c in WINDOWS if c.id == f"windows[strategy={strategy},n={n},w={w}]")


def _synthetic_run(run_id="r1", machine="box"):
    """deque costs 700 + 22 W ns/record; monotonic 730 flat; memory: deque constant, numpy linear."""
    rows = []
    for n in (1_000, 10_000, 100_000):
        for w in (10, 50, 1000):
            deque_ns = 700 + 22 * w
            rows.append(
                make_row(case("deque", n, w), "time_per_record", [[deque_ns] * 3], tool="pyperf", tool_version="x")
            )
            rows.append(
                make_row(case("monotonic", n, w), "time_per_record", [[730.0] * 3], tool="pyperf", tool_version="x")
            )
            ratio = 730.0 / deque_ns
            rows.append(
                make_row(
                    case("monotonic", n, w),
                    "ratio_to_reference",
                    [[ratio] * 3],
                    tool="pipebench",
                    tool_version="x",
                    interval=Interval(ratio, ratio * 0.98, ratio * 1.02),
                    reference=case("deque", n, w).id,
                )
            )
            rows.append(make_row(case("deque", n, w), "peak_memory", [[30_000.0]], tool="memray", tool_version="x"))
            rows.append(make_row(case("monotonic", n, w), "peak_memory", [[72.0 * n]], tool="memray", tool_version="x"))
            rows.append(
                make_row(case("monotonic", n, w), "bytes_per_record", [[72.0]], tool="memray", tool_version="x")
            )
            rows.append(
                make_row(case("deque", n, w), "bytes_per_record", [[30_000.0 / n]], tool="memray", tool_version="x")
            )
    metadata = {"machine": machine, "cpu_model": "cpu", "commit": "abc1234", "dirty": False, "suites": SYNTHETIC_SUITES}
    return RunResults(run_id, metadata, tuple(rows))


PAIRED_CASES = expand(
    "records", {"kind": ["dict", "slots", "plain"], "n": [1000]}, variant_axis="kind", reference="dict"
)
COST = {"dict": 100.0, "slots": 70.0, "plain": 90.0}
# Each round's load hits every case of the round alike; each case has its own small wobble.
LOAD = [[1.0, 1.3, 0.9], [1.6, 1.1, 1.2]]


def paired_times(kind):
    """A records variant's times, by process and round."""
    wobble = {"dict": (1.0, 1.02, 0.99), "slots": (1.01, 0.98, 1.0), "plain": (0.99, 1.0, 1.03)}[kind]
    return [[COST[kind] * load * wobble[r] for r, load in enumerate(process)] for process in LOAD]


def paired_records_run(suites=None, run_id="r1"):
    """A records run as the timing worker writes one: times in shared rounds, ratios to ``dict``."""
    rows = [
        make_row(case, "time_per_record", paired_times(case.variant), tool="pyperf", tool_version="x")
        for case in PAIRED_CASES
    ]
    reference = PAIRED_CASES[0]
    for case in PAIRED_CASES[1:]:
        ratios = [paired_ratios(m, r) for m, r in zip(paired_times(case.variant), paired_times("dict"), strict=True)]
        rows.append(
            make_row(
                case,
                "ratio_to_reference",
                ratios,
                tool="pipebench",
                tool_version="x",
                interval=clustered_ratio_estimate(ratios),
                reference=reference.id,
            )
        )
    described = {"records": {"description": "records", "reference": "dict", "axes": ["n"], "swept": ["n"]}}
    return RunResults(run_id, {"suites": suites or described}, tuple(rows))


# What the run says of its suite: the analysis reads this, never today's matrix.
SYNTHETIC_SUITES = {
    "windows": {
        "description": "windows",
        "variant_axis": "strategy",
        "reference": "deque",
        "axes": ["n", "w"],
        "swept": ["n", "w"],
        "finding": ["w", "time"],
    }
}


@pytest.fixture(scope="session")
def sample_results():
    """A builder of a small run: a reference's time, a variant's ratio and peak memory."""
    return _sample_results


@pytest.fixture(scope="session")
def finished_run():
    """A builder of a finished run directory holding the sample results: ``finished_run(tmp_path, name=...)``."""
    return _finished_run


@pytest.fixture(scope="session")
def synthetic_run():
    """A builder of a windows run with known answers: ``synthetic_run(run_id, machine)``."""
    return _synthetic_run


@pytest.fixture(scope="session")
def paired_run():
    """A builder of a records run whose times share rounds: ``paired_run(suites=None, run_id="r1")``."""
    return paired_records_run


@pytest.fixture(scope="session")
def times_of():
    """A records variant's times in :func:`paired_run`'s runs, by process and round."""
    return paired_times


@pytest.fixture(scope="session")
def synthetic_suites():
    """What the synthetic run says of its suite."""
    return SYNTHETIC_SUITES


def _count(tree, out, selection):
    command = [
        sys.executable,
        "-m",
        "pipebench",
        "run",
        "--no-time",
        "--no-memory",
        "--instructions",
        "--no-progress",
        "--out",
        str(out),
    ]
    for case_id in selection:
        command += ["-k", case_id]
    subprocess.run(command, cwd=tree, check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def count_cases():
    """``count_cases(tree, out, selection)``: a counted run (``--instructions`` only) of the code in ``tree``."""
    return _count


def _figures(run_dir):
    rows = json.loads((run_dir / "results.json").read_text())["rows"]
    return {(row["case_id"], row["metric"]): row["summary"]["median"] for row in rows}


@pytest.fixture(scope="session")
def run_figures():
    """``run_figures(run_dir) -> {(case id, metric): median}``."""
    return _figures


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def patched_copy(copy_packages):
    """``patched_copy(directory, names)``: a copy of the packages with ``.ci/gate_patches.py``'s changes applied."""
    sys.path.insert(0, str(ROOT / ".ci"))
    from gate_patches import PATCHES, SLOTTED_FIELD

    def patched(directory, names):
        copy = copy_packages(directory / "copy")
        SLOTTED_FIELD.apply(copy)
        for patch in PATCHES:
            if patch.name in names:
                patch.apply(copy)
        return copy

    return patched
