"""pipebench list, and the CLI's error handling, in-process through main()."""

import json
import shutil
from pathlib import Path

import pytest

from pipebench.matrix import all_cases


def test_list_prints_every_quick_case(pipebench):
    code, out, _ = pipebench("list")
    assert code == 0
    for case in all_cases("quick"):
        assert f"  {case.id}" in out
    assert out.splitlines()[-1] == f"{len(all_cases('quick'))} cases"


def test_list_full_has_more_cases(pipebench):
    assert len(json.loads(pipebench("list", "--full", "--format", "json")[1])) == len(all_cases("full"))


def test_list_selects_by_suite_and_pattern(pipebench):
    code, out, _ = pipebench("list", "--suite", "windows", "-k", "monotonic", "-k", "*w=1000]", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert all(r["suite"] == "windows" and ("monotonic" in r["id"] or r["params"]["w"] == 1000) for r in rows)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "-k", "no-such-case"], "no case matches no-such-case"),
        (["list", "--suite", "nope"], "invalid choice"),
        (["list", "--quick", "--full"], "not allowed with"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_selection_is_one_line_and_exit_code_2(pipebench, argv, message):
    code, out, err = pipebench(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_a_run_started_elsewhere_records_the_commit_of_the_code_measured(tmp_path, monkeypatch):
    from pipebench.provenance import PACKAGE_ROOT, git_state

    monkeypatch.chdir(tmp_path)
    commit, _, _ = git_state()
    if not (PACKAGE_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert commit != "nogit" and len(commit) == 7


@pytest.mark.parametrize("where", ["a-file", "unwritable"])
def test_run_and_report_out_that_cannot_be_a_directory_get_one_line(pipebench, tmp_path, where):
    target = tmp_path / "a-file"
    target.write_text("not a directory")
    if where == "unwritable":
        target = Path("/proc/pipebench-cannot-be-here")
    for argv in (
        ["run", "--suite", "windows", "-k", "n=1000,w=10]", "--no-progress", "--out", str(target)],
        ["report", str(Path(__file__).resolve().parents[1] / "data" / "run_small"), "--out", str(target)],
    ):
        code, out, err = pipebench(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1 and str(target) in err, err


def test_json_nested_too_deeply_is_one_line(pipebench, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = pipebench("compare", str(deep), str(deep))
    assert code == 2 and "nested too deeply" in err and err.count("\n") == 1


@pytest.mark.parametrize("redirect", ["closed", "full"])
def test_output_that_cannot_be_written_is_one_line_or_quiet(redirect):
    import subprocess
    import sys

    stdout = subprocess.DEVNULL
    if redirect == "full":
        stdout = open("/dev/full", "w")  # noqa: SIM115
    command = [sys.executable, "-m", "pipebench", "list"]
    if redirect == "closed":
        done = subprocess.run(
            " ".join(command) + " >&-", shell=True, capture_output=False, stderr=subprocess.PIPE, text=True, check=False
        )
        assert done.returncode == 1 and done.stderr.strip().startswith("pipebench: error: standard output is closed")
    else:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
        assert done.returncode == 1 and done.stderr.strip() == "pipebench: error: No space left on device"


def test_report_of_one_run_named_twice_is_one_line_and_exit_2(pipebench, tmp_path):
    run = Path(__file__).resolve().parents[1] / "data" / "run_small"
    shutil.copytree(run, tmp_path / "copy")
    code, out, err = pipebench("report", run, tmp_path / "copy", "--out", tmp_path / "report")
    assert code == 2 and out == "" and err.count("\n") == 1 and "are the same run" in err


def test_calibrate_on_a_run_without_cache_simulation_is_one_line_and_exit_2(pipebench, finished_run, tmp_path):
    code, out, err = pipebench("calibrate", str(finished_run(tmp_path)))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--cycles" in err


def test_calibrate_with_sizes_that_are_not_numbers_is_one_line_and_exit_2(pipebench, finished_run, tmp_path):
    code, _, err = pipebench("calibrate", str(finished_run(tmp_path)), "--fit-on", "1000,lots")
    assert code == 2 and "--fit-on" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("field", "value"), [("method", {"version": 1}), ("cpu_model", "another CPU")])
def test_calibrate_takes_more_time_only_from_runs_of_the_same_method_and_cpu(finished_run, tmp_path, field, value):
    from pipebench import store
    from pipebench.cli.commands import _timed_like
    from pipebench.errors import UsageError

    first, other = finished_run(tmp_path, name="first"), finished_run(tmp_path, name="other")
    for run, change in ((first, {}), (other, {field: value})):
        results = run / "results.json"
        data = json.loads(results.read_text())
        data["metadata"] |= {"method": {"version": 9}, "cpu_model": "AMD EPYC"} | change
        results.write_text(json.dumps(data))
    loaded = store.load_run(first)
    assert _timed_like(loaded, first, first).metadata["cpu_model"] == "AMD EPYC"
    with pytest.raises(UsageError, match="not one measurement repeated") as refused:
        _timed_like(loaded, first, other)
    assert "\n" not in str(refused.value)


def test_calibrate_refuses_one_run_given_twice_in_one_line(pipebench, finished_run, tmp_path):
    run = finished_run(tmp_path)
    code, out, err = pipebench("calibrate", str(run), str(run / "results.json"))
    # Refused before anything is read of its rows, whether or not the run counted with --cycles.
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "are the same run" in err
