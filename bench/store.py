"""The results store: run directories, their layout, and every file pipebench itself writes there.

A run directory holds::

    results.json    the tidy results (pipebench.results schema), written last
    pyperf.json     the raw pyperf BenchmarkSuite (python -m pyperf stats / compare_to)
    memray/         one memray capture per case (memray stats / flamegraph), plus HTML
    callgrind/      one callgrind profile per counted case (callgrind_annotate, KCachegrind)
    INCOMPLETE      present from the start until results.json is in place
    base/           an A/B run's base side, a run directory of its own (the head's is the run itself)

A run is written through one :class:`RunWriter`. Every file written here goes to a
temporary name in the same directory and is renamed into place, so a reader never sees
half a file; a run that was interrupted keeps its ``INCOMPLETE`` marker and is refused by
:func:`load_run`. The measuring tools write their own native files (memray's captures,
callgrind's profiles) into the directories the writer makes for them, named by
:func:`case_file_name`, and workers pass figures through its scratch directory. Run ids
(:func:`run_id`) name the directories.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipebench.errors import InputError
from pipebench.results import Row, RunResults

RESULTS_FILE = "results.json"
PYPERF_FILE = "pyperf.json"
MEMRAY_DIR = "memray"
CALLGRIND_DIR = "callgrind"
INCOMPLETE_MARKER = "INCOMPLETE"
SCRATCH_DIR = ".scratch"
BASE_DIR = "base"
"""In an A/B run (``pipebench run --against REV``), the base side's own run directory."""
DEFAULT_RUNS_ROOT = Path("results") / "runs"

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
"""How a moment is written in run ids and directory names (UTC)."""
RUN_ID = re.compile(r"^\d{8}T\d{6}Z_")
"""The start of every run id (:data:`STAMP_FORMAT`, then ``_``): how a run directory is recognized."""


def stamp(moment: datetime) -> str:
    """``moment`` as :data:`STAMP_FORMAT`."""
    return moment.strftime(STAMP_FORMAT)


def run_id(metadata: Mapping[str, Any]) -> str:
    """``<UTC timestamp>_<commit>`` (``-dirty`` appended when the tree had changes)."""
    when = stamp(datetime.fromisoformat(metadata["timestamp"]))
    return f"{when}_{metadata['commit']}" + ("-dirty" if metadata["dirty"] else "")


def case_file_name(case_id: str, suffix: str) -> str:
    """The name of one case's file in a tool directory (``windows-strategy=deque-n=1000-w=10.bin``).

    Safe on every file system; memray's captures, callgrind's profiles and the CPU profiles
    are all named this way, so every reader finds a case's file from its id alone.
    """
    return re.sub(r"[^A-Za-z0-9=._-]+", "-", case_id).strip("-") + suffix


def memray_capture(directory: Path, case_id: str) -> Path:
    """Where a case's memray capture is in a run's :data:`MEMRAY_DIR` (``memray stats`` reads it there)."""
    return directory / case_file_name(case_id, ".bin")


def _file_mode() -> int:
    """The mode an ordinary ``open()`` would give a new file (mkstemp's is owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace_atomically(path: Path, fill: Callable[[str], None]) -> None:
    """Have ``fill`` write a temporary file beside ``path``, then rename it over ``path``.

    The rename is atomic, so ``path`` is either the old file or the whole new one, never a
    part; a failure (or an interruption) removes the temporary file.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        fill(temporary)
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and an atomic rename."""

    def fill(temporary: str) -> None:
        with open(temporary, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())

    _replace_atomically(Path(path), fill)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and an atomic rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=False) + "\n")


def check_new_run_dir(run_dir: Path) -> None:
    """Refuse, before anything is measured, a run directory :func:`start_run` could not make.

    Raises:
        InputError: it is a file, a directory that is not empty, or under a directory this
            process cannot write.
    """
    run_dir = Path(run_dir)
    check_output_dir(run_dir)
    if run_dir.is_dir() and any(run_dir.iterdir()):
        raise InputError(f"{run_dir}: output directory exists and is not empty")


def check_output_dir(directory: Path) -> None:
    """Refuse, before any work, a directory :func:`output_dir` could not make or write into.

    Raises:
        InputError: it is a file, or it or the nearest directory above it that exists is
            not one this process can write.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: exists and is not a directory")
    existing = next(parent for parent in [directory, *directory.absolute().parents] if parent.exists())
    # Tried, not asked: os.access says yes to root everywhere, /proc included.
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".pipebench-", dir=existing))
    except OSError as error:
        raise InputError(f"{directory}: cannot create the directory ({error.strerror or error})") from None


