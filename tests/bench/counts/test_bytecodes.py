"""Bytecodes of a case, traced in a worker of their own and kept beside its profile."""

import json

import pytest

from pipebench.counts import bytecodes
from pipebench.errors import InputError


def test_a_case_traced_in_its_worker_is_kept_beside_its_profile_and_repeats(tmp_path):
    case = "windows[strategy=monotonic,n=1000,w=10]"
    counted = []
    for attempt in ("a", "b"):
        directory = tmp_path / attempt / "callgrind"
        directory.mkdir(parents=True)
        assert bytecodes.main(["quick", str(directory), case]) == 0
        counted.append(bytecodes.kept(tmp_path / attempt, case))
    assert counted[0] == counted[1]
    assert counted[0]["pipeline/windows.py:MonotonicWindow.push"] >= 1000  # one push a record at least


def test_a_run_without_bytecodes_has_none_and_a_damaged_file_is_one_line(tmp_path):
    assert bytecodes.kept(tmp_path, "records[kind=dict,n=1000]") is None
    (tmp_path / "callgrind").mkdir()
    path = tmp_path / "callgrind" / "records-kind=dict-n=1000.bytecodes.json"
    path.write_text(json.dumps({"f": "many"}))
    with pytest.raises(InputError, match="not a table of bytecode counts"):
        bytecodes.kept(tmp_path, "records[kind=dict,n=1000]")
