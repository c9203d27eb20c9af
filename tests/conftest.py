"""Fixtures shared by the whole test suite: the two command lines, called in-process."""

import io

import pytest


def _caller(main):
    def call(*argv):
        out, err = io.StringIO(), io.StringIO()
        code = main([str(argument) for argument in argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return call


@pytest.fixture(scope="session")
def pipebench():
    """``pipebench(*argv) -> (exit code, stdout, stderr)``, through :func:`bench.cli.main`."""
    from bench.cli import main

    return _caller(main)


@pytest.fixture(scope="session")
def pipeline_cli():
    """``pipeline_cli(*argv) -> (exit code, stdout, stderr)``, through :func:`pipeline.cli.main`."""
    from pipeline.cli import main

    return _caller(main)
