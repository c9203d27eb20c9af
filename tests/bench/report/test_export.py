"""pipebench export: every benchmark of a run in github-action-benchmark's customSmallerIsBetter shape."""

import io
import json
import math
from pathlib import Path

from pipebench.cli import main
from pipebench.store import load_run

RUN = Path(__file__).resolve().parents[2] / "data" / "run_small"


def exported(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", *map(str, argv)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_every_benchmark_of_the_run_is_exported_in_the_action_s_shape():
    """The action's documented entry: name and unit strings, a finite number, optional range and extra strings."""
    code, out, _ = exported(RUN)
    assert code == 0
    entries = json.loads(out)
    assert isinstance(entries, list)
    for entry in entries:
        assert set(entry) <= {"name", "unit", "value", "range", "extra"}
        assert isinstance(entry["name"], str) and isinstance(entry["unit"], str)
        assert isinstance(entry["value"], int | float) and math.isfinite(entry["value"])
        assert entry.get("range", "± 0").startswith("± ")
        assert isinstance(entry.get("extra", ""), str)
    names = [entry["name"] for entry in entries]
    assert len(names) == len(set(names))
    cases = {row.case_id for row in load_run(RUN).rows}
    assert {name.split(" ")[0] for name in names} == cases  # every case, not only those of a baseline
    assert any(name.endswith(" instructions_per_record") for name in names)


def test_a_missing_run_is_one_line():
    code, out, err = exported("/no/such/run")
    assert code == 2 and out == "" and err.count("\n") == 1
