"""README's GitHub Actions recipe, run as written: it selects every baseline case and gates them.

The recipe's ``pipebench`` steps are read out of README.md. The run step's selection is
checked against the committed baseline (a selection that misses some of its cases would
leave them "missing" and gate less than it says); the compare steps run exactly as
written, against a ``current`` that holds what the run step would have measured.
"""

import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "results" / "baseline" / "ci"


def recipe_steps():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("**In your project's CI** (GitHub Actions):", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    return [line.split("- run: ", 1)[1] for line in block.splitlines() if ".venv/bin/pipebench" in line]


def run_step(step, cwd, summary):
    command = step.replace(".venv/bin/pipebench", f"{shlex.quote(sys.executable)} -m bench")
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_recipe_selects_every_case_of_the_baseline():
    run = next(step for step in recipe_steps() if " run " in step)
    arguments = shlex.split(run.split("pipebench run", 1)[1])
    selection = []
    for flag, value in itertools.pairwise(arguments):
        if flag in ("--suite", "-k"):
            selection += [flag, value]
    listed = subprocess.run(
        [sys.executable, "-m", "bench", "list", *selection, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    selected = {case["id"] for case in json.loads(listed)}
    baseline = {row["case_id"] for row in json.loads((BASELINE / "results.json").read_text())["rows"]}
    assert baseline == selected
    assert any(re.match(r"records\[", case) for case in selected) and any(
        case.startswith("windows[") for case in selected
    )


def test_the_recipes_compare_steps_pass_on_an_unchanged_run_and_write_the_job_summary(tmp_path):
    shutil.copytree(BASELINE, tmp_path / "results" / "baseline" / "ci")
    shutil.copytree(BASELINE, tmp_path / "current")
    summary = tmp_path / "summary.md"
    compares = [step for step in recipe_steps() if " compare " in step]
    assert len(compares) == 2
    for step in compares:
        done = run_step(step, tmp_path, summary)
        assert done.returncode == 0, done.stdout + done.stderr
    assert summary.read_text().startswith("### pipebench compare: passed")
