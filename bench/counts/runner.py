"""The counting runner: instructions and allocator calls per call of each case, under callgrind.

Counts do not depend on what else the machine is doing, so they are the gate's sharpest
figures on a shared CI runner: the same code in the same place counts the same. Each case
runs in a fresh process under valgrind's callgrind tool (:mod:`pipebench.counts.worker`),
``jobs`` at a time. The process starts with instrumentation off (imports under full
instrumentation would cost about 13 s each), and its environment, working directory and
arguments are pinned, because they shift the interpreter's start-up state and with it
the counts.

Counts are only comparable between runs of the same interpreter build, valgrind version
and CPU as the counted code sees it; :func:`build_identity` names the build,
:func:`guest_cpu` the CPU, and the run stores all three.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import marshal
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipebench.cases import Case
from pipebench.counts import callgrind, cycles, environment
from pipebench.counts.cycles import CacheModel, Weights
from pipebench.counts.worker import label
from pipebench.errors import BenchError, UsageError
from pipebench.metrics import (
    ALLOCATIONS,
    ALLOCATIONS_PER_RECORD,
    ESTIMATED_CYCLES,
    ESTIMATED_CYCLES_PER_RECORD,
    INSTRUCTIONS,
    INSTRUCTIONS_PER_RECORD,
    L1_MISSES,
    LL_MISSES,
)
from pipebench.processes import HEAD, Code, per_case, run_module
from pipebench.provenance import PACKAGE_ROOT
from pipebench.results import Row, make_row
from pipebench.store import case_file_name

Progress = Callable[[str], None]
INSTALL_HINT = "valgrind is not installed: install it (Debian/Ubuntu: apt-get install valgrind) or drop --instructions"


@dataclass(frozen=True)
class CountPlan:
    """How many calls each of the two counted segments makes (their difference is what counts)."""

    calls: tuple[int, int] = (0, 2)
    warmups: int = 2


PLAN = CountPlan()
DISTRIBUTION = "pipebench"
"""The distribution whose requirements a counting worker imports, and all it sees installed."""
_SCRATCH_PREFIX = "pipebench-counts-"


def valgrind_version() -> str:
    """Valgrind's version (``valgrind-3.19.0``), asked before anything is counted.

    Raises:
        UsageError: valgrind or callgrind_control is missing (with how to install it), or
            PATH is too long for the counted processes' (:func:`padded_path`).
    """
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise UsageError(INSTALL_HINT)
    padded_path(os.environ.get("PATH", DEFAULT_PATH))
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(INSTALL_HINT)
    return done.stdout.strip()


def _library_digest() -> str:
    """A short digest of the interpreter's shared library, or of its executable when static."""
    library = Path(sysconfig.get_config_var("LIBDIR") or "") / (sysconfig.get_config_var("LDLIBRARY") or "")
    binary = library if library.is_file() and library.suffix != ".a" else Path(os.path.realpath(sys.executable))
    digest = hashlib.sha256()
    with binary.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def build_identity() -> str:
    """What must match for two runs' counts to be comparable: interpreter build and its binary."""
    build = " ".join(platform.python_build())
    return f"{platform.python_implementation()} {platform.python_version()} ({build}; {_library_digest()})"


def dynamic_loader(executable: Path) -> Path | None:
    """The dynamic loader an ELF executable names (its ``PT_INTERP``), or None (static, not ELF)."""
    try:
        with Path(executable).open("rb") as stream:
            header = stream.read(64)
            if header[:4] != b"\x7fELF" or header[4] != 2:  # 64-bit ELF only
                return None
            order = "little" if header[5] == 1 else "big"
            offset = int.from_bytes(header[32:40], order)
            size, count = int.from_bytes(header[54:56], order), int.from_bytes(header[56:58], order)
            stream.seek(offset)
            table = stream.read(size * count)
            for index in range(count):
                entry = table[index * size : (index + 1) * size]
                if int.from_bytes(entry[0:4], order) == 3:  # PT_INTERP
                    stream.seek(int.from_bytes(entry[8:16], order))
                    name = stream.read(int.from_bytes(entry[32:40], order)).rstrip(b"\0")
                    return Path(name.decode())
    except (OSError, UnicodeDecodeError):
        return None
    return None


