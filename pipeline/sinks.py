"""Sinks: the stages that drive a lazy chain to completion.

``consume(stream)`` pulls every record and returns how many it consumed. Output goes to a
stream the sink is given, never to a global ``print``.
"""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from .records import OUTPUT_FIELDS
from .registry import RegistrableStage


class Sink(RegistrableStage, ABC):
    """Base of the sinks: ``consumed`` counts every record taken from upstream."""

    def __init__(self) -> None:
        self.consumed = 0

    @abstractmethod
    def consume(self, stream: Iterable[Any]) -> int:
        """Drain ``stream``; return the number of records consumed by this call."""


class CountingSink(Sink):
    """Count the records and keep nothing: the sink of the benchmarks."""

    STAGE_NAME = "CountingSink"

    def consume(self, stream: Iterable[Any]) -> int:
        """Drain ``stream``, counting it; return the count."""
        counted = deque(enumerate(stream, start=1), maxlen=1)
        count = counted[0][0] if counted else 0
        self.consumed += count
        return count


class CollectingSink(Sink):
    """Keep every record in ``records``, in order."""

    STAGE_NAME = "CollectingSink"

    def __init__(self) -> None:
        super().__init__()
        self.records: list[Any] = []

    def consume(self, stream: Iterable[Any]) -> int:
        """Append every record of ``stream``; return how many."""
        before = len(self.records)
        self.records.extend(stream)
        count = len(self.records) - before
        self.consumed += count
        return count


class ConsoleSink(Sink):
    """Show the first ``limit`` records on a text stream and count all of them."""

    STAGE_NAME = "ConsoleSink"

    def __init__(self, limit: int = 5, stream: TextIO | None = None) -> None:
        super().__init__()
        self.limit = limit
        self._out = stream

    def consume(self, stream: Iterable[Mapping[str, Any]]) -> int:
        """Write every record of ``stream``; return how many."""
        out = self._out if self._out is not None else sys.stdout
        count = 0
        for record in stream:
            if self.consumed + count < self.limit:
                out.write(format_record(record) + "\n")
            count += 1
        self.consumed += count
        return count


class JsonLinesSink(Sink):
    """Write each record as one JSON object per line, fields in a fixed order."""

    STAGE_NAME = "JsonLinesSink"

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self._out = stream

    def consume(self, stream: Iterable[Mapping[str, Any]]) -> int:
        """Write every record of ``stream``; return how many."""
        out = self._out if self._out is not None else sys.stdout
        count = 0
        for record in stream:
            out.write(to_json_line(record))
            count += 1
        self.consumed += count
        return count


def to_json_line(record: Mapping[str, Any]) -> str:
    """One output record as a JSON line: the output fields only, always in one order."""
    return json.dumps({name: record[name] for name in OUTPUT_FIELDS}) + "\n"


def format_record(record: Mapping[str, Any]) -> str:
    """The console line of one record, as the seed shows it."""
    normalized = record.get("normalized", "N/A")
    return f"  -> {record['sensor_id']} value={record['value']:.2f} normalized={normalized}"