def start_run(run_dir: Path) -> Path:
    """Create ``run_dir`` (which must not exist or be empty) marked incomplete.

    Raises:
        InputError: ``run_dir`` exists and is not empty.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError(f"{run_dir}: exists and is not a directory")
    try:
        if run_dir.exists() and any(run_dir.iterdir()):
            raise InputError(f"{run_dir}: output directory exists and is not empty")
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run_dir / INCOMPLETE_MARKER, "this run has not finished; its results are not usable\n")
    except OSError as error:
        raise InputError(f"{run_dir}: cannot create the run directory ({error.strerror or error})") from None
    return run_dir


def output_dir(directory: Path) -> Path:
    """``directory``, created if needed, to write a report into.

    Raises:
        InputError: it is a file, or cannot be created.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{directory}: cannot create the directory ({error.strerror or error})") from None
    return directory


def tool_dir(run_dir: Path, name: str) -> Path:
    """The run's directory ``name`` (:data:`MEMRAY_DIR`, :data:`CALLGRIND_DIR`) for a tool's files, made if missing."""
    path = Path(run_dir) / name
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def scratch(run_dir: Path) -> Iterator[Path]:
    """A scratch directory inside the run for the workers' files, removed when the block ends.

    Inside the run, not in the system's temporary directory: a run killed outright leaves
    its leftovers in its own incomplete directory, not scattered elsewhere.
    """
    path = Path(run_dir) / SCRATCH_DIR
    path.mkdir(exist_ok=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def new_run_dir(root: Path, run_id: str) -> Path:
    """A fresh directory for ``run_id`` under ``root`` (suffixed if the id is taken)."""
    candidate = Path(root) / run_id
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = Path(root) / f"{run_id}-{suffix}"
    return candidate


def write_pyperf(run_dir: Path, suite: Any) -> Path:
    """Dump a pyperf BenchmarkSuite into the run directory atomically; return its path."""
    path = Path(run_dir) / PYPERF_FILE
    _replace_atomically(path, lambda temporary: suite.dump(temporary, replace=True))
    return path


def write_files(directory: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write each named file into ``directory`` atomically; return their paths.

    Raises:
        InputError: a name is not a plain file name (it would write outside ``directory``),
            or a file cannot be written.
    """
    paths = []
    for name, content in files.items():
        if Path(name).name != name or name in (".", "..") or "\\" in name:
            raise InputError(f"{name!r}: not a plain file name; nothing is written outside {directory}")
        path = Path(directory) / name
        try:
            atomic_write_bytes(path, content if isinstance(content, bytes) else content.encode("utf-8"))
        except OSError as error:
            raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
        paths.append(path)
    return paths


def finish_run(run_dir: Path, results: RunResults) -> Path:
    """Write the tidy results, then drop the incomplete marker; return the results path."""
    path = Path(run_dir) / RESULTS_FILE
    atomic_write_json(path, results.as_dict())
    (Path(run_dir) / INCOMPLETE_MARKER).unlink(missing_ok=True)
    return path


class RunWriter:
    """One run directory being written: the only way a run reaches the disk.

    Made (empty, marked incomplete) when the writer is made, with the run's id and
    metadata; the runner and ``merge`` then ask it for the workers' scratch directory and
    the tools' directories, hand it pyperf's suite, and finish it once with the rows.
    Until :meth:`finish` the directory stays marked incomplete, so an interrupted run is
    never read as a finished one.
    """

    def __init__(self, run_dir: Path, run_id: str, metadata: Mapping[str, Any]):
        self.run_dir = start_run(run_dir)
        self.run_id = run_id
        self.metadata = dict(metadata)

    @classmethod
    def new(
        cls, metadata: Mapping[str, Any], *, out: Path | None = None, runs_root: Path = DEFAULT_RUNS_ROOT
    ) -> RunWriter:
        """A writer of a run measured now: into ``out``, else a fresh directory under ``runs_root`` named by its id."""
        identity = run_id(metadata)
        return cls(out or new_run_dir(runs_root, identity), identity, metadata)

    def scratch(self) -> contextlib.AbstractContextManager[Path]:
        """The workers' scratch directory (:func:`scratch`), removed when the block ends."""
        return scratch(self.run_dir)

    def tool_dir(self, name: str) -> Path:
        """The directory of a tool's native files (:data:`MEMRAY_DIR`, :data:`CALLGRIND_DIR`)."""
        return tool_dir(self.run_dir, name)

    def write_pyperf(self, suite: Any) -> Path:
        """Pyperf's suite of the run's values, as ``pyperf.json``."""
        return write_pyperf(self.run_dir, suite)

    def finish(self, rows: Sequence[Row], **learned: Any) -> RunResults:
        """Write the results and drop the incomplete marker; return the results.

        ``learned``: metadata known only once measuring is over (the run's conditions).
        """
        results = RunResults(self.run_id, {**self.metadata, **learned}, tuple(rows))
        finish_run(self.run_dir, results)
        return results


def is_complete(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a finished run (results written, no incomplete marker)."""
    run_dir = Path(run_dir)
    return (run_dir / RESULTS_FILE).is_file() and not (run_dir / INCOMPLETE_MARKER).exists()


def load_run(path: Path) -> RunResults:
    """Load a run from its directory (or its ``results.json``).

    Raises:
        InputError: missing, incomplete, empty, corrupt or of another schema version; the
            message names the file.
    """
    path = Path(path)
    run_dir = path.parent if path.name == RESULTS_FILE else path
    results_path = run_dir / RESULTS_FILE
    if (reason := missing(run_dir)) is not None:
        raise InputError(reason if "link" in reason else f"{run_dir}: no such run directory")
    if (run_dir / INCOMPLETE_MARKER).exists():
        raise InputError(f"{run_dir}: run is incomplete (interrupted or still running)")
    if not results_path.is_file():
        raise InputError(foreign(path) or f"{results_path}: missing (not a pipebench run directory)")
    data = read_json(results_path)
    try:
        results = RunResults.from_dict(data)
    except ValueError as error:
        raise InputError(f"{results_path}: {error}") from None
    if not results.rows:
        raise InputError(f"{results_path}: the run holds no measurements")
    return results


READS_PYTEST_BENCHMARK = (
    "only `pipebench compare` reads pytest-benchmark files; "
    "`pytest --benchmark-only --pipebench-instructions --pipebench-out DIR` "
    "writes a run that every command reads"
)


def foreign(path: Path) -> str | None:
    """What ``path`` holds if it is another tool's file, or a directory of them, in one line; else None.

    A pytest-benchmark file (``--benchmark-json``, ``--benchmark-autosave``'s ``.benchmarks/``)
    holds the times of one session, round by round with ``--benchmark-save-data``: no
    counts, no memory, no suite or reference.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.json"))[:1000]
        found = sum(1 for file in files if _kind(file) == "pytest-benchmark")
        if found:
            return f"{path}: {found} pytest-benchmark file(s), no pipebench run; {READS_PYTEST_BENCHMARK}"
        return None
    kind = _kind(path)
    if kind == "pytest-benchmark":
        benchmarks = len(read_json(path)["benchmarks"])
        return (
            f"{path}: a pytest-benchmark file ({benchmarks} benchmark(s), times only), not a pipebench run; "
            f"{READS_PYTEST_BENCHMARK}"
        )
    if kind == "pyperf":
        return f"{path}: a pyperf file (times only), not a pipebench run; only `pipebench compare` reads it"
    return None


def _kind(path: Path) -> str | None:
    """``pytest-benchmark`` or ``pyperf`` for a JSON file of that tool, else None (unreadable files too)."""
    if path.suffix != ".json" or not path.is_file():
        return None
    try:
        data = read_json(path)
    except InputError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        return None
    if "machine_info" in data:
        return "pytest-benchmark"
    return "pyperf" if "version" in data else None


@dataclass(frozen=True)
class StoredRun:
    """A finished run and the directory it was read from, where its tools' files are."""

    directory: Path
    results: RunResults


def open_run(path: Path) -> StoredRun:
    """:func:`load_run`, keeping the run's directory (``path`` itself, or the parent of its ``results.json``).

    Raises:
        InputError: as :func:`load_run`.
    """
    path = Path(path)
    return StoredRun(path.parent if path.name == RESULTS_FILE else path, load_run(path))


MAX_JSON_BYTES = 128 * 2**20
"""The largest file pipebench parses: room for a pytest-benchmark file saved with every round's
data, while a file of gigabytes is refused before it fills the memory."""


def read_json(path: Path) -> Any:
    """Parse a JSON file.

    Raises:
        InputError: unreadable, not UTF-8, not JSON (a truncated file, say), or larger than
            :data:`MAX_JSON_BYTES`; names the file.
    """
    try:
        size = Path(path).stat().st_size
        if size > MAX_JSON_BYTES:
            raise InputError(
                f"{path}: {size / 2**20:,.0f} MiB, more than the {MAX_JSON_BYTES // 2**20} MiB pipebench reads "
                "(a run of 50,000 rows is about 30 MiB)"
            )
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except RecursionError:
        raise InputError(f"{path}: unreadable JSON (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: unreadable JSON ({reason})") from None


def list_runs(root: Path = DEFAULT_RUNS_ROOT) -> list[Path]:
    """Complete run directories under ``root``, oldest first (by their timestamped names)."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if p.is_dir() and RUN_ID.match(p.name) and is_complete(p)]
    return sorted(runs, key=lambda p: p.name)


def missing(path: Path) -> str | None:
    """Why ``path`` cannot be read, in words (a link that loops, a link to nothing, nothing there), or None."""
    path = Path(path)
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{path}: a symbolic link that loops"
        if path.is_symlink():
            return f"{path}: a symbolic link to nothing ({os.readlink(path)})"
        return f"{path}: no such file or directory"
    return None


def runs_in(directory: Path) -> list[Path]:
    """``directory`` itself if it is a complete run, else the complete runs directly in it, whatever their names.

    A run's ``results.json`` names its run. Runs gathered from elsewhere (CI artifacts)
    keep the names they were given.
    """
    directory = Path(directory)
    if directory.name == RESULTS_FILE and directory.is_file():
        directory = directory.parent
    if is_complete(directory):
        return [directory]
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir() if path.is_dir() and is_complete(path))


def incomplete_in(directory: Path) -> list[Path]:
    """``directory`` itself if it is an unfinished run, else the unfinished runs directly in it."""
    directory = Path(directory)
    if directory.name == RESULTS_FILE:
        directory = directory.parent
    if (directory / INCOMPLETE_MARKER).exists():
        return [directory]
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir() if (path / INCOMPLETE_MARKER).exists())


def latest_run(root: Path = DEFAULT_RUNS_ROOT) -> Path:
    """The newest complete run under ``root``.

    Raises:
        InputError: there is none.
    """
    runs = list_runs(root)
    if not runs:
        raise InputError(f"{root}: no complete run found (run `pipebench run` first)")
    return runs[-1]
