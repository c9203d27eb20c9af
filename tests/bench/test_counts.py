"""Counting under callgrind, for real: repeatable, linear in calls, and allocations that mean objects."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import counts
from bench.matrix import all_cases

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".ci"))
from gate_patches import PATCHES, SLOTTED_FIELD  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")


def case(case_id):
    return next(c for c in all_cases("quick") if c.id == case_id)


@pytest.mark.slow
def test_counts_repeat_exactly_and_grow_linearly_with_calls(tmp_path):
    """Two processes count the same; four calls count twice two, within the calls' own spread.

    Calls differ among themselves by up to 0.3% (the allocator's state moves from one call
    to the next), the same sequence in every process, so a count repeats to the
    instruction while two calls and four calls agree only to a few tenths of a percent.
    """
    measured = case("windows[strategy=monotonic,n=1000,w=50]")
    first = counts.count_case(measured, "quick", tmp_path)
    again = counts.count_case(measured, "quick", tmp_path)
    longer = counts.count_case(measured, "quick", tmp_path, counts.CountPlan(calls=(0, 4)))
    assert again == first
    assert longer["instructions"] == pytest.approx(first["instructions"], rel=0.003)
    assert longer["allocations"] == pytest.approx(first["allocations"], rel=0.003)
    assert (tmp_path / "windows-strategy=monotonic-n=1000-w=50.callgrind.out").is_file()


def counted_in(tree, selection, out):
    command = [sys.executable, "-m", "bench", "run", "--no-time", "--no-memory", "--instructions", "--no-progress",
               "--out", str(out)]  # fmt: skip
    for case_id in selection:
        command += ["-k", case_id]
    subprocess.run(command, cwd=tree, check=True, capture_output=True)
    rows = json.loads((out / "results.json").read_text())["rows"]
    return {(row["case_id"], row["metric"]): row["summary"]["median"] for row in rows}


@pytest.mark.slow
def test_one_more_object_per_record_adds_one_allocation_and_calls_alone_add_none(tmp_path):
    """The same cases counted in a copy of the code with real source changes applied."""
    selection = ["records[kind=slots,n=1000]", "records[kind=dataclass,n=1000]"]
    copy = tmp_path / "copy"
    for package in ("bench", "pipeline"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    SLOTTED_FIELD.apply(copy)
    for patch in PATCHES:
        if patch.name in ("one-more-object", "calls-only"):
            patch.apply(copy)
    original, patched = counted_in(ROOT, selection, tmp_path / "original"), counted_in(copy, selection, tmp_path / "p")
    slots, dataclass = selection
    assert patched[(slots, "allocations_per_record")] - original[(slots, "allocations_per_record")] == pytest.approx(
        1.0, abs=0.01
    )
    assert patched[(dataclass, "allocations_per_record")] == pytest.approx(
        original[(dataclass, "allocations_per_record")], abs=0.01
    )
    assert patched[(dataclass, "instructions")] > 1.05 * original[(dataclass, "instructions")]


def test_the_build_identity_names_the_interpreter():
    identity = counts.build_identity()
    assert identity.startswith(("CPython", "PyPy")) and "(" in identity


def test_the_worker_environment_is_pinned_whatever_the_caller_has(monkeypatch):
    monkeypatch.setenv("SOME_CALLER_VARIABLE", "x" * 1000)
    environment = counts.pinned_environment(Path("/src"))
    assert "SOME_CALLER_VARIABLE" not in environment and environment["PYTHONHASHSEED"] == "0"
    assert environment["PYTHONPATH"] == "/src"


def test_the_worker_sees_the_checkout_and_interpreter_at_paths_of_one_length(tmp_path, monkeypatch):
    seen = set()
    for checkout in ("c", "a-checkout-at-a-much-longer-path"):
        link = tmp_path / checkout
        link.symlink_to(counts.PACKAGE_ROOT, target_is_directory=True)
        monkeypatch.setattr(counts, "PACKAGE_ROOT", link)
        work = tmp_path / "work"
        work.mkdir()
        root, python = counts.fixed_length_paths(work)
        paths = subprocess.run(
            [python, "-c", "import sys, bench; print(sys.prefix, bench.__file__)"],
            env={"PYTHONPATH": str(root)},
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert paths[1] == str(work / "src" / "bench" / "__init__.py")
        assert sorted(os.listdir(root)) == sorted(counts.PACKAGES)
        assert sys.prefix == sys.base_prefix or paths[0] == str(work / "env")
        seen.add(tuple(paths))
        shutil.rmtree(work)
    assert len(seen) == 1


def test_scratch_left_by_a_killed_run_is_removed_and_a_live_one_kept(tmp_path):
    import os

    dead = tmp_path / "pipebench-counts-4194304999-abcdefgh"  # beyond any pid this system hands out
    live = tmp_path / f"pipebench-counts-{os.getpid():010d}-abcdefgh"
    dead.mkdir()
    live.mkdir()
    counts.remove_stale_scratch(tmp_path)
    assert not dead.exists() and live.exists()
