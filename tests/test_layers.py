"""The layering contracts (import-linter, pyproject.toml) hold, and fail when an import points the wrong way."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(where):
    return subprocess.run([str(LINT), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120)


def test_the_house_keeps_its_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_a_statistic_that_imports_a_report_breaks_the_contract(tmp_path):
    for name in ("bench", "pipeline"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    stats = tmp_path / "bench" / "stats.py"
    stats.write_text(stats.read_text() + "\nfrom bench.report import analysis  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "bench.stats is not allowed to import bench.report" in result.stdout
