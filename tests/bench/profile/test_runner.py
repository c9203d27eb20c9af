"""pipebench profile: pyinstrument's view of a case, with known answers."""

import json

import pytest

DEQUE, MONOTONIC = "windows[strategy=deque,n=10000,w=500]", "windows[strategy=monotonic,n=10000,w=500]"


@pytest.fixture(scope="module")
def profiled(pipebench, tmp_path_factory):
    out = tmp_path_factory.mktemp("profiles")
    code, text, err = pipebench("profile", "-k", DEQUE, "-k", MONOTONIC, "--seconds", "0.3", "--out", out)
    assert code == 0, err
    directory = out / "pyinstrument"
    summaries = {
        case: json.loads((directory / f"{stem}.profile.json").read_text())
        for case, stem in (
            (DEQUE, "windows-strategy=deque-n=10000-w=500"),
            (MONOTONIC, "windows-strategy=monotonic-n=10000-w=500"),
        )
    }
    return text, directory, summaries


def shares(summary, figure):
    return {row["function"]: row[figure] for row in summary["functions"]}


@pytest.mark.slow
def test_the_deque_window_spends_its_time_in_min_and_max_and_the_monotonic_one_under_push(profiled):
    _, _, summaries = profiled
    deque = shares(summaries[DEQUE], "own")
    assert deque["min"] + deque["max"] > 0.6
    assert shares(summaries[MONOTONIC], "total")["push"] > 0.35


@pytest.mark.slow
def test_pyinstruments_own_files_are_kept_and_the_overhead_is_reported(profiled):
    text, directory, summaries = profiled
    for stem in ("windows-strategy=deque-n=10000-w=500", "windows-strategy=monotonic-n=10000-w=500"):
        assert (directory / f"{stem}.pyinstrument.html").read_text().lstrip().lower().startswith("<!doctype html")
        speedscope = json.loads((directory / f"{stem}.speedscope.json").read_text())
        assert speedscope["$schema"].startswith("https://www.speedscope.app/")
    assert "profiled (" in text and "x)" in text
    for summary in summaries.values():
        assert summary["ns_per_record_profiled"] > 0 and summary["ns_per_record"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-k", "no-such-case"], "no-such-case"),
        (["-k", DEQUE, "--seconds", "0"], "--seconds: 0: give a time"),
        (["-k", DEQUE, "--seconds", "nan"], "--seconds: nan: give a time"),
        (["-k", DEQUE, "--seconds", "x"], "--seconds"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(pipebench, tmp_path, argv, message):
    code, out, err = pipebench("profile", *argv, "--out", tmp_path)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


@pytest.mark.slow
def test_the_c_level_view_puts_the_deque_windows_instructions_under_min_max(pipebench, tmp_path):
    code, out, err = pipebench(
        "profile",
        "-k",
        "windows[strategy=deque,n=10000,w=500]",
        "--seconds",
        "0.2",
        "--instructions",
        "--out",
        tmp_path,
    )
    assert code == 0, err
    total = float(out.split("instructions and", 1)[0].rsplit(": ", 1)[1].replace(",", ""))
    min_max = next(line for line in out.splitlines() if line.startswith("min_max "))
    assert float(min_max.split()[3].replace(",", "")) > 0.9 * total  # inclusive: nine tenths and more


def test_a_missing_profiler_is_one_line_and_exit_2(pipebench, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyinstrument" else real(name, *a)
    )
    code, out, err = pipebench("profile", "-k", DEQUE, "--out", tmp_path)
    assert code == 2 and out == "" and err.count("\n") == 1 and "pip install pyinstrument" in err
