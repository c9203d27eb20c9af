"""Run metadata: the run id, the git state of the measured checkout, versions."""

import subprocess
from datetime import UTC, datetime

from pipebench import provenance


def test_collect_records_the_moment_the_size_and_the_tools():
    moment = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    info = provenance.collect("quick", now=moment)
    assert info["timestamp"] == "2026-11-29T10:00:00+00:00" and info["size"] == "quick"
    assert set(info["tools"]) == set(provenance.TOOLS) and info["tools"]["pipebench"] != "unknown"


def test_a_package_that_is_not_installed_has_version_unknown():
    assert provenance.package_version("no-such-package-pipebench") == "unknown"


def _git(where, *arguments):
    subprocess.run(["git", *arguments], cwd=where, check=True, capture_output=True)


def test_git_state_tells_a_clean_tree_from_a_changed_one_and_two_changes_apart(tmp_path):
    assert provenance.git_state(tmp_path) == ("nogit", False, None)
    _git(tmp_path, "init", "-q")
    (tmp_path / "f.py").write_text("x = 1\n")
    _git(tmp_path, "add", "f.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    commit, dirty, patch = provenance.git_state(tmp_path)
    assert len(commit) == 7 and not dirty and patch is None
    (tmp_path / "f.py").write_text("x = 2\n")
    first = provenance.git_state(tmp_path)
    (tmp_path / "f.py").write_text("x = 3\n")
    second = provenance.git_state(tmp_path)
    assert first[1] and second[1] and first[2] != second[2]
