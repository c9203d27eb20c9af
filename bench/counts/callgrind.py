"""Reading callgrind's output: instruction totals, per-function costs and allocator calls.

Pure functions over the text of a callgrind profile (the format callgrind_annotate and
KCachegrind read). Only what pipebench needs is parsed: the dump's trigger label, the
event names and the ``totals:`` line, each function's exclusive cost of every event, the
calls made to each function and its inclusive instructions. A profile
counted with cache simulation (``--cache-sim=yes``) carries the misses of each cache
level beside the instructions (``Ir``); one counted without it carries ``Ir`` alone.

Allocations are counted as calls into CPython's allocator entry points (and the C
library's) made from code outside the allocator: ``PyObject_Malloc`` calling its internal
``_PyObject_Malloc`` is one allocation, not two. No profiler hook is installed, so the
count is what the code allocates, not what a tracer makes it allocate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Every way into an allocator that creates or grows a block; frees are not allocations.
ALLOCATORS = frozenset(
    {
        "PyObject_Malloc",
        "PyObject_Calloc",
        "PyObject_Realloc",
        "_PyObject_Malloc",
        "_PyObject_Calloc",
        "_PyObject_Realloc",
        "PyMem_Malloc",
        "PyMem_Calloc",
        "PyMem_Realloc",
        "PyMem_RawMalloc",
        "PyMem_RawCalloc",
        "PyMem_RawRealloc",
        "_PyMem_RawMalloc",
        "_PyMem_RawCalloc",
        "_PyMem_RawRealloc",
        "_PyMem_DebugMalloc",
        "_PyMem_DebugCalloc",
        "_PyMem_DebugRealloc",
        "malloc",
        "calloc",
        "realloc",
        "_int_malloc",
        "_int_realloc",
        "aligned_alloc",
        "posix_memalign",
        "memalign",
    }
)


INSTRUCTIONS_EVENT = "Ir"


@dataclass(frozen=True)
class FunctionCost:
    """One function's share of a profile: its own instructions, and the calls it received."""

    name: str
    self_instructions: int = 0
    calls: int = 0
    inclusive_instructions: int = 0
    """Its own instructions and those of the calls it made, as callgrind_annotate counts them.

    Counted from the calls a function makes, not from those it received: a dump taken
    inside a call (the interpreter's frame that called the workload) records no call into
    the function that was running, yet all the dump's work is below it. A function that
    calls itself through others (the eval loop, through ``_PyObject_MakeTpCall``) has its
    nested work counted at each level, so the figure is capped at the profile's total.
    """
    allocations: int = 0
    """Calls this function made into an allocator (it is outside the allocator)."""
    self_events: Mapping[str, int] = field(default_factory=dict)
    """Its own cost of every event the profile counts (``Ir`` among them)."""


@dataclass(frozen=True)
class Profile:
    """One callgrind dump: its trigger label, total instructions and per-function costs."""

    label: str
    instructions: int
    functions: Mapping[str, FunctionCost] = field(default_factory=dict)
    allocations: int = 0
    totals: Mapping[str, int] = field(default_factory=dict)
    """The total of every event the profile counts, by callgrind's event name."""


_NAMED = re.compile(r"^\((\d+)\)(?: (.*))?$")
_TRIGGER = re.compile(r"^desc: Trigger: (?:Client Request: )?(?:dump )?(.*)$")


