"""Fixtures shared by the whole test suite: the two command lines, called in-process; scratch copies of the tree."""

import io
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _own_sessions_are_not_xdist_workers():
    """Run the pytest sessions tests start as sessions of their own, also under ``pytest -n``.

    pytest-xdist tells its workers who they are through ``PYTEST_XDIST_*`` variables, which
    a session a test starts would inherit; pytest-benchmark reads them, takes that session
    for a worker and disables its timing (``--benchmark-only`` then ends in a usage error).
    """
    inherited = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("PYTEST_XDIST_")}
    yield
    os.environ.update(inherited)


def _caller(main):
    def call(*argv):
        out, err = io.StringIO(), io.StringIO()
        code = main([str(argument) for argument in argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return call


@pytest.fixture(scope="session")
def pipebench():
    """``pipebench(*argv) -> (exit code, stdout, stderr)``, through :func:`pipebench.cli.main`."""
    from pipebench.cli import main

    return _caller(main)


@pytest.fixture(scope="session")
def pipeline_cli():
    """``pipeline_cli(*argv) -> (exit code, stdout, stderr)``, through :func:`pipebench_pipeline.cli.main`."""
    from pipebench_pipeline.cli import main

    return _caller(main)


def _copy_packages(destination):
    from pipebench.processes import HARNESS, MEASURED

    destination.mkdir(parents=True, exist_ok=True)
    for name in (HARNESS, *MEASURED):
        folder = (ROOT / name).readlink()
        shutil.copytree(ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
        (destination / name).symlink_to(folder, target_is_directory=True)
    return destination


@pytest.fixture(scope="session")
def copy_packages():
    """``copy_packages(destination)``: the repository's packages copied there, with the links that name them."""
    return _copy_packages
