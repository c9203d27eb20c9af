"""Which function of a module a line belongs to: the unit change coverage speaks in.

A function's lines are its body's (from its first statement after the docstring to its
end), less those of the functions nested in it, which are units of their own. Its
``def`` line, decorators and default values run when the code around it runs (the
module's import, the class's creation), not when the function is called, so they are
not its lines. A class body outside its methods runs with the code around it. Lines
outside every function (imports, constants, class attributes) belong to the module's
own unit, :data:`MODULE`. Names are qualified as Python qualifies them: ``Class.method``,
``outer.inner`` (without ``<locals>``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

MODULE = "<module>"
"""The unit of a module's lines outside every function."""

_Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Unit:
    """A function (or a module's own code) and the lines that are its own."""

    name: str
    lines: frozenset[int]


def _nested(node: ast.AST) -> list[_Scope]:
    """The functions and classes directly inside ``node`` (not inside those)."""
    found: list[_Scope] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _Scope):
            found.append(child)
        else:
            found += _nested(child)
    return found


def _span(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """Every line from ``node``'s first to its last, decorators included."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return set(range(first, (node.end_lineno or node.lineno) + 1))


def _body_start(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = function.body
    first = body[0]
    has_docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    return body[1].lineno if has_docstring and len(body) > 1 else first.lineno


def units(source: str) -> list[Unit]:
    """Every function of ``source``, and :data:`MODULE`, with its own lines.

    Raises:
        SyntaxError: ``source`` is not Python.
    """
    tree = ast.parse(source)
    found: list[Unit] = []

    def visit(node: ast.AST, prefix: str, owned: set[int]) -> None:
        for child in _nested(node):
            name = f"{prefix}{child.name}"
            if isinstance(child, ast.ClassDef):
                visit(child, f"{name}.", owned)
                continue
            owned -= _span(child)
            lines = set(range(_body_start(child), (child.end_lineno or child.lineno) + 1))
            visit(child, f"{name}.", lines)
            found.append(Unit(name, frozenset(lines)))

    module_lines = set(range(1, len(source.splitlines()) + 1))
    visit(tree, "", module_lines)
    found.append(Unit(MODULE, frozenset(module_lines)))
    return found


def units_at(source: str, lines: Iterable[int]) -> set[str]:
    """The names of the units of ``source`` holding any of ``lines``."""
    wanted = set(lines)
    return {unit.name for unit in units(source) if unit.lines & wanted}
