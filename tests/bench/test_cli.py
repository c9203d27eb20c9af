"""pipebench list, and the CLI's error handling, in-process through main()."""

import io
import json

import pytest

from bench.cli import main
from bench.matrix import all_cases


def call(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_list_prints_every_quick_case():
    code, out, _ = call("list")
    assert code == 0
    for case in all_cases("quick"):
        assert f"  {case.id}" in out
    assert out.splitlines()[-1] == f"{len(all_cases('quick'))} cases"


def test_list_full_has_more_cases():
    assert len(json.loads(call("list", "--full", "--format", "json")[1])) == len(all_cases("full"))


def test_list_selects_by_suite_and_pattern():
    code, out, _ = call("list", "--suite", "windows", "-k", "monotonic", "-k", "*w=1000]", "--format", "json")
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
def test_bad_selection_is_one_line_and_exit_code_2(argv, message):
    code, out, err = call(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
