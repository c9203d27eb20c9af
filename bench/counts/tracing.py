"""The bytecode tracer: how many bytecodes each Python function executes in one call, its own.

``sys.settrace`` with ``f_trace_opcodes`` reports every bytecode the interpreter executes,
in the frame that executes it, so each function's own bytecodes are counted exactly. This
module imports nothing beyond the standard library: a counted pytest process imports it
before its counted calls, and what such a process imports moves their counts.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import CodeType, FrameType
from typing import Any


def count(call: Callable[[], object]) -> Counter[CodeType]:
    """The bytecodes one ``call()`` executes, by the code object executing them (its own, not its callees')."""
    counts: Counter[CodeType] = Counter()

    def local(frame: FrameType, event: str, arg: Any) -> Callable | None:
        if event == "opcode":
            counts[frame.f_code] += 1
        return local

    def enter(frame: FrameType, event: str, arg: Any) -> Callable | None:
        frame.f_trace_opcodes = True
        return local

    previous = sys.gettrace()
    sys.settrace(enter)
    try:
        call()
    finally:
        sys.settrace(previous)
    return counts


def function_name(code: CodeType, bases: Sequence[Path]) -> str:
    """``file:qualified name`` of a code object, its file relative to the deepest of ``bases`` that holds it."""
    filename = code.co_filename
    if not filename.startswith("<"):  # "<frozen ...>", "<string>": already a name
        path = Path(os.path.realpath(filename))
        base = max((b for b in bases if path.is_relative_to(b)), key=lambda b: len(b.parts), default=None)
        filename = path.relative_to(base).as_posix() if base is not None else path.name
    return f"{filename}:{code.co_qualname}"


def by_function(counts: Counter[CodeType], bases: Sequence[Path] = ()) -> dict[str, int]:
    """``counts`` keyed by :func:`function_name`, largest first; code objects of one name added together.

    Files are named relative to ``bases`` (a project's root, the measured packages'
    parent) or else to the import path's entries.
    """
    every = [Path(os.path.realpath(base)) for base in bases] + [Path(os.path.realpath(e)) for e in sys.path if e]
    named: Counter[str] = Counter()
    for code, number in counts.items():
        named[function_name(code, every)] += number
    return dict(named.most_common())
