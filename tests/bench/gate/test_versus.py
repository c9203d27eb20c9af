"""compare --versus: each side read against one variant, beside the verdicts that stay as they were."""

import json

import pytest

from pipebench import store


@pytest.fixture
def two_runs(tmp_path, paired_run):
    directories = []
    for name in ("20260101T000000Z_aaaaaaa", "20260102T000000Z_bbbbbbb"):
        run_dir = store.start_run(tmp_path / name)
        run = paired_run(run_id=name)
        store.finish_run(run_dir, type(run)(run.run_id, {**run.metadata, "commit": name[-7:]}, run.rows))
        directories.append(run_dir)
    return directories


def test_each_side_is_read_against_the_variant_and_the_verdicts_stay(pipebench, two_runs):
    base, current = map(str, two_runs)
    plain_code, plain_out, _ = pipebench("compare", base, current)
    code, out, err = pipebench("compare", base, current, "--versus", "slots")
    assert code == plain_code, err
    table, verdicts = out.split("\n\n", 1)
    assert table.startswith("against slots (each side from its own paired rounds; not a verdict):")
    plain = next(line for line in table.splitlines() if line.startswith("records[kind=plain,n=1000]"))
    assert plain.split()[1] == plain.split()[4]  # the same run on both sides: the same ratio to slots
    assert float(plain.split()[1]) == pytest.approx(90 / 70, rel=0.04)
    assert "records[kind=slots" not in table
    assert verdicts == plain_out


def test_json_holds_the_standings_beside_the_comparisons(pipebench, two_runs):
    code, out, err = pipebench("compare", *map(str, two_runs), "--versus", "plain", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["comparisons"] and data["versus"]["variant"] == "plain"
    cases = {case["id"]: case for case in data["versus"]["cases"]}
    assert set(cases) == {"records[kind=dict,n=1000]", "records[kind=slots,n=1000]"}
    assert cases["records[kind=slots,n=1000]"]["head"]["ratio"] == pytest.approx(70 / 90, rel=0.04)


def test_a_variant_neither_side_timed_is_one_line_and_exit_2(pipebench, two_runs):
    code, out, err = pipebench("compare", *map(str, two_runs), "--versus", "heap")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--versus heap: neither" in err


def test_versus_with_a_format_that_is_one_list_of_benchmarks_is_one_line_and_exit_2(pipebench, two_runs):
    argv = ("compare", *map(str, two_runs), "--versus", "plain", "--format", "github-action-benchmark")
    code, out, err = pipebench(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--versus and --format github-action-benchmark" in err