class _Names:
    """callgrind's name compression: ``(id) name`` defines an id, ``(id)`` reuses it."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def resolve(self, text: str) -> str:
        match = _NAMED.match(text)
        if match is None:
            return text
        number, name = match.groups()
        if name is not None:
            self._names[number] = name
            return name
        return self._names.get(number, f"({number})")


def _costs(line: str) -> list[int]:
    """The event counts of a cost line ``position cost...`` (callgrind leaves trailing zeros out)."""
    return [int(part) for part in line.split()[1:]]


class _Reader:
    """The state of one pass over a profile's lines.

    It holds the function being costed, the callee of the last ``calls=`` line (the next
    cost line is that call's inclusive cost) and the sums so far.
    """

    def __init__(self) -> None:
        self.names = _Names()
        self.label = ""
        self.events: list[str] = [INSTRUCTIONS_EVENT]
        self.totals: list[int] | None = None
        self.header_seen = False
        self.self_cost: dict[str, list[int]] = {}
        self.calls: dict[str, int] = defaultdict(int)
        self.outgoing: dict[str, int] = defaultdict(int)
        self.allocations = 0
        self.allocated_by: dict[str, int] = defaultdict(int)
        self.current = self.callee = ""
        self.pending_calls = 0

    def feed(self, line: str) -> None:
        if not line or line.startswith("#"):
            self.header_seen = self.header_seen or line.startswith("# callgrind format")
        elif line[0].isdigit() or line[0] in "+-*":
            self._cost(_costs(line))
        elif line.startswith("fn="):
            self.current = self.names.resolve(line[3:])
        elif line.startswith("cfn="):
            self.callee = self.names.resolve(line[4:])
        elif line.startswith("calls="):
            self._calls(int(line[6:].split()[0]))
        else:
            self._header(line)

    def _cost(self, costs: list[int]) -> None:
        if self.pending_calls:
            if self.callee != self.current:  # a direct recursion's cost is in the function's own already
                self.outgoing[self.current] += costs[0] if costs else 0
            self.pending_calls = 0
            return
        own = self.self_cost.setdefault(self.current, [0] * len(self.events))
        for index, cost in enumerate(costs[: len(own)]):
            own[index] += cost

    def _calls(self, count: int) -> None:
        self.pending_calls = count
        self.calls[self.callee] += count
        if self.callee in ALLOCATORS and self.current not in ALLOCATORS:
            self.allocations += count
            self.allocated_by[self.current] += count

    def _header(self, line: str) -> None:
        if line.startswith("totals:"):
            self.totals = [int(part) for part in line.split()[1:]]
        elif line.startswith("events:"):
            self.header_seen = True
            self.events = line.split()[1:]
            if INSTRUCTIONS_EVENT not in self.events[:1]:
                raise ValueError(f"callgrind profile of events {' '.join(self.events)[:60]!r}: Ir must come first")
        elif line.startswith("desc: Trigger:"):
            match = _TRIGGER.match(line)
            self.label = match.group(1).strip() if match else ""
        elif line.startswith(("version:", "creator:")):
            self.header_seen = True

    def profile(self) -> Profile:
        if not self.header_seen or not self.totals:
            raise ValueError("not a complete callgrind profile (no header or no totals line)")
        functions = {}
        for name in set(self.self_cost) | set(self.calls) | set(self.allocated_by):
            own = self.self_cost.get(name, [0])
            functions[name] = FunctionCost(
                name,
                own[0],
                self.calls.get(name, 0),
                min(own[0] + self.outgoing.get(name, 0), self.totals[0]),
                self.allocated_by.get(name, 0),
                dict(zip(self.events, own)),
            )
        totals = dict(zip(self.events, self.totals))
        return Profile(self.label, self.totals[0], functions, self.allocations, totals)


def parse(text: str | Iterable[str]) -> Profile:
    """Parse one callgrind output file's text.

    Raises:
        ValueError: the text is not a callgrind profile or has no ``totals:`` line.
    """
    reader = _Reader()
    for number, line in enumerate(text.splitlines() if isinstance(text, str) else text, start=1):
        try:
            reader.feed(line.rstrip("\n"))
        except (IndexError, KeyError) as error:  # a line cut short or naming what was never defined
            raise ValueError(f"damaged callgrind profile at line {number}: {line.strip()[:60]!r}") from error
    try:
        return reader.profile()
    except (IndexError, KeyError) as error:
        raise ValueError(f"damaged callgrind profile ({type(error).__name__})") from error
