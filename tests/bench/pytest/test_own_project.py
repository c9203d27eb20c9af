"""README's "Use it on your own project", run as written in a throwaway project with its own ``pipeline`` package.

pipebench is installed (not in editable mode) into a fresh virtual environment of the
project's, from a copy of this checkout; the README's commands then run in the project's
directory, before and after a real change to one of its functions.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PARSERS = """import csv


def by_split(lines):
    return [[float(field) for field in line.split(",")] for line in lines]


def by_csv(lines):
    return [[float(field) for field in row] for row in csv.reader(lines)]
"""

# More calls and no allocation: small integers are cached, and a frame is no heap block.
SLOWER = PARSERS.replace(
    "    return [[float(field) for field in row] for row in csv.reader(lines)]\n",
    "    return [[float(field) for field in row] for row in csv.reader(lines) if _checked(row)]\n\n\n"
    "def _checked(row):\n    i = 0\n    while i < 4:\n        i += 1\n    return True\n",
)

TESTS = """import pytest

from pipeline import parsers

LINES = [f"{i},{i * 0.5},{i % 7},{i * 3}" for i in range(2_000)]


@pytest.mark.benchmark(group="parse")
@pytest.mark.pipebench_reference
def test_by_split(benchmark):
    assert benchmark(parsers.by_split, LINES)[1] == [1.0, 0.5, 1.0, 3.0]


@pytest.mark.benchmark(group="parse")
def test_by_csv(benchmark):
    assert benchmark(parsers.by_csv, LINES)[1] == [1.0, 0.5, 1.0, 3.0]


def test_by_split_reads_a_line():
    assert parsers.by_split(["1,2"]) == [[1.0, 2.0]]
"""


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it on your own project", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.strip().splitlines()]
    change = next(index for index, line in enumerate(lines) if line.startswith("# change the code"))
    return lines[:change], lines[change + 1 :]


def shell(command, project, environment):
    return subprocess.run(
        ["bash", "-c", command], cwd=project, env=environment, capture_output=True, text=True, check=False
    )


def git(project, *arguments):
    identity = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", *identity, *arguments], cwd=project, check=True, capture_output=True)


@pytest.fixture(scope="module")
def source(tmp_path_factory, copy_packages):
    copy = copy_packages(tmp_path_factory.mktemp("pipebench") / "pipebench")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def make_project(directory):
    (directory / "pipeline").mkdir(parents=True)
    (directory / "tests").mkdir()
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "csvlines"\nversion = "0.1"\n\n'
        '[tool.pytest.ini_options]\naddopts = ["--strict-markers"]\npythonpath = ["."]\n'
    )
    (directory / "pipeline" / "__init__.py").write_text('"""The project\'s own pipeline package."""\n')
    (directory / "pipeline" / "parsers.py").write_text(PARSERS)
    (directory / "tests" / "test_parsers.py").write_text(TESTS)
    (directory / ".gitignore").write_text(".pipebench/\n")
    git(directory, "init", "-q")
    git(directory, "add", ".")
    git(directory, "commit", "-qm", "two parsers")
    return directory


def cases_of(run):
    rows = json.loads((run / "results.json").read_text())["rows"]
    return {(row["case_id"], row["metric"]): row["summary"]["median"] for row in rows}


@pytest.mark.slow
def test_the_readme_commands_work_in_a_project_with_its_own_pipeline_package(source, tmp_path):
    project = make_project(tmp_path / "project")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "env")], check=True)
    environment = {**os.environ, "PATH": f"{tmp_path / 'env' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    environment.pop("VIRTUAL_ENV", None)
    before, after = readme_commands()
    install, plain, base = before
    assert install.startswith("pip install /path/to/pipebench")
    installed = shell(install.replace("/path/to/pipebench", str(source)), project, environment)
    assert installed.returncode == 0, installed.stderr[-2000:]

    timed = shell(plain, project, environment)
    assert timed.returncode == 0, timed.stdout[-2000:]
    # pytest-benchmark's defaults: plain pytest times the benchmarks, as it does without pipebench.
    assert "benchmark 'parse': 2 tests" in timed.stdout and "3 passed" in timed.stdout
    # Without the plugin, its marker is declared by hand (the project's --strict-markers refuses it otherwise).
    without = shell(f"{plain} -p no:pipebench -o markers=pipebench_reference", project, environment)
    assert "benchmark 'parse': 2 tests" in without.stdout and "3 passed" in without.stdout

    counted = shell(base, project, environment)
    assert counted.returncode == 0, counted.stdout[-3000:] + counted.stderr[-2000:]
    base_figures = cases_of(project / ".pipebench" / "base")
    assert {case for case, _ in base_figures} == {"parse[test=test_by_split]", "parse[test=test_by_csv]"}

    (project / "pipeline" / "parsers.py").write_text(SLOWER)
    gate, explain, report = after
    gated = shell(gate, project, environment)
    assert gated.returncode == 1, gated.stdout[-3000:]
    lines = gated.stdout.splitlines()
    flagged = [line for line in lines if "REGRESSION" in line]
    assert flagged and all("parse[test=test_by_csv]" in line for line in flagged)
    assert any(" instructions " in f" {line} " for line in flagged)
    assert not any("allocations" in line for line in flagged)
    head_figures = cases_of(project / ".pipebench" / "head")
    split, csv_case = ("parse[test=test_by_split]", "instructions"), ("parse[test=test_by_csv]", "instructions")
    # by_split did not change, but its module did: the code around it moves its count by about
    # a tenth of a percent (0.105% in one CI run), far inside the gate's 1%, where by_csv moved 17%.
    assert head_figures[split] == pytest.approx(base_figures[split], rel=0.005)
    assert head_figures[csv_case] > base_figures[csv_case] * 1.05

    explained = shell(explain, project, environment)
    assert explained.returncode == 0, explained.stderr
    # Per C function, per call: the interpreter's loop runs the new Python function's lines.
    csv_lines = explained.stdout.split("parse[test=test_by_csv]: +", 1)[1].splitlines()
    assert "instructions/call" in csv_lines[0]
    assert any(line.strip().startswith("_PyEval_EvalFrameDefault: +") for line in csv_lines[1:4])
    # Per Python function: the new helper by name, first, with the bytecodes it added to a call.
    python = explained.stdout.split("parse[test=test_by_csv]: +", 1)[1].split("own bytecodes/call:\n", 1)[1]
    assert python.splitlines()[0].strip().startswith("pipeline/parsers.py:_checked: +")

    reported = shell(report, project, environment)
    assert reported.returncode == 0, reported.stderr
    assert (project / ".pipebench" / "head" / "report.html").exists()
