"""README's GitHub Actions recipe, run as written: it selects what our own gate selects and gates it A/B.

The recipe's ``pipebench`` steps are read out of README.md. The run step's selection is
checked against ``.ci/gate``'s and the committed baseline's cases (a selection that misses
some would gate less than it says); the compare steps run exactly as written, against a
``current`` that is a real A/B run of the working tree against HEAD.
"""

import itertools
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.matrix import SUITES

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "results" / "baseline" / "ci"


def recipe_steps():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("**In your project's CI** (GitHub Actions):", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    return [line.split("run: ", 1)[1] for line in block.splitlines() if ".venv/bin/pipebench" in line]


def test_the_job_summary_is_written_even_when_the_verdict_step_fails():
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("**In your project's CI** (GitHub Actions):", 1)[1]
    lines = block.split("```yaml", 1)[1].split("```", 1)[0].splitlines()
    (summary,) = [index for index, line in enumerate(lines) if "GITHUB_STEP_SUMMARY" in line]
    verdict = next(index for index, line in enumerate(lines) if " compare " in line and "--format" not in line)
    assert verdict < summary and "if: ${{ !cancelled() }}" in lines[summary - 1]


def run_step(step, cwd, summary):
    command = step.replace(".venv/bin/pipebench", f"{shlex.quote(sys.executable)} -m pipebench")
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _selection(command):
    arguments = shlex.split(command.split("pipebench run", 1)[1])
    selection = []
    for flag, value in itertools.pairwise(arguments):
        if flag in ("--suite", "-k"):
            selection += [flag, value]
    return selection


def _listed(selection):
    listed = subprocess.run(
        [sys.executable, "-m", "pipebench", "list", *selection, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {case["id"] for case in json.loads(listed)}


def test_the_recipe_selects_what_our_gate_and_the_baseline_hold_and_runs_a_b():
    run = next(step for step in recipe_steps() if " run " in step)
    gate = (ROOT / ".ci" / "gate").read_text().split("pipebench run", 1)[1].split("--against", 1)[0]
    selected = _listed(_selection(run))
    assert selected == _listed(_selection("pipebench run" + gate.replace("\\\n", " ")))
    baseline = {row["case_id"] for row in json.loads((BASELINE / "results.json").read_text())["rows"]}
    assert baseline == selected
    assert "--against" in run and "--cycles" in run
    # Every suite is gated: code only one suite runs is measured by it, at one size each.
    assert {case.split("[", 1)[0] for case in selected} == set(SUITES)
    assert {re.search(r"n=(\d+)", case).group(1) for case in selected} == {"10000"}


@pytest.mark.slow
def test_the_recipes_compare_steps_pass_on_an_unchanged_a_b_run_and_write_the_job_summary(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipebench",
            "run",
            "--suite",
            "records",
            "-k",
            "n=1000]",
            "--no-memory",
            "--against",
            "HEAD",
            "--no-progress",
            "--out",
            str(tmp_path / "current"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    summary = tmp_path / "summary.md"
    compares = [step for step in recipe_steps() if " compare " in step]
    assert len(compares) == 2
    for step in compares:
        done = run_step(step, tmp_path, summary)
        assert done.returncode == 0, done.stdout + done.stderr
    assert summary.read_text().startswith("### pipebench compare: passed")
    assert "records[kind=dict,n=1000]" in summary.read_text()  # the reference itself is judged
