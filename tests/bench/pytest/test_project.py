"""The session's project as pipebench's own pytest processes see it: configuration, root, start, imports."""

import os
from pathlib import Path

from pipebench.pytest.project import Project, import_path

WARNING = ["-W", "ignore::pytest_benchmark.logger.PytestBenchmarkWarning"]


def test_the_sessions_file_is_named_through_the_link_that_reaches_the_root(tmp_path):
    root = tmp_path / "project"
    project = Project(root, root / "tests", root / "pyproject.toml")
    assert project.options(Path("p")) == ["--config-file=p/pyproject.toml", "--rootdir=p", *WARNING]
    assert project.options() == [f"--config-file={root / 'pyproject.toml'}", f"--rootdir={root}", *WARNING]


def test_a_file_outside_the_root_keeps_its_own_path_and_no_file_gives_the_root_alone(tmp_path):
    root, elsewhere = tmp_path / "project", tmp_path / "shared" / "pytest.ini"
    assert Project(root, root, elsewhere).options(Path("p"))[0] == f"--config-file={elsewhere}"
    assert Project(root, root).options() == [f"--rootdir={root}", *WARNING]


def test_where_the_session_started_is_reached_through_the_link_when_inside_the_root(tmp_path):
    root, link = tmp_path / "project", Path("/scratch/p")
    assert Project(root, root / "tests").reached(root / "tests", link) == link / "tests"
    assert Project(root, root).reached(root, link) == link
    assert Project(root, tmp_path).reached(tmp_path, link) == tmp_path


def test_the_import_path_is_the_sessions_with_entries_inside_the_root_through_the_link(tmp_path):
    root, elsewhere = tmp_path / "project", tmp_path / "lib"
    path = [str(root / "tests"), str(root)]
    python_path = os.pathsep.join([str(root / "src"), str(elsewhere)])
    entries = import_path(root, root, path, python_path)
    assert entries == [".", "src", str(elsewhere)]
    link = Path("/scratch/p")
    assert Project(root, root, imports_from=tuple(entries)).import_entries(link) == [
        "/scratch/p",
        "/scratch/p/src",
        str(elsewhere),
    ]
    # pytest's console script does not put the directory it started in on the path.
    assert import_path(root, root, [str(root / "tests")], None) == []
