"""The metric table: every metric declared once, and no module naming one it does not declare."""

import ast
from pathlib import Path

import pytest

from pipebench import metrics
from pipebench.metrics import FAMILIES, METRICS, gated_metric

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _named(node, name):
    """``x.name``, ``name`` or ``x["name"]``."""
    if isinstance(node, ast.Attribute):
        return node.attr == name
    if isinstance(node, ast.Name):
        return node.id == name
    return isinstance(node, ast.Subscript) and _string(node.slice) == name


def _literals(node):
    if _string(node) is not None:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [value for element in node.elts for value in _literals(element)]
    return []


def metric_names_used(tree):
    """(line, what, literal) for each literal used as a metric or a family name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for kind in ("metric", "family"):
                if any(_named(side, kind) for side in sides):
                    found += [(node.lineno, kind, v) for side in sides for v in _literals(side)]
        elif isinstance(node, ast.keyword) and node.arg in ("metric", "family"):
            found += [(node.value.lineno, node.arg, v) for v in _literals(node.value)]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "make_row":
            if len(node.args) > 1:
                found += [(node.lineno, "metric", v) for v in _literals(node.args[1])]
        elif _string(node) in METRICS and _string(node) not in FAMILIES:
            found.append((node.lineno, "literal", node.value))
    return found


def test_no_module_names_a_metric_or_family_the_table_does_not_declare_nor_restates_a_declared_one():
    problems = []
    for path in sorted(BENCH.rglob("*.py")):
        if path.name == "metrics.py" and path.parent == BENCH:
            continue
        for line, kind, value in metric_names_used(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(BENCH.parent)}:{line}"
            if kind == "literal":
                problems.append(f"{where}: {value!r} restated; read it from pipebench.metrics")
            elif kind == "metric" and value not in METRICS:
                problems.append(f"{where}: metric {value!r} is not in pipebench.metrics.METRICS")
            elif kind == "family" and value not in FAMILIES:
                problems.append(f"{where}: family {value!r} is not in pipebench.metrics.FAMILIES")
    assert problems == []


def test_the_scan_catches_an_undeclared_metric_and_a_restated_one():
    tree = ast.parse('if row.metric == "cycles_per_byte": pass\nx = "peak_memory"\nc.family == "speed"\n')
    assert metric_names_used(tree) == [
        (1, "metric", "cycles_per_byte"),
        (2, "literal", "peak_memory"),
        (3, "family", "speed"),
    ]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_one_gated_figure_of_each_kind_and_its_words(family):
    gated = [m for m in METRICS.values() if m.family == family and m.gated]
    assert gated, family
    assert len({m.against for m in gated}) == len(gated)
    assert FAMILIES[family].worse != FAMILIES[family].better
    assert 0 < FAMILIES[family].threshold < 1


def test_the_gate_compares_counts_per_call_and_time_by_its_paired_ratio():
    assert gated_metric("instructions", against="reference").name == metrics.INSTRUCTIONS
    assert gated_metric("allocations", against="reference").name == metrics.ALLOCATIONS
    assert gated_metric("time", against="reference").name == metrics.RATIO_TO_REFERENCE
    assert gated_metric("time", against=None).name == metrics.TIME_PER_RECORD
    assert all(m.unit == "count" for m in METRICS.values() if m.gated and FAMILIES[m.family].counted)


def test_every_metric_is_consistent_with_its_family_and_tool():
    for metric in METRICS.values():
        assert metric.family in FAMILIES
        assert metric.exact == (metric.tool in ("memray", "callgrind")), metric.name
        assert FAMILIES[metric.family].counted == (metric.tool == "callgrind"), metric.name
        assert metric.format(1234.5)
    assert METRICS[metrics.PEAK_MEMORY].format(2048) == "2.0 KiB"
    assert [m for m in METRICS.values() if not m.machine_independent] == [METRICS[metrics.TIME_PER_RECORD]]
