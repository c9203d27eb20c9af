"""Worker processes: one-line failures, the measured checkout first on the path, order kept."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipebench import processes
from pipebench.errors import BenchError
from pipebench.provenance import PACKAGE_ROOT


def test_the_measured_checkout_goes_first_on_the_workers_path_once():
    environment = processes.worker_environment({"PYTHONPATH": f"/elsewhere:{PACKAGE_ROOT}"})
    assert environment["PYTHONPATH"].split(":") == [str(PACKAGE_ROOT), "/elsewhere"]


def test_a_failing_worker_is_one_error_naming_it_and_its_last_line(tmp_path):
    script = tmp_path / "failing.py"
    script.write_text(
        "import sys\nprint('first', file=sys.stderr)\nprint('the reason', file=sys.stderr)\nsys.exit(3)\n"
    )
    with pytest.raises(BenchError) as raised:
        processes.run_module("failing", [], "the test worker", env={"PYTHONPATH": str(tmp_path)})
    assert str(raised.value) == "the test worker failed with exit code 3: the reason"


def test_a_worker_runs_with_the_interpreter_and_directory_it_is_given(tmp_path):
    (tmp_path / "writer.py").write_text("import pathlib, sys\npathlib.Path('out').write_text(sys.executable)\n")
    processes.run_module("writer", [], "writer", env={"PYTHONPATH": str(tmp_path)}, cwd=tmp_path, python=sys.executable)
    assert (tmp_path / "out").read_text() == sys.executable


def test_parallel_keeps_the_order_of_its_items_and_runs_them_at_once():
    both_started = threading.Barrier(2, timeout=10)

    def work(item):
        both_started.wait()  # would time out if the two ran one after the other
        return item * 10

    assert processes.parallel(work, [1, 2], jobs=2) == [10, 20]


def test_per_case_reports_each_finished_case_and_an_error_stops_the_rest():
    class Case:
        def __init__(self, id):
            self.id = id

    seen = []
    figures = processes.per_case(lambda case: len(case.id), [Case("a"), Case("bb")], 1, seen.append, "count")
    assert figures == {"a": 1, "bb": 2} and seen == ["count a", "count bb"]

    def fail(case):
        raise BenchError(f"{case.id} broke")

    with pytest.raises(BenchError, match="a broke"):
        processes.per_case(fail, [Case("a"), Case("b")], 1, None, "count")


def _imported(code, program):
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=processes.worker_environment({}, code),
        cwd=code.cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_a_linked_tree_takes_the_harness_from_the_checkout_and_the_measured_package_from_the_tree(tmp_path):
    tree = tmp_path / "tree"
    (tree / "pipeline").mkdir(parents=True)
    (tree / "pipeline" / "__init__.py").write_text("from .stages import NAME\n")
    (tree / "pipeline" / "stages.py").write_text("NAME = 'the tree'\n")
    code = processes.Code.linked(tmp_path / "links", tree)
    assert code.entries == ("pipebench", "pipebench_pipeline")
    program = "import pipebench, pipebench_pipeline; print(pipebench.__file__, pipebench_pipeline.NAME.split()[1])"
    harness, name = _imported(code, program)
    assert Path(harness).resolve() == (PACKAGE_ROOT / "bench" / "__init__.py") and name == "tree"


def test_a_tree_older_than_the_package_names_is_one_package_under_both_names(tmp_path):
    tree = tmp_path / "tree"
    (tree / "pipeline").mkdir(parents=True)
    (tree / "pipeline" / "__init__.py").write_text("from pipeline.stages import REGISTRY\n")
    (tree / "pipeline" / "stages.py").write_text("REGISTRY = []\n")
    code = processes.Code.linked(tmp_path / "links", tree)
    assert code.entries == ("pipebench", "pipeline", "pipebench_pipeline.py")
    program = (
        "import pipebench_pipeline.stages as new, pipeline.stages as old, pipebench_pipeline, pipeline;"
        "print(new is old, pipebench_pipeline is pipeline, new.REGISTRY is old.REGISTRY)"
    )
    assert _imported(code, program) == ["True", "True", "True"]
