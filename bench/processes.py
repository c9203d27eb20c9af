"""Running the harness's worker processes: one-line failures, nothing left behind.

Workers import the same packages as the process that starts them, whatever its working
directory: the directory holding them goes first on their ``PYTHONPATH``. So a run
started from a scratch copy of the tree measures that copy, and a run started elsewhere
measures the installed checkout.

A worker never outlives the run: on Linux it is killed when its parent dies, even by
``kill -9`` (``PR_SET_PDEATHSIG``), and :func:`stop_all` kills every live worker when the
run is interrupted (Ctrl-C, SIGTERM), so that none keeps writing into the run directory.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipebench.errors import BenchError
from pipebench.provenance import PACKAGE_ROOT

_PR_SET_PDEATHSIG = 1
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
Item = TypeVar("Item")
Result = TypeVar("Result")


HARNESS = "pipebench"
"""The harness's import name (the repository's folder ``bench/``); always the working tree's."""

MEASURED = {"pipebench_pipeline": "pipeline"}
"""The code a run measures: import name -> the repository's folder that holds it."""

_FORMER_NAMES = {"pipebench_pipeline": "pipeline"}
"""The import name each measured package had in trees older than its own (see
:mod:`pipebench.former_names`)."""


@dataclass(frozen=True)
class Code:
    """Where a worker imports its packages from: a directory holding them under their import names.

    :data:`HEAD` is the checkout itself (in the repository, ``pipebench`` and
    ``pipebench_pipeline`` are links to ``bench/`` and ``pipeline/``; installed, they are
    the packages). :meth:`linked` makes a directory of links that takes the harness from
    the checkout and the measured packages from another tree (the base side of an A/B
    run, a worktree of another commit); its workers start in that directory, so that
    nothing of the caller's working directory is imported instead.
    """

    root: Path
    cwd: Path | None = None
    entries: tuple[str, ...] = (HARNESS, *MEASURED)
    """The entries of ``root`` a worker imports, and nothing else of it."""

    @classmethod
    def linked(cls, directory: Path, measured_from: Path) -> Code:
        """Links in a new ``directory``: the harness to the checkout's, the measured packages to ``measured_from``'s."""
        directory.mkdir(parents=True)
        (directory / HARNESS).symlink_to((PACKAGE_ROOT / HARNESS).resolve(), target_is_directory=True)
        entries = [HARNESS]
        for name, folder in MEASURED.items():
            source = Path(measured_from) / folder
            former = _FORMER_NAMES.get(name)
            if former and _imports_itself_as(source, former):
                (directory / former).symlink_to(source, target_is_directory=True)
                bridge = f"from {HARNESS}.former_names import alias\n\nalias(__name__, {former!r})\n"
                (directory / f"{name}.py").write_text(bridge, encoding="utf-8")
                entries += [former, f"{name}.py"]
            else:
                (directory / name).symlink_to(source, target_is_directory=True)
                entries.append(name)
        return cls(directory, cwd=directory, entries=tuple(entries))


def _imports_itself_as(package: Path, name: str) -> bool:
    """Whether the modules of ``package`` import one another as ``name`` (absolute imports)."""
    marker = (f"from {name}.", f"import {name}.", f"from {name} import")
    return any(
        line.lstrip().startswith(marker)
        for source in package.glob("*.py")
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines()
    )


HEAD = Code(PACKAGE_ROOT)


def worker_environment(base: Mapping[str, str] | None = None, code: Code = HEAD) -> dict[str, str]:
    """``base`` (the current environment by default) with ``code``'s root first on ``PYTHONPATH``."""
    environment = dict(os.environ if base is None else base)
    paths = [str(code.root), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


# BLAS on one thread. A timing worker that waits its turn in an A/B pair must not run at
# all: its BLAS's helper threads, idle-spinning after numpy starts, took the other vCPU and
# doubled some of the measuring side's values in CPU time (records at n=1,000: 217 or
# 390-420 ns/record from one round to the next, A/A head over base ratios from 0.51 to
# 1.99). A memory worker forks a child per case, and a fork copies only the thread that
# calls it.
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def single_threaded_environment(code: Code = HEAD) -> dict[str, str]:
    """:func:`worker_environment` with numerical libraries held to one thread each."""
    return {**worker_environment(code=code), **_ONE_THREAD}


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_module(
    module: str,
    arguments: Sequence[str],
    what: str,
    *,
    prefix: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    python: str = sys.executable,
    code: Code = HEAD,
) -> None:
    """Run ``[prefix...] python -m module arguments`` to completion (``python``: this interpreter).

    The worker imports ``code`` (the checkout by default) unless ``env`` is given whole.

    Raises:
        BenchError: the process failed; the message names ``what`` and the last line the
            process wrote to stderr.
    """
    with started(module, arguments, prefix=prefix, env=env, cwd=cwd, python=python, code=code) as process:
        _, stderr = process.communicate()
    check_exit(process, stderr, what)


def module_output(module: str, arguments: Sequence[str], what: str, *, code: Code = HEAD) -> str:
    """What ``python -m module arguments`` prints, run to completion with ``code``.

    Raises:
        BenchError: as :func:`run_module`.
    """
    with started(module, arguments, code=code) as process:
        stdout, stderr = process.communicate()
    check_exit(process, stderr, what)
    return stdout


def check_exit(process: subprocess.Popen, stderr: str, what: str) -> None:
    """Raise if ``process`` failed.

    Raises:
        BenchError: it exited non-zero; the message names ``what`` and its last line on stderr.
    """
    if process.returncode != 0:
        last = (stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{what} failed with exit code {process.returncode}: {last}")


@contextmanager
def started(
    module: str,
    arguments: Sequence[str],
    *,
    prefix: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    python: str = sys.executable,
    code: Code = HEAD,
) -> Iterator[subprocess.Popen]:
    """A running ``python -m module`` worker with pipes on its three streams, killed if the block fails.

    It is one of the live workers :func:`stop_all` kills, and it dies with its parent.
    """
    process = subprocess.Popen(
        [*prefix, python, "-m", module, *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=worker_environment(code=code) if env is None else dict(env),
        cwd=cwd if cwd is not None else code.cwd,
        preexec_fn=_die_with_parent,
    )
    with _live_lock:
        _live.add(process)
    try:
        yield process
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        with _live_lock:
            _live.discard(process)


def stop_all() -> None:
    """Kill every worker still running (the run was interrupted)."""
    with _live_lock:
        running = list(_live)
    for process in running:
        process.kill()


def parallel(function: Callable[[Item], Result], items: Iterable[Item], jobs: int) -> list[Result]:
    """``function`` over ``items`` in ``jobs`` threads (each driving a worker process), in order.

    On any exception, interruption included, the workers still running are killed and the
    items not started are dropped before the exception goes on.
    """
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        return list(pool.map(function, items))
    except BaseException:
        stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def per_case(
    measure_one: Callable[[Any], Result],
    cases: Sequence[Any],
    jobs: int,
    progress: Callable[[str], None] | None,
    what: str,
) -> dict[str, Result]:
    """``measure_one`` of every case, ``jobs`` at a time, keyed by case id; each finished case reported."""

    def one(case: Any) -> tuple[str, Result]:
        figures = measure_one(case)
        if progress is not None:
            progress(f"{what} {case.id}")
        return case.id, figures

    return dict(parallel(one, cases, jobs))
