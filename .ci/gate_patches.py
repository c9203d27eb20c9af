"""Real source changes that the regression gate must catch, applied to a scratch copy of the tree.

Each patch replaces one exact piece of source text (and fails loudly when the text is no
longer there), and names the case it changes and the metric families it may move. The
gate validation (``.ci/gate-validation``) and the tests apply them to throwaway copies,
never to the code that runs in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Patch:
    """One change: where, what it replaces, and what the gate should see."""

    name: str
    path: str
    old: str
    new: str
    case: str
    must_flag: frozenset[str]
    may_flag: frozenset[str]
    never_flag: frozenset[str] = frozenset()

    def apply(self, tree: Path) -> None:
        """Rewrite the file in ``tree``.

        Raises:
            ValueError: the text to replace is not in the file exactly once.
        """
        target = tree / self.path
        text = target.read_text(encoding="utf-8")
        if text.count(self.old) != 1:
            raise ValueError(f"patch {self.name}: the text to replace is not in {self.path} exactly once")
        target.write_text(text.replace(self.old, self.new), encoding="utf-8")


PATCHES = (
    # About 20% more work per record in the monotonic window: a counting loop over cached
    # small ints, which allocates nothing.
    Patch(
        "slower",
        "pipeline/windows.py",
        "        index = self._count\n        self._count = index + 1\n",
        "        index = self._count\n        self._count = index + 1\n"
        "        spin = 12\n        while spin:\n            spin -= 1\n",
        "windows[strategy=monotonic,",
        frozenset({"time", "instructions"}),
        frozenset(),
        frozenset({"allocations", "memory"}),
    ),
    # About 10% more time for named-tuple records: their values read through a Python
    # lambda instead of operator.attrgetter (no object is kept).
    Patch(
        "slower-by-ten",
        "pipeline/record_kinds.py",
        'RecordKind("namedtuple", _build_with(TupleRecord), _sum_by(attrgetter("value")), tuple)',
        'RecordKind("namedtuple", _build_with(TupleRecord), _sum_by(lambda record: record.value), tuple)',
        "records[kind=namedtuple,",
        frozenset({"time", "instructions"}),
        frozenset(),
        frozenset({"allocations", "memory"}),
    ),
    # The records suite's reference slower by about half: dicts built in a loop that also
    # spins six times a record. Every other variant's ratio to it falls; only the reference's
    # own figures show the change.
    Patch(
        "slower-reference",
        "pipeline/record_kinds.py",
        "    return [\n"
        '        {"sensor_id": sensor, "timestamp": stamp, "value": value, "unit": unit}\n'
        "        for sensor, stamp, value, unit in zip(*columns)\n"
        "    ]\n",
        "    records = []\n"
        "    for sensor, stamp, value, unit in zip(*columns):\n"
        "        spin = 6\n"
        "        while spin:\n"
        "            spin -= 1\n"
        '        records.append({"sensor_id": sensor, "timestamp": stamp, "value": value, "unit": unit})\n'
        "    return records\n",
        "records[kind=dict,",
        frozenset({"time", "instructions"}),
        frozenset({"allocations"}),
        frozenset({"memory"}),
    ),
    # About 2% more instructions for plain-class records: a second store of an attribute
    # that exists (no object is made).
    Patch(
        "more-instructions",
        "pipeline/record_kinds.py",
        "        self.value = value\n        self.unit = unit\n\n\n@dataclass",
        "        self.value = value\n        self.unit = unit\n        self.unit = unit\n\n\n@dataclass",
        "records[kind=plain,",
        frozenset({"instructions"}),
        frozenset({"time"}),
        frozenset({"allocations", "memory"}),
    ),
    # One more object per record, kept alive: an int outside the small-int cache.
    Patch(
        "one-more-object",
        "pipeline/records.py",
        "        self.value = value\n        self.unit = unit\n\n    @classmethod",
        "        self.value = value\n        self.unit = unit\n        self.serial = len(unit) + 100_000\n\n"
        "    @classmethod",
        "records[kind=slots,",
        frozenset({"allocations"}),
        frozenset({"time", "instructions", "memory"}),
    ),
    # Calls that allocate nothing: a __post_init__ hook on the slotted dataclass.
    Patch(
        "calls-only",
        "pipeline/record_kinds.py",
        "    value: float\n    unit: str\n\n\nclass TupleRecord",
        "    value: float\n    unit: str\n\n    def __post_init__(self) -> None:\n        pass\n\n\nclass TupleRecord",
        "records[kind=dataclass,",
        frozenset({"instructions"}),
        frozenset({"time"}),
        frozenset({"allocations", "memory"}),
    ),
)
"""The changes, each on its own case so that their effects can be told apart."""

SLOTTED_FIELD = Patch(
    "slot-for-the-object",
    "pipeline/records.py",
    "    value: float\n    unit: str\n\n    def __init__",
    "    value: float\n    unit: str\n    serial: int\n\n    def __init__",
    "",
    frozenset(),
    frozenset(),
)
"""The slot the one-more-object patch stores into (part of that change)."""


PADDED = Patch(
    "padded",
    "pipeline/records.py",
    "    value: float\n    unit: str\n\n    def __init__",
    "    value: float\n    unit: str\n    padding: int\n\n    def __init__",
    "records[kind=slots,",
    frozenset({"cycles"}),
    frozenset({"time", "memory"}),
    frozenset({"instructions", "allocations"}),
)
"""A change only the caches can see: one more slot that nothing stores into, so every slotted
record spreads over 80 bytes instead of 64 (more cache lines for the same work; 13 more
instructions a record, 0.6%, where the object is freed). Applied alone (it patches the class
the one-more-object patch does), by ``.ci/cycles-validation``."""


def apply_all(tree: Path) -> None:
    """Apply every patch (and the slot the object patch needs) to the copy at ``tree``."""
    SLOTTED_FIELD.apply(tree)
    for patch in PATCHES:
        patch.apply(tree)
