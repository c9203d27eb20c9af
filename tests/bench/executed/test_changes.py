"""Changed functions come from git's diff of the measured packages; those no case executed are named."""

import subprocess
import textwrap

import pytest

from pipebench.errors import BenchError
from pipebench.executed.changes import ChangedFunction, changed_functions, changed_lines, not_measured
from pipebench.executed.functions import MODULE

ORIGINAL = textwrap.dedent(
    """\
    LIMIT = 3


    def kept(x):
        return x + 1


    def edited(x):
        y = x * 2
        return y


    def shrunk(x):
        a = x
        b = a
        return b
    """
)


def git(repository, *arguments):
    subprocess.run(["git", *arguments], cwd=repository, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "stages.py").write_text(ORIGINAL)
    (tmp_path / "pipeline" / "gone.py").write_text("def removed():\n    return 1\n")
    (tmp_path / "notes.py").write_text("def outside():\n    return 1\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    return tmp_path


def test_an_unchanged_tree_has_no_changed_function(repository):
    assert changed_functions(repository, "HEAD", ["pipeline"]) == []


def test_edits_removals_new_files_and_module_code_name_their_functions(repository):
    stages = repository / "pipeline" / "stages.py"
    text = ORIGINAL.replace("y = x * 2", "y = x * 3").replace("    b = a\n", "").replace("LIMIT = 3", "LIMIT = 4")
    stages.write_text(text)
    (repository / "pipeline" / "gone.py").unlink()
    (repository / "pipeline" / "fresh.py").write_text("def new():\n    return 2\n")
    (repository / "notes.py").write_text("def outside():\n    return 2\n")
    found = changed_functions(repository, "HEAD", ["pipeline"])
    assert found == sorted(
        [
            ChangedFunction("pipeline/stages.py", "edited"),
            ChangedFunction("pipeline/stages.py", "shrunk"),
            ChangedFunction("pipeline/stages.py", MODULE),
            ChangedFunction("pipeline/fresh.py", "new"),
        ]
    )


def test_a_base_that_is_no_commit_is_one_line(repository):
    with pytest.raises(BenchError, match=r"^git diff failed: .+$"):
        changed_functions(repository, "no-such-revision", ["pipeline"])


def test_hunks_of_additions_and_pure_removals():
    diff = (
        b"diff --git a/p/m.py b/p/m.py\n--- a/p/m.py\n+++ b/p/m.py\n"
        b"@@ -3 +3 @@ def f():\n-a\n+++b\n@@ -7,2 +6,0 @@\n-c\n-d\n@@ -1,0 +1,2 @@\n+e\n+f\n"
        b"diff --git a/p/x.py b/p/x.py\n--- a/p/x.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
    )
    assert changed_lines(diff) == {"p/m.py": {3, 6, 1, 2}}


def test_not_measured_leaves_out_what_a_case_ran_and_module_code_of_a_file_a_case_entered():
    changed = [
        ChangedFunction("pipeline/stages.py", "ThresholdFilter._reject"),
        ChangedFunction("pipeline/stages.py", "ThresholdFilter.transform"),
        ChangedFunction("pipeline/stages.py", MODULE),
        ChangedFunction("pipeline/sinks.py", MODULE),
    ]
    executed = {"stages[style=generator]": {"pipeline/stages.py": ["ThresholdFilter.transform"]}}
    assert not_measured(changed, executed) == [
        ChangedFunction("pipeline/stages.py", "ThresholdFilter._reject"),
        ChangedFunction("pipeline/sinks.py", MODULE),
    ]
    assert str(changed[0]) == "pipeline/stages.py ThresholdFilter._reject"
