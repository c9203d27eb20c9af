"""Counting under callgrind, for real: repeatable, linear in calls, and allocations that mean objects."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.counts import runner as counts
from pipebench.errors import UsageError
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
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    environment = counts.pinned_environment(Path("/src"))
    assert "SOME_CALLER_VARIABLE" not in environment and "OPENBLAS_CORETYPE" not in environment
    assert environment["PYTHONHASHSEED"] == "0" and environment["PYTHONPATH"] == "/src"


@pytest.mark.parametrize("path", ["/usr/bin:/bin", "/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin", ""])
def test_the_workers_path_is_the_callers_at_one_length(monkeypatch, path):
    """Its length moved counts (the deque window by 0.46%); its characters did not."""
    monkeypatch.setenv("PATH", path)
    padded = counts.pinned_environment(Path("/src"))["PATH"]
    assert len(padded) == counts.PATH_LENGTH and padded.startswith(f"{path}{os.pathsep}")
    entries = padded.split(os.pathsep)
    assert entries[:-1] == path.split(os.pathsep) and not Path(entries[-1]).exists()


def test_a_path_too_long_to_pad_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:" + "x" * counts.PATH_LENGTH)
    with pytest.raises(UsageError, match="shorten PATH") as refused:
        counts.pinned_environment(Path("/src"))
    assert "\n" not in str(refused.value)


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


def test_the_host_values_are_kept_but_leave_the_guests_digest_alone(monkeypatch):
    """glibc dispatches on what it made of the CPU (``dl_hwcap=0x2``), not on the kernel's raw capabilities."""
    glibc = ["dl_hwcap=0x2", 'dl_platform="haswell"', "x86.cpu_features.basic.family=0x6"]
    digests = set()
    for hwcap in ("0x178bfbff", "0x1f8bfbff"):
        counts.guest_cpu.cache_clear()
        monkeypatch.setattr(counts, "guest_cpu_features", lambda hwcap=hwcap: (*glibc, f"auxv 0x10={hwcap}"))
        digests.add(counts.guest_cpu())
    counts.guest_cpu.cache_clear()
    monkeypatch.setattr(counts, "guest_cpu_features", lambda: (*glibc[:2], "x86.cpu_features.basic.family=0x17"))
    assert len(digests) == 1 and next(iter(digests)).startswith("haswell ") and counts.guest_cpu() not in digests
    counts.guest_cpu.cache_clear()


def test_compiled_at_reads_where_the_installed_byte_code_was_compiled(tmp_path, monkeypatch):
    package = tmp_path / "compiled-here" / "somepackage"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    moved = tmp_path / "moved-to-a-longer-place"
    shutil.copytree(tmp_path / "compiled-here", moved)
    monkeypatch.syspath_prepend(str(moved))
    # Its byte code still names where it was compiled, not where it is now.
    assert counts.compiled_at("somepackage") == str(tmp_path / "compiled-here")
    assert counts.compiled_at("no_module_of_that_name") is None


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs a virtual environment")
def test_a_runs_fingerprint_names_the_renamed_byte_code_and_a_pytest_sessions_the_callers():
    assert counts.fingerprint("cpu", recompiled=True)["compiled_at"] == "/site-packages"
    assert counts.fingerprint("cpu")["compiled_at"] == counts.compiled_at()


def _dump(directory, pid, part, label, totals):
    events = "Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw"
    text = (
        f"# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: {pid}\npart: {part}\n\n"
        f"desc: Trigger: Client Request: {label}\n\npositions: line\nevents: {events}\n\n"
        f"fl=(1) a.c\nfn=(1) f\n1 {' '.join(map(str, totals))}\n\ntotals: {' '.join(map(str, totals))}\n"
    )
    (directory / f"callgrind.out.{pid}.{part}").write_text(text)


def test_per_call_figures_are_the_second_segment_less_the_first_and_misses_never_fall_below_zero(tmp_path):
    # The switches' own code can miss a line more in the empty segment than in the one
    # with the calls: a call that misses nothing comes out as no misses, not fewer.
    _dump(tmp_path, 7, 1, "warmed", [9, 0, 0, 0, 0, 0, 0, 0, 0])
    _dump(tmp_path, 7, 2, "calls=0", [1_000, 300, 200, 40, 10, 5, 30, 8, 2])
    _dump(tmp_path, 7, 3, "calls=2", [201_000, 60_300, 40_200, 60, 410, 5, 31, 3, 2])
    figures = counts.figures_of_dumps(tmp_path, 7, "a case", tmp_path / "kept.out", cached=True)
    assert figures["instructions"] == 100_000
    assert figures["l1_misses"] == (475 - 55) / 2
    assert figures["ll_misses"] == 0.0
    assert (tmp_path / "kept.out").read_text().count("calls=2") == 1