@functools.cache
def guest_cpu_features() -> tuple[str, ...]:
    """What the code counted under valgrind sees of the CPU, one ``name=value`` line each; empty where unknown.

    valgrind shows its guest a CPU of its own, picked by what the host can do (here, on an
    AMD EPYC host, an Intel "haswell" of fixed cache sizes), and glibc picks its string and
    memory routines, and numpy its SIMD loops, by what the guest sees. So this, not the
    host's marketing name, is what counts depend on: glibc's loader lists it
    (``ld.so --list-diagnostics``, glibc 2.33 and later) run under valgrind in the
    workers' environment: the CPU's features as glibc read them, and what the loader made
    of them and of the kernel's values (platform, hardware capabilities, page size). The
    entries of the auxiliary vector that the host's kernel passes through
    (:data:`_HOST_AUXV`) follow, for reading; :func:`guest_cpu` leaves them out.
    """
    loader = dynamic_loader(Path(os.path.realpath(sys.executable)))
    if loader is None or shutil.which("valgrind") is None:
        return ()
    try:
        done = subprocess.run(
            ["valgrind", "--tool=none", "--quiet", str(loader), "--list-diagnostics"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env=pinned_environment(PACKAGE_ROOT),
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    listed = done.stdout.splitlines()
    lines = sorted(
        line
        for line in listed
        if "cpu_features." in line or line.startswith(("dl_platform=", "dl_hwcap=", "dl_hwcap2=", "dl_pagesize="))
    )
    lines += _host_auxv(listed)
    if done.returncode != 0:
        return ()
    return tuple(lines)


@functools.cache
def guest_cpu() -> str:
    """The guest CPU's platform name and a digest of what glibc made of it, or ``unknown``.

    The digest covers :func:`guest_cpu_features` but the host's own auxiliary-vector
    values: glibc does not dispatch on them (on x86-64 it replaces the kernel's hardware
    capabilities, ``0x178bfbff`` on an AMD EPYC host, by its own ``dl_hwcap=0x2``), and an
    Intel and an AMD host whose digests, these values included, differed counted one
    commit within 0.002% of each other.
    """
    lines = [line for line in guest_cpu_features() if not line.startswith(_AUXV_PREFIX)]
    if not lines:
        return "unknown"
    platform_name = next((line.split("=", 1)[1].strip('"') for line in lines if line.startswith("dl_platform=")), "?")
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
    return f"{platform_name} {digest}"


# The entries of the auxiliary vector that valgrind passes from the host kernel to its guest
# unchanged and that describe the machine: AT_PAGESZ, AT_PLATFORM, AT_HWCAP, AT_CLKTCK,
# AT_HWCAP2. The rest are addresses (different every process) or masked by valgrind.
_HOST_AUXV = {0x6, 0xF, 0x10, 0x11, 0x1A}
_AUXV_PREFIX = "auxv "


def _host_auxv(listed: Sequence[str]) -> list[str]:
    """``type=value`` of the :data:`_HOST_AUXV` entries among ``ld.so --list-diagnostics``'s lines."""
    types: dict[str, int] = {}
    values: dict[str, str] = {}
    for line in listed:
        if line.startswith("auxv[") and "=" in line:
            key, value = line.split("=", 1)
            index, _, field = key.partition("].")
            if field == "a_type":
                types[index] = int(value, 16) if value.startswith("0x") else -1
            elif field == "a_val":
                values[index] = value
    return sorted(f"{_AUXV_PREFIX}{kind:#x}={values.get(index)}" for index, kind in types.items() if kind in _HOST_AUXV)


# The length of the worker's PATH. The caller's PATH reaches the worker (a counted pytest test
# may start a program), but its length moved the heap the counted calls start from: the
# same commit counted the deque window 0.46% and the streaming pipeline 0.15% apart from
# two shells whose PATHs differed, and here PATHs 3 and 34 characters longer reproduced
# both states exactly, while PATHs of one length and other characters counted the same to
# the instruction. So it is padded to one length, by an entry that names no directory.
PATH_LENGTH = 4096
DEFAULT_PATH = "/usr/bin:/bin"
_NO_DIRECTORY = "/nonexistent"


def padded_path(path: str, length: int = PATH_LENGTH) -> str:
    """``path`` with :data:`_NO_DIRECTORY` added, padded with slashes to ``length`` characters.

    Raises:
        UsageError: ``path`` is too long to be padded to ``length``.
    """
    filler = length - len(path) - len(os.pathsep) - len(_NO_DIRECTORY)
    if filler < 0:
        raise UsageError(
            f"PATH is {len(path):,} characters, and counted processes pad theirs to {length:,} "
            "so that its length cannot move the counts: shorten PATH"
        )
    return f"{path}{os.pathsep}{_NO_DIRECTORY}{'/' * filler}"


def pinned_environment(package_root: Path) -> dict[str, str]:
    """The worker's whole environment: the environment's size moves the start-up stack, so it is fixed.

    Nothing else of the caller's environment passes, not even a core type forced for the
    host's BLAS (``OPENBLAS_CORETYPE``): under valgrind BLAS sees valgrind's guest CPU,
    not the host's, and a variable present on one machine and not on another moved every
    count. BLAS runs single-threaded: callgrind counts every thread, and the idle spinning
    of OpenBLAS's helper threads depends on timing (it moved a case's count by 0.3%).
    glibc's mmap threshold is fixed: left dynamic, whether a growing list's ``realloc``
    could extend in place or had to copy depended on what else the heap held, so a change
    to unrelated code (one more slot in another class) moved building tuples by 1.2%; with
    large blocks always mapped, they grow by ``mremap`` and the count no longer moves.
    """
    return {
        "PATH": padded_path(os.environ.get("PATH", DEFAULT_PATH)),
        "PYTHONPATH": str(package_root),
        "PYTHONHASHSEED": "0",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_MMAP_THRESHOLD_": "65536",
        # Modules load from the byte code compile_sources wrote; see there.
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def fixed_length_paths(
    work: Path, code: Code = HEAD, distribution: str | None = DISTRIBUTION, packages: Path | None = None
) -> tuple[Path, str]:
    """The package root and interpreter as the worker sees them: through links in ``work``.

    Every module's file name, ``sys.path`` and ``sys.prefix`` are strings the worker
    allocates, so their lengths move the heap: the same commit counted dict records 1%
    apart from two checkouts, and CI's clone and the baseline's worktree are never at the
    same path. ``work`` is a fixed-length path in the system's temporary directory (not
    in the run), and the links in it make every such string the same length wherever the
    checkout and its virtual environment are. Only the packages are linked, not the
    checkout's root: the import system caches a listing of each directory on the path,
    and a checkout holding more files (a virtual environment, old runs) moved numpy's
    counts by 2%. The virtual environment is a stand-in (:func:`environment.shell`) that
    shows the worker ``distribution``'s requirements and nothing else of the caller's
    (None: all of its ``site-packages``), as ``packages`` holds them where given
    (:func:`environment.recompiled`).
    """
    root = work / "src"
    root.mkdir()
    for package in code.entries:
        (root / package).symlink_to((code.root / package).resolve(), target_is_directory=True)
    executable = Path(sys.executable)
    if not _in_virtual_environment():
        # Not a virtual environment: the interpreter's own paths are the installation's.
        return root, sys.executable
    return root, str(environment.shell(work / "env", Path(sys.prefix), executable, distribution, packages))


def _in_virtual_environment() -> bool:
    return sys.prefix != sys.base_prefix and Path(sys.executable).is_relative_to(sys.prefix)


def valgrind_command(cache: CacheModel | None = None) -> list[str]:
    """The valgrind prefix of a counting worker (output files land in its working directory).

    With ``cache``, callgrind also simulates that cache hierarchy and counts its misses.

    Address-space randomization is switched off where ``setarch`` can: with it on, building
    dicts counted up to 0.14% apart from one process to the next; with it off, 0.001%.
    """
    no_randomization = ["setarch", "-R"] if _can_pin_addresses() else []
    return [
        *no_randomization,
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=callgrind.out.%p",
        "--quiet",
        *(cache.options() if cache is not None else []),
    ]


@functools.cache
def _can_pin_addresses() -> bool:
    if shutil.which("setarch") is None:
        return False
    done = subprocess.run(["setarch", "-R", "true"], capture_output=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def scratch_directory(key: str | None = None) -> Iterator[Path]:
    """A counting process's scratch directory, at a path of one length (the pid padded), removed afterwards.

    With ``key`` (a pytest-benchmark test's case id) the path is the same in every session
    that counts it: the characters of the path, not only its length, reach the counted
    process (its directory listings and the dicts that hold them), and a test counted
    from directories whose names differed only in their last random letter counted
    12,214,686 or 11,765,151 instructions (two states, 3.7% apart) by that letter alone.
    Taken by a live run, it falls back to a fresh name.

    Left behind by a run killed outright, it is removed by the next run
    (:func:`remove_stale_scratch`).
    """
    if key is not None:
        digest = hashlib.sha256(key.encode()).hexdigest()[:14]
        path = Path(tempfile.gettempdir()) / f"{_SCRATCH_PREFIX}case-{digest}"
        if _owner_gone(path):
            shutil.rmtree(path, ignore_errors=True)
        try:
            path.mkdir()
        except FileExistsError:
            pass
        else:
            (path / _OWNER).write_text(str(os.getpid()), encoding="utf-8")
            try:
                yield path
            finally:
                shutil.rmtree(path, ignore_errors=True)
            return
    with tempfile.TemporaryDirectory(prefix=f"{_SCRATCH_PREFIX}{os.getpid():010d}-") as scratch:
        yield Path(scratch)


_OWNER = "owner.pid"


def _owner_gone(path: Path) -> bool:
    """Whether ``path`` is a named scratch directory whose run no longer exists."""
    try:
        owner = (path / _OWNER).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return owner.isdigit() and not _alive(int(owner))


def fingerprint(cpu: str | None, cache: CacheModel | None = None, *, recompiled: bool = False) -> dict[str, Any]:
    """What a run's counts depend on, as it stores them (``metadata.counts``): compared before counts are.

    ``recompiled``: its workers import their requirements from :func:`environment.recompiled`
    packages where they can, whose byte code names :data:`environment.COMPILED_AS` wherever
    the caller's environment is.
    """
    renamed = recompiled and _in_virtual_environment() and environment.recompilable(Path(sys.prefix), DISTRIBUTION)
    described: dict[str, Any] = {
        "valgrind": valgrind_version(),
        "interpreter": build_identity(),
        "cpu": cpu,
        "guest_cpu": guest_cpu(),
        # The lines the digest is made of, so that two runs whose guests differ can say where.
        "guest_cpu_features": list(guest_cpu_features()),
        "compiled_at": environment.COMPILED_AS if renamed else compiled_at(),
    }
    if cache is not None:
        described["cache"] = {"model": cache.describe(), "estimate": cycles.describe()}
    return described


def compiled_at(module: str = "pyperf") -> str | None:
    """The directory pip compiled the installed packages in, as their byte code names it, or None.

    The stand-in (:func:`environment.shell`) hides the caller's environment from the
    workers but for one place: the byte code of each installed module names the file it
    was compiled from, and the interpreter reads that name before it puts the one it
    found the module at in its place. The name's length, not its characters, moves the
    heap the counted calls start from. One commit counted from environments installed at
    ``/work/main/.venv`` and at a path 24 characters longer: instructions up to 0.05%
    apart (numpy's and scipy's cases; 16 of 29 cases the same), estimated cycles up to
    0.57% (the monotonic window, whose instructions were the same). From an environment
    installed at a path of the same length, and from that one copied to a longer path
    (its byte code unchanged), every figure of the windows suite was the same. ``module``
    is one every environment that runs pipebench has installed. A run's workers import
    byte code renamed to one path (:func:`environment.recompiled`); a counted pytest
    test imports the caller's whole ``site-packages`` as it is, and depends on this.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.cached:
        return None
    try:
        data = Path(spec.cached).read_bytes()
        code = marshal.loads(data[16:])
    except (OSError, ValueError, EOFError, TypeError):
        return None
    name = getattr(code, "co_filename", "")
    # The file's place under the package's directory is the installation's; what comes
    # before it is where pip compiled it.
    tail = str(Path(spec.origin).relative_to(Path(spec.origin).parents[1]))
    return name[: -len(tail) - 1] if name.endswith(tail) else None


def count_case(
    case: Case,
    size: str,
    keep: Path,
    plan: CountPlan = PLAN,
    code: Code = HEAD,
    cache: CacheModel | None = None,
    packages: Path | None = None,
) -> dict[str, Any]:
    """Count one case in a fresh process under callgrind; keep its second dump in ``keep``.

    With ``cache``, the figures hold the case's first- and last-level misses per call too.
    With ``packages`` (:func:`environment.recompiled`), the worker imports its requirements from there.

    Raises:
        BenchError: the worker failed or callgrind wrote no dump.
    """
    with scratch_directory() as work:
        spec = {"size": size, "case": case.id, "calls": list(plan.calls), "warmups": plan.warmups}
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        package_root, python = fixed_length_paths(work, code, packages=packages)
        run_module(
            "pipebench.counts.worker",
            ["spec.json", "case.json"],
            f"counting worker for {case.id}",
            prefix=valgrind_command(cache),
            env=pinned_environment(package_root),
            cwd=work,
            python=python,
        )
        result = json.loads((work / "case.json").read_text(encoding="utf-8"))
        kept = keep / case_file_name(case.id, ".callgrind.out")
        figures = figures_of_dumps(work, result["pid"], case.id, kept, plan, cached=cache is not None)
        return figures | {"records": result["records"]}


def figures_of_dumps(
    work: Path, pid: int, what: str, keep: Path, plan: CountPlan = PLAN, *, cached: bool = False
) -> dict[str, float]:
    """Per-call figures from a counting process's two labelled dumps in ``work``; the second kept as ``keep``.

    With ``cached`` (callgrind simulated a cache), the first- and last-level misses per call too.

    Raises:
        BenchError: callgrind wrote no dump for one of the two segments.
    """
    dumps = {}
    for path in work.glob(f"callgrind.out.{pid}.*"):
        profile = callgrind.parse(path.read_text(encoding="utf-8", errors="replace"))
        dumps[profile.label] = (profile, path)
    low, high = plan.calls
    try:
        (first, _), (second, second_path) = dumps[label(low)], dumps[label(high)]
    except KeyError:
        raise BenchError(f"counting {what}: callgrind wrote no dump for it") from None
    shutil.copyfile(second_path, keep)
    figures = {
        "instructions": (second.instructions - first.instructions) / (high - low),
        "allocations": (second.allocations - first.allocations) / (high - low),
    }
    if cached:
        try:
            (l1_high, ll_high), (l1_low, ll_low) = cycles.misses(second.totals), cycles.misses(first.totals)
        except KeyError:
            raise BenchError(f"counting {what}: callgrind simulated no cache") from None
        # A call that misses no more often than the switches' own code does can come out
        # a fraction of a miss below zero: none is what it missed.
        figures[L1_MISSES] = max((l1_high - l1_low) / (high - low), 0.0)
        figures[LL_MISSES] = max((ll_high - ll_low) / (high - low), 0.0)
    return figures


def compile_sources(code: Code = HEAD) -> None:
    """Write the byte code of the checkout's packages before counting, so every worker loads it.

    A module compiled at import and one loaded from its cached byte code are different
    objects in memory: a worker that compiled the sources (the first run in a fresh
    checkout) counted the monotonic window 150,000 instructions a call (0.15%) apart from
    one that loaded them. The file name compiled into the byte code is the same wherever
    the checkout is (``/pipebench/...``; the import system puts the real one in on
    loading): with the checkout's own path in it, scipy's windows counted 2% apart from
    two checkouts. Installed packages come with their byte code already.

    Raises:
        BenchError: a source does not compile.
    """
    root = code.root.resolve() if code.root == PACKAGE_ROOT else code.root
    sources = [str(root / package) for package in code.entries]
    arguments = ["-q", "-f", "-s", str(root), "-p", "/pipebench", *sources]
    run_module("compileall", arguments, "compiling the sources", env=pinned_environment(root))


def remove_stale_scratch(root: Path | None = None) -> None:
    """Remove the scratch directories of counting runs whose process no longer exists (killed outright)."""
    for path in Path(root or tempfile.gettempdir()).glob(f"{_SCRATCH_PREFIX}*"):
        owner = path.name.removeprefix(_SCRATCH_PREFIX).split("-", 1)[0]
        if (owner.isdigit() and not _alive(int(owner))) or _owner_gone(path):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def measure(
    cases: Sequence[Case],
    size: str,
    directory: Path,
    jobs: int = 2,
    progress: Progress | None = None,
    code: Code = HEAD,
    cache: CacheModel | None = None,
) -> dict[str, dict[str, Any]]:
    """Counts for every case, keyed by case id, ``jobs`` processes at a time (counts ignore load).

    With ``cache``, under that simulated cache hierarchy (the misses and estimated cycles too).
    """
    remove_stale_scratch()
    compile_sources(code)
    with scratch_directory() as shared:
        packages = (
            environment.recompiled(shared / "site-packages", Path(sys.prefix), DISTRIBUTION)
            if _in_virtual_environment()
            else None
        )
        count = functools.partial(count_case, size=size, keep=directory, code=code, cache=cache, packages=packages)
        return per_case(count, cases, jobs, progress, "count")


def rows(
    cases: Sequence[Case], figures: dict[str, dict[str, Any]], version: str, weights: Weights = cycles.WEIGHTS
) -> list[Row]:
    """Tidy rows: instructions and allocations per call and per record for every case counted.

    A case whose figures hold no ``records`` (a pytest-benchmark test: what it processes is
    its own) has its figures per call only.

    Cases counted with cache simulation add their misses per call and their estimated cycles
    (by ``weights``) per call and per record.
    """
    out = []
    for case in cases:
        data = figures[case.id]
        records = max(data["records"], 1) if data.get("records") is not None else None
        values = {INSTRUCTIONS: data["instructions"], ALLOCATIONS: data["allocations"]}
        if records is not None:
            values |= {
                INSTRUCTIONS_PER_RECORD: data["instructions"] / records,
                ALLOCATIONS_PER_RECORD: data["allocations"] / records,
            }
        if L1_MISSES in data:
            estimated = cycles.estimate(data["instructions"], data[L1_MISSES], data[LL_MISSES], weights)
            values |= {L1_MISSES: data[L1_MISSES], LL_MISSES: data[LL_MISSES], ESTIMATED_CYCLES: estimated}
            if records is not None:
                values[ESTIMATED_CYCLES_PER_RECORD] = estimated / records
        for metric, value in values.items():
            out.append(make_row(case, metric, [[value]], tool="callgrind", tool_version=version))
    return out
