"""Shards: whole groups dealt out, merged back into the run they were cut from."""

import json
from pathlib import Path

import pytest

from pipebench.cases import expand
from pipebench.errors import UsageError
from pipebench.run.shards import parse_shard, shard_of

CASES = expand(
    "windows",
    {"strategy": ["deque", "scipy"], "n": [1000], "w": [10, 50, 500, 1000]},
    variant_axis="strategy",
    reference="deque",
)


def test_shards_deal_whole_groups_and_together_hold_every_case_once():
    parts = [shard_of(CASES, (index, 3)) for index in (1, 2, 3)]
    assert sorted(c.id for part in parts for c in part) == sorted(c.id for c in CASES)
    for part in parts:
        groups = {c.group for c in part}
        assert all(sum(c.group == g for c in part) == 2 for g in groups)  # the reference stays with its variant
    assert [len(part) for part in parts] == [4, 2, 2]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "2", "1/3/4"])
def test_a_shard_that_is_not_k_of_n_is_refused(text):
    with pytest.raises(UsageError, match="K/N"):
        parse_shard(text)


@pytest.mark.slow
def test_three_shards_merged_equal_the_unsharded_run_case_for_case_and_count_for_count(pipebench, tmp_path):
    selection = ["run", "--suite", "windows", "-k", "scipy,n=1000,", "--no-memory", "--instructions", "--no-progress"]
    code, _, err = pipebench(*selection, "--out", tmp_path / "whole")
    assert code == 0, err
    for index in (1, 2, 3):
        code, _, err = pipebench(*selection, "--shard", f"{index}/3", "--out", tmp_path / f"s{index}")
        assert code == 0, err
    code, out, err = pipebench("merge", tmp_path / "s1", tmp_path / "s2", tmp_path / "s3", "--out", tmp_path / "merged")
    assert code == 0 and out == f"run: {tmp_path / 'merged'}\n", err

    def figures(run, metrics):
        rows = json.loads((tmp_path / run / "results.json").read_text())["rows"]
        return {(r["case_id"], r["metric"]): r["summary"]["median"] for r in rows if r["metric"] in metrics}

    counted = ("instructions", "allocations")
    assert figures("merged", counted) == figures("whole", counted)
    assert figures("merged", ("time_per_record",)).keys() == figures("whole", ("time_per_record",)).keys()
    merged = json.loads((tmp_path / "merged" / "pyperf.json").read_text())
    assert len(merged["benchmarks"]) == 6
    code, _, err = pipebench("merge", tmp_path / "s1", tmp_path / "s1", tmp_path / "s3", "--out", tmp_path / "bad")
    assert code == 2 and "once each" in err
    code, _, err = pipebench("merge", tmp_path / "whole", "--out", tmp_path / "bad2")
    assert code == 2 and "not a shard" in err


@pytest.fixture(scope="module")
def two_shards(tmp_path_factory):
    """Shards 1/2 and 2/2 of one small memory-only run, and one cut from another selection."""
    from pipebench.cli import main

    root = tmp_path_factory.mktemp("shards")
    selection = ["run", "--suite", "windows", "-k", "n=1000,w=10]", "-k", "n=1000,w=50]", "--no-time", "--no-progress"]
    for index in (1, 2):
        assert main([*selection, "--shard", f"{index}/2", "--out", str(root / f"s{index}")]) == 0
    other = [*selection[:-2], "-k", "n=1000,w=500]", "--no-time", "--no-progress", "--shard", "2/2"]
    assert main([*other, "--out", str(root / "other")]) == 0
    return root


def _copy(two_shards, tmp_path, name):
    import shutil

    shutil.copytree(two_shards / name, tmp_path / name)
    return tmp_path / name


def test_shards_of_different_selections_are_refused(pipebench, two_shards, tmp_path):
    code, _, err = pipebench("merge", two_shards / "s1", two_shards / "other", "--out", tmp_path / "m")
    assert code == 2 and "different selections" in err and not (tmp_path / "m" / "results.json").exists()


def test_a_link_among_a_shards_tool_files_is_refused_not_followed(pipebench, two_shards, tmp_path):
    shard = _copy(two_shards, tmp_path, "s2")
    (shard / "memray" / "e.bin").symlink_to("/proc/self/environ")
    code, _, err = pipebench("merge", two_shards / "s1", shard, "--out", tmp_path / "m")
    assert code == 2 and "not a regular file" in err and err.count("\n") == 1


def test_shards_named_by_their_results_files_merge_with_their_files(pipebench, two_shards, tmp_path):
    code, _, err = pipebench(
        "merge", two_shards / "s1" / "results.json", two_shards / "s2" / "results.json", "--out", tmp_path / "m"
    )
    assert code == 0, err
    captures = {path.name for path in (tmp_path / "m" / "memray").glob("*.bin")}
    assert captures == {path.name for name in ("s1", "s2") for path in (two_shards / name / "memray").glob("*.bin")}
    assert len(captures) == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{bad", "not a pyperf suite pyperf can read"),
        ('{"version": "1.0"}', "not a pyperf suite pyperf can read"),
        (None, "which its shard did not time"),  # another run's suite: benchmarks it did not time
    ],
)
def test_a_shards_pyperf_file_is_read_and_checked_before_anything_is_written(
    pipebench, two_shards, tmp_path, content, message
):
    shard = _copy(two_shards, tmp_path, "s2")
    other = Path(__file__).resolve().parents[2] / "data" / "run_windows_small" / "pyperf.json"
    (shard / "pyperf.json").write_text(other.read_text() if content is None else content)
    code, _, err = pipebench("merge", two_shards / "s1", shard, "--out", tmp_path / "m")
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("inside", ["s1", "s1/memray/x", "s2/deeper/still"])
def test_the_merged_run_is_never_written_into_a_shard(pipebench, two_shards, tmp_path, inside):
    shards = [_copy(two_shards, tmp_path, name) for name in ("s1", "s2")]
    before = {path for shard in shards for path in shard.rglob("*")}
    code, _, err = pipebench("merge", *shards, "--out", tmp_path / inside)
    assert code == 2 and "inside the shard" in err and err.count("\n") == 1, err
    assert {path for shard in shards for path in shard.rglob("*")} == before
