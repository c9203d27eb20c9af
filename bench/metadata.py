"""Where a run came from: machine, CPU, Python build, commit, tools, time.

Collected once per run by the orchestrating process and stored with the results, so a
result is never separated from the conditions it was measured under.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any


def package_version(package: str) -> str:
    try:
        return package_metadata.version(package)
    except package_metadata.PackageNotFoundError:
        return "unknown"


PIPEBENCH_VERSION = package_version("pipebench")
TOOLS = ("pipebench", "pyperf", "memray", "numpy", "scipy", "pandas", "pytest-benchmark")


def cpu_model() -> str:
    """The CPU's model name, from ``/proc/cpuinfo`` where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_state(directory: Path | None = None) -> tuple[str, bool]:
    """The short commit hash and whether the work tree has changes (``"nogit"`` outside git)."""
    where = str(directory or Path.cwd())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=7", "HEAD"], cwd=where, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "nogit", False
    return commit or "nogit", bool(status.strip())


def tool_versions() -> dict[str, str]:
    return {tool: package_version(tool) for tool in TOOLS}


def collect(size: str, now: datetime | None = None) -> dict[str, Any]:
    """The metadata of a run measured now at matrix size ``size``."""
    moment = now or datetime.now(UTC)
    commit, dirty = git_state()
    return {
        "machine": platform.node(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "executable": sys.executable,
        "commit": commit,
        "dirty": dirty,
        "timestamp": moment.isoformat(timespec="seconds"),
        "size": size,
        "tools": tool_versions(),
    }


def run_id(metadata: dict[str, Any]) -> str:
    """``<UTC timestamp>_<commit>`` (``-dirty`` appended when the tree had changes)."""
    stamp = datetime.fromisoformat(metadata["timestamp"]).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}_{metadata['commit']}" + ("-dirty" if metadata["dirty"] else "")
