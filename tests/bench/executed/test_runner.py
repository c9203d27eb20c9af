"""The trace pass names, per case, the functions its measured call executes, and only those."""

from pipebench.executed.runner import trace
from pipebench.matrix import all_cases, groups_of


def test_each_case_names_what_its_own_variant_runs():
    cases = [c for c in all_cases("quick") if c.suite == "stages" and "n=1000," in c.id]
    found = trace(groups_of(cases, all_cases("quick")), "quick", jobs=1)
    assert set(found) == {case.id for case in cases}
    generator = found["stages[style=generator,n=1000,w=50]"]
    fused = found["stages[style=fused,n=1000,w=50]"]
    assert "ThresholdFilter.transform" in generator["pipeline/stages.py"]
    assert "fused_style" in fused["pipeline/stage_styles.py"]
    assert "ThresholdFilter.transform" not in fused.get("pipeline/stages.py", [])
    # The input is built before the trace starts: the source's generator is not the stages' work.
    assert "pipeline/source.py" not in generator


def test_progress_is_reported_per_group():
    cases = [c for c in all_cases("quick") if c.id == "records[kind=slots,n=1000]"]
    said = []
    found = trace(groups_of(cases, all_cases("quick")), "quick", jobs=1, progress=said.append)
    assert len(said) == 1 and said[0].startswith("trace records")
    assert set(found) == {"records[kind=dict,n=1000]", "records[kind=slots,n=1000]"}
