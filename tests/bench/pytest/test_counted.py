"""Counts for any pytest-benchmark test: tests as cases, references, the counted process's path."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipebench.cases import Case
from pipebench.errors import UsageError
from pipebench.pytest.counted import BenchmarkTest, suites_of, with_references


def bench_test(suite, test, reference="", **params):
    case = Case(suite, (("test", test), *params.items()), "test", reference)
    return BenchmarkTest(f"t.py::test_{test}", case)


def test_a_groups_marked_reference_becomes_every_member_cases_reference():
    tests = with_references(
        [
            bench_test("parse", "by_csv", n=10),
            bench_test("parse", "by_split", "by_split", n=10),
            bench_test("io", "read"),
        ]
    )
    assert [test.case.reference for test in tests] == ["by_split", "by_split", ""]
    assert tests[0].case.group == "parse[n=10]" and not tests[0].case.is_reference and tests[1].case.is_reference


def test_two_references_in_one_group_or_two_tests_of_one_case_are_one_line_each():
    with pytest.raises(UsageError, match=r"^benchmark group parse: more than one reference \(a, b\)$"):
        with_references([bench_test("parse", "a", "a"), bench_test("parse", "b", "b")])
    twin = BenchmarkTest("tests/test_y.py::a", bench_test("parse", "a").case)
    with pytest.raises(UsageError, match="are one case, parse\\[test=a\\]"):
        with_references([bench_test("parse", "a"), twin])


def test_a_suite_names_its_numeric_parameters_as_axes_and_its_reference():
    tests = with_references([bench_test("parse", "a", "a", n=10, mode="x"), bench_test("parse", "b", n=100, mode="y")])
    described = suites_of(tests)["parse"]
    assert described["axes"] == ["n"] and described["reference"] == "a" and described["variant_axis"] == "test"


def session(tmp_path, *options):
    (tmp_path / "test_it.py").write_text("def test_it(benchmark):\n    benchmark(sum, [1, 2])\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--benchmark-only", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_counting_without_a_run_directory_is_one_line_before_anything_runs(tmp_path):
    done = session(tmp_path, "--pipebench-instructions")
    assert done.returncode == 4
    assert done.stderr.strip().splitlines()[-1] == (
        "ERROR: --pipebench-instructions: name the run directory with --pipebench-out DIR"
    )


def test_counting_into_a_run_that_exists_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "results.json").write_text("{}")
    done = session(tmp_path, "--pipebench-instructions", "--pipebench-out", "old")
    assert done.returncode == 4 and "--pipebench-instructions:" in done.stderr and "passed" not in done.stdout
    assert Path(tmp_path / "old" / "results.json").read_text() == "{}"


def test_a_baseline_outside_the_project_given_as_two_words_is_one_line_naming_the_one_word_form(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "runs" / "base"
    project.mkdir()
    elsewhere.mkdir(parents=True)
    done = session(project, "--pipebench-baseline", str(elsewhere))
    assert done.returncode == 4 and "passed" not in done.stdout
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"ERROR: --pipebench-baseline {elsewhere}: write it --pipebench-baseline={elsewhere}; ")
    )
    inside = project / "base"
    inside.mkdir()
    done = session(project, "--pipebench-baseline", "base")
    assert "write it" not in done.stderr


COUNTED = ["-m", "pytest", "-p", "no:cacheprovider", "-q", "--benchmark-only", "--pipebench-instructions"]


def counted_session(project, out, *options):
    return subprocess.run(
        [sys.executable, *COUNTED, "--pipebench-out", str(out), *options],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def instructions_of(run):
    rows = json.loads((run / "results.json").read_text())["rows"]
    return {row["case_id"]: row["summary"]["median"] for row in rows if row["metric"] == "instructions"}


@pytest.mark.slow
def test_two_counted_sessions_agree_within_a_tenth_of_a_percent(tmp_path):
    (tmp_path / "test_sums.py").write_text(
        "import pytest\n\nVALUES = list(range(20_000))\n\n\n"
        "@pytest.mark.benchmark(group='sums')\n@pytest.mark.pipebench_reference\n"
        "def test_builtin(benchmark):\n    assert benchmark(sum, VALUES) == 199990000\n\n\n"
        "@pytest.mark.benchmark(group='sums')\n"
        "def test_loop(benchmark):\n    def total(values):\n        out = 0\n        for value in values:\n"
        "            out += value\n        return out\n\n    assert benchmark(total, VALUES) == 199990000\n"
    )
    first, second = counted_session(tmp_path, tmp_path / "one"), counted_session(tmp_path, tmp_path / "two")
    assert first.returncode == 0 and second.returncode == 0, first.stdout[-2000:] + second.stdout[-2000:]
    one, two = instructions_of(tmp_path / "one"), instructions_of(tmp_path / "two")
    assert set(one) == {"sums[test=test_builtin]", "sums[test=test_loop]"}
    for case, value in one.items():
        assert two[case] == pytest.approx(value, rel=0.001), case
    assert one["sums[test=test_loop]"] > 3 * one["sums[test=test_builtin]"]


SRC_LAYOUT = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\nfilterwarnings = ["error"]\n',
    "src/bench/__init__.py": "",
    "tests/values.txt": "20000\n",
    "src/bench/sums.py": "def loop(values):\n    out = 0\n    for value in values:\n"
    "        out += value\n    return out\n",
    "tests/test_sums.py": "import pytest\n\nfrom bench import sums\n\n\n"
    "@pytest.mark.benchmark(group='sums')\n@pytest.mark.pipebench_reference\n"
    "def test_builtin(benchmark):\n    assert benchmark(sum, range(20_000)) == 199990000\n\n\n"
    "@pytest.mark.benchmark(group='sums')\n"
    "def test_loop(benchmark):\n    with open('tests/values.txt') as given:\n        n = int(given.read())\n"
    "    assert benchmark(sums.loop, range(n)) == 199990000\n",
}


@pytest.mark.slow
def test_a_project_whose_configuration_reaches_its_package_is_counted_and_paired_by_that_configuration(tmp_path):
    # Its package is reached only through the configuration's pythonpath, under a name
    # pipebench's repository uses for a folder, warnings are errors there, and a test reads
    # a file relative to where the session started; the run goes outside the project and
    # the baseline is given as one word.
    project = tmp_path / "project"
    for name, text in SRC_LAYOUT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    base, head = tmp_path / "runs" / "base", tmp_path / "runs" / "head"
    first = counted_session(project, base, "--pipebench-paired")
    assert first.returncode == 0, first.stdout[-3000:]
    second = counted_session(project, head, f"--pipebench-baseline={base}", "--pipebench-fail-on", "instructions:1%")
    assert second.returncode == 0, second.stdout[-3000:]
    counted = instructions_of(base)
    assert set(counted) == {"sums[test=test_builtin]", "sums[test=test_loop]"}
    assert instructions_of(head)["sums[test=test_loop]"] == pytest.approx(counted["sums[test=test_loop]"], rel=0.001)
    rows = json.loads((base / "results.json").read_text())["rows"]
    assert {row["case_id"] for row in rows if row["metric"] == "ratio_to_reference"} == {"sums[test=test_loop]"}


@pytest.mark.slow
def test_a_test_that_fails_when_counted_is_named_in_one_line_and_fails_the_session(tmp_path):
    (tmp_path / "test_flaky.py").write_text(
        "import os\n\n\ndef test_flaky(benchmark):\n    benchmark(sum, [1])\n"
        "    assert 'VALGRIND_LIB' not in os.environ and os.environ.get('LC_ALL') != 'C.UTF-8', 'counted'\n"
    )
    done = counted_session(tmp_path, tmp_path / "run")
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("pipebench: counting test_flaky.py")]
    assert "test_flaky.py::test_flaky failed (call): AssertionError: counted" in line
    assert (tmp_path / "run" / "INCOMPLETE").exists() and not (tmp_path / "run" / "results.json").exists()


@pytest.mark.slow
def test_a_group_with_a_reference_is_timed_in_pairs_into_the_run_and_pyperf_reads_its_values(tmp_path):
    (tmp_path / "test_sums.py").write_text(
        "import pytest\n\nVALUES = list(range(2_000))\n\n\n"
        "@pytest.mark.benchmark(group='sums')\n@pytest.mark.pipebench_reference\n"
        "def test_builtin(benchmark):\n    assert benchmark(sum, VALUES) == 1999000\n\n\n"
        "@pytest.mark.benchmark(group='sums')\n"
        "def test_sorted(benchmark):\n    assert benchmark(lambda v: sum(sorted(v)), VALUES) == 1999000\n"
    )
    paired = ["-m", "pytest", "-p", "no:cacheprovider", "-q", "--benchmark-only", "--pipebench-paired"]
    done = subprocess.run(
        [sys.executable, *paired, "--pipebench-out", str(tmp_path / "run")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = json.loads((tmp_path / "run" / "results.json").read_text())["rows"]
    (ratio,) = [row for row in rows if row["metric"] == "ratio_to_reference"]
    assert ratio["case_id"] == "sums[test=test_sorted]" and ratio["reference"] == "sums[test=test_builtin]"
    assert ratio["ci"][0] <= ratio["estimate"] <= ratio["ci"][1]
    # Six processes, each of as many short rounds as the first one took (at least two).
    groups = ratio["sample_groups"]
    assert len(groups) == 6 and len(set(groups)) == 1 and groups[0] >= 2 and len(ratio["samples"]) == sum(groups)
    shown = subprocess.run(
        [sys.executable, "-m", "pyperf", "show", str(tmp_path / "run" / "pyperf.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and "sums[test=test_sorted]" in shown.stdout


def test_only_groups_that_name_a_reference_beside_another_test_are_timed_in_pairs_reference_first():
    from pipebench.pytest.paired import paired_groups

    tests = with_references(
        [
            bench_test("parse", "by_csv", n=10),
            bench_test("parse", "by_split", "by_split", n=10),
            bench_test("parse", "by_split", "by_split", n=99),
            bench_test("io", "read"),
            bench_test("io", "write"),
        ]
    )
    groups = paired_groups(tests)
    assert [[test.case.id for test in group] for group in groups] == [
        ["parse[test=by_split,n=10]", "parse[test=by_csv,n=10]"]
    ]


def test_a_reference_on_another_axis_than_a_members_variant_is_one_line():
    by_parameter = BenchmarkTest("t.py::test_p[a]", Case("parse", (("parser", "a"),), "parser", "a"))
    with pytest.raises(UsageError, match=r"its reference is a 'parser', but t\.py::test_x varies its 'test'"):
        with_references([by_parameter, bench_test("parse", "x")])
