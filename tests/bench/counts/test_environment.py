"""The environment a counting worker sees: the interpreter and requirements, nothing naming where they live."""

import marshal
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


def _installed_demo(prefix):
    """A prefix whose site-packages holds ``app``, which requires ``demo``, compiled there."""
    site_packages = prefix / "lib" / "python3.11" / "site-packages"
    package = site_packages / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def answer():\n    return 42\n", encoding="utf-8")
    info = site_packages / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", encoding="utf-8")
    (info / "RECORD").write_text("demo/__init__.py,,\ndemo-1.0.dist-info/METADATA,,\n", encoding="utf-8")
    app = site_packages / "app-1.0.dist-info"
    app.mkdir()
    metadata = "Metadata-Version: 2.1\nName: app\nVersion: 1.0\nRequires-Dist: demo\n"
    (app / "METADATA").write_text(metadata, encoding="utf-8")
    (app / "RECORD").write_text("app-1.0.dist-info/METADATA,,\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return site_packages


def test_recompiled_byte_code_is_the_same_from_environments_at_paths_of_any_length(tmp_path):
    payloads = []
    for prefix in (tmp_path / "a", tmp_path / "an-environment-at-a-much-longer-path"):
        site_packages = _installed_demo(prefix)
        packages = environment.recompiled(tmp_path / f"recompiled-{prefix.name}", prefix, "app")
        cached = packages / "demo" / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc"
        code = marshal.loads(cached.read_bytes()[16:])
        assert code.co_filename == "/site-packages/demo/__init__.py"
        assert all(c.co_filename == code.co_filename for c in code.co_consts if hasattr(c, "co_filename"))
        # The sources are the caller's files, linked; only the byte code is written anew.
        assert os.readlink(packages / "demo" / "__init__.py") == str(site_packages / "demo" / "__init__.py")
        payloads.append(cached.read_bytes()[16:])
    assert payloads[0] == payloads[1]


def test_the_shell_links_its_site_packages_to_the_recompiled_packages(tmp_path):
    prefix = tmp_path / "prefix"
    site_packages = _installed_demo(prefix)
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\ncommand = python -m venv prefix\n", encoding="utf-8")
    (prefix / "bin").mkdir()
    (prefix / "bin" / "python").symlink_to(sys.executable)
    packages = environment.recompiled(tmp_path / "recompiled", prefix, "app")
    environment.shell(tmp_path / "env", prefix, prefix / "bin" / "python", "app", packages)
    farm = tmp_path / "env" / site_packages.relative_to(prefix)
    assert {entry.name for entry in farm.iterdir()} == {"app-1.0.dist-info", "demo", "demo-1.0.dist-info"}
    assert os.readlink(farm / "demo") == str(packages / "demo")


def test_nothing_is_recompiled_where_the_requirements_cannot_be_told(tmp_path):
    _installed_demo(tmp_path / "prefix")
    assert environment.recompiled(tmp_path / "recompiled", tmp_path / "prefix", "not-installed-here") is None
    assert not (tmp_path / "recompiled").exists()
