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


def test_a_statistic_that_imports_a_report_breaks_the_contract(tmp_path, copy_packages):
    copy_packages(tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    stats = tmp_path / "bench" / "stats.py"
    stats.write_text(stats.read_text() + "\nfrom pipebench.report import analysis  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "pipebench.stats is not allowed to import pipebench.report" in result.stdout
