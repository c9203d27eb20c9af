"""How explain's findings and a profile's function table are printed."""

from pipebench.counts.callgrind import FunctionCost, Profile
from pipebench.explain.changes import BytecodeChange, Explanation, FunctionChange
from pipebench.explain.render import function_table, render


def test_nothing_changed_is_one_line():
    assert render([]) == "no counted case changed between the two runs\n"


def test_a_case_prints_its_change_then_its_top_functions_and_how_many_more():
    functions = tuple(
        FunctionChange(function=f"f{i}", instructions=10.0 - i, calls=0.0, allocations=0.0) for i in range(4)
    )
    item = Explanation(case_id="records[kind=slots,n=1000]", instructions=46.0, allocations=1.0, functions=functions)
    lines = render([item], top=2).splitlines()
    assert lines[0] == "records[kind=slots,n=1000]: +46.0 instructions/record, +1.00 allocations/record"
    assert lines[1] == "  f0: +10.0 instr, 0 calls /record"
    assert lines[3] == "  ... 2 more functions changed"


def test_the_function_table_is_per_record_of_one_call():
    costs = {"a": FunctionCost("a", 600, 4, 800, 2), "b": FunctionCost("b", 400, 2, 400, 0)}
    table = function_table(Profile("2", 1000, costs, 2), records=100, top=2)
    first = table.splitlines()[2].split()
    assert first == ["a", "60.0%", "3.0", "4.0", "0.02", "0.01"]
    assert table.endswith("(per record)\n")


def test_the_python_functions_follow_with_their_bytecodes_or_why_they_are_not_known():
    moved = (BytecodeChange("pipeline/windows.py:MonotonicWindow.push", 40.0, 89.0),)
    item = Explanation(case_id="windows[w=50]", instructions=900.0, allocations=0.0, functions=(), python=moved)
    lines = render([item]).splitlines()
    assert lines[1:] == [
        "  Python functions, own bytecodes/record:",
        "    pipeline/windows.py:MonotonicWindow.push: +49.00 (40.00 -> 89.00)",
    ]
    untraced = Explanation(case_id="windows[w=50]", instructions=900.0, allocations=0.0, functions=())
    assert render([untraced]).splitlines()[1].startswith("  Python functions: not traced in both runs")
