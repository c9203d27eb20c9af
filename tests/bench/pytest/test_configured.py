"""The options that give pipebench's own pytest processes the session's configuration file and root."""

from pathlib import Path

from pipebench.pytest.configured import session_options

WARNING = ["-W", "ignore::pytest_benchmark.logger.PytestBenchmarkWarning"]


def test_the_sessions_file_is_named_through_the_link_that_reaches_the_root(tmp_path):
    root = tmp_path / "project"
    options = session_options(root / "pyproject.toml", root, reached_as=Path("p"))
    assert options == ["--config-file=p/pyproject.toml", "--rootdir=p", *WARNING]


def test_a_file_outside_the_root_keeps_its_own_path(tmp_path):
    root, elsewhere = tmp_path / "project", tmp_path / "shared" / "pytest.ini"
    assert session_options(elsewhere, root, reached_as=Path("p"))[0] == f"--config-file={elsewhere}"
    assert session_options(elsewhere, root)[:2] == [f"--config-file={elsewhere}", f"--rootdir={root}"]


def test_a_session_without_a_file_gives_its_root_and_the_warning_filter_only(tmp_path):
    assert session_options(None, tmp_path) == [f"--rootdir={tmp_path}", *WARNING]
