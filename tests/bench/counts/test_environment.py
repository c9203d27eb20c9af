"""The environment a counting worker sees: the interpreter and requirements, nothing naming where they live."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.counts import environment

in_a_venv = pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs a virtual environment")


@in_a_venv
def test_the_shell_says_nothing_of_where_the_callers_environment_was_made(tmp_path):
    interpreter = environment.shell(tmp_path / "env", Path(sys.prefix), Path(sys.executable), "pipebench")
    configuration = (tmp_path / "env" / "pyvenv.cfg").read_text(encoding="utf-8")
    original = (Path(sys.prefix) / "pyvenv.cfg").read_text(encoding="utf-8")
    assert sys.prefix not in configuration and "command" not in configuration
    assert all(line in original for line in configuration.splitlines())
    assert os.readlink(interpreter) == os.path.realpath(sys.executable)


@in_a_venv
def test_the_shell_holds_the_requirements_and_nothing_else_installed(tmp_path):
    interpreter = environment.shell(tmp_path / "env", Path(sys.prefix), Path(sys.executable), "pipebench")
    installed = {path.name for path in (tmp_path / "env").glob("lib/python*/site-packages/*")}
    assert {"numpy", "scipy", "pyperf"} <= installed and any(name.startswith("pipebench-") for name in installed)
    # Test extras, editable installs' finders and their .pth files name other things.
    assert not {"hypothesis", "xdist", "ruff"} & installed
    assert not [name for name in installed if name.startswith("__editable__")]
    seen = subprocess.run(
        [str(interpreter), "-c", "import sys, numpy, scipy; print(sys.prefix)"],
        env={"PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert seen.stdout.strip() == str(tmp_path / "env")


@in_a_venv
def test_without_a_distribution_the_whole_site_packages_is_shown(tmp_path):
    environment.shell(tmp_path / "env", Path(sys.prefix), Path(sys.executable), None)
    assert (tmp_path / "env" / "lib").is_symlink()


@in_a_venv
def test_a_distribution_that_is_not_installed_shows_the_whole_site_packages(tmp_path):
    environment.shell(tmp_path / "env", Path(sys.prefix), Path(sys.executable), "no-such-distribution-here")
    assert (tmp_path / "env" / "lib").is_symlink()
