"""Counting under callgrind, for real: repeatable, linear in calls, and allocations that mean objects."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.counts import runner as counts
from pipebench.matrix import all_cases
from pipebench.processes import Code

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / ".ci"))

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


@pytest.mark.slow
def test_one_more_object_per_record_adds_one_allocation_and_calls_alone_add_none(
    count_cases, run_figures, patched_copy, tmp_path
):
    """The same cases counted in a copy of the code with real source changes applied."""
    selection = ["records[kind=slots,n=1000]", "records[kind=dataclass,n=1000]"]
    copy = patched_copy(tmp_path, ("one-more-object", "calls-only"))
    original = run_figures(count_cases(ROOT, tmp_path / "original", selection))
    patched = run_figures(count_cases(copy, tmp_path / "p", selection))
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


def test_the_worker_sees_the_checkout_and_interpreter_at_paths_of_one_length(tmp_path):
    seen = set()
    for checkout in ("c", "a-checkout-at-a-much-longer-path"):
        link = tmp_path / checkout
        link.symlink_to(counts.PACKAGE_ROOT, target_is_directory=True)
        work = tmp_path / "work"
        work.mkdir()
        root, python = counts.fixed_length_paths(work, Code(link))
        paths = subprocess.run(
            [python, "-c", "import sys, pipebench; print(sys.prefix, pipebench.__file__)"],
            env={"PYTHONPATH": str(root)},
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert paths[1] == str(work / "src" / "pipebench" / "__init__.py")
        assert sorted(os.listdir(root)) == ["pipebench", "pipebench_pipeline"]
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


def test_the_dynamic_loader_is_read_from_the_interpreters_elf_header(tmp_path):
    loader = counts.dynamic_loader(Path(os.path.realpath(sys.executable)))
    assert loader is not None and loader.is_absolute() and loader.name.startswith("ld-")
    (tmp_path / "script").write_text("#!/bin/sh\n")
    (tmp_path / "cut").write_bytes(b"\x7fELF\x02\x01" + b"\0" * 20)
    assert counts.dynamic_loader(tmp_path / "script") is None
    assert counts.dynamic_loader(tmp_path / "cut") is None
    assert counts.dynamic_loader(tmp_path / "absent") is None


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_the_guest_cpu_names_what_valgrind_shows_and_repeats():
    counts.guest_cpu.cache_clear()
    counts.guest_cpu_features.cache_clear()
    first = counts.guest_cpu()
    counts.guest_cpu.cache_clear()
    counts.guest_cpu_features.cache_clear()
    assert first == counts.guest_cpu()
    name, digest = first.rsplit(" ", 1)
    assert name and len(digest) == 12 and int(digest, 16) >= 0
    kept = counts.fingerprint("cpu")["guest_cpu_features"]
    assert f'dl_platform="{name}"' in kept and any(line.startswith("x86.cpu_features.") for line in kept)


def test_only_the_host_describing_auxv_entries_enter_the_guest_cpu():
    listed = [
        "auxv[0x0].a_type=0x21",
        "auxv[0x0].a_val=0x7f858b9f6000",  # the vDSO's address: every process its own
        "auxv[0x1].a_type=0x10",
        "auxv[0x1].a_val=0x178bfbff",
        "auxv[0x2].a_type=0x6",
        "auxv[0x2].a_val=0x1000",
        "auxv[0x3].a_type=0xf",
        'auxv[0x3].a_val="x86_64"',
        "x86.cpu_features.basic.family=0x6",
    ]
    assert counts._host_auxv(listed) == ["auxv 0x10=0x178bfbff", "auxv 0x6=0x1000", 'auxv 0xf="x86_64"']
