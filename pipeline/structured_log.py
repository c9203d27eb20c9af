"""A JSON-lines structured logger built on the standard :mod:`logging` module.

Each event becomes one JSON object on one line: ``timestamp`` (UTC, ISO 8601),
``level``, ``component``, ``event``, then the event's fields. The logger writes to the
stream it is given and reads time from the clock it is given; it uses a private
:class:`logging.Logger` so that it neither touches nor is touched by the process's
logging configuration.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

_FIELDS = "pipeline_fields"


class JsonLineFormatter(logging.Formatter):
    """Format a record as one JSON object; the timestamp comes from ``clock``."""

    def __init__(self, component: str, clock: Callable[[], float]) -> None:
        super().__init__()
        self._component = component
        self._clock = clock

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line: timestamp, level, logger, event and fields."""
        stamp = datetime.fromtimestamp(self._clock(), tz=UTC)
        line = {
            "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "component": self._component,
            "event": record.getMessage(),
            **getattr(record, _FIELDS, {}),
        }
        return json.dumps(line, default=str)


class StructuredLogger:
    """Write structured events for one component as JSON lines to ``stream``."""

    def __init__(
        self,
        component: str,
        stream: TextIO,
        *,
        level: int = logging.INFO,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.component = component
        # Constructed directly rather than through logging.getLogger: the instance stays
        # out of the global logger tree, so loggers with one component name never share
        # handlers and nothing propagates to the root logger.
        self._logger = logging.Logger(f"pipeline.{component}", level)
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonLineFormatter(component, clock))
        self._logger.addHandler(handler)

    def log(self, level: int, event: str, **fields: Any) -> None:
        """Log ``event`` at ``level`` with ``fields``."""
        self._logger.log(level, event, extra={_FIELDS: fields})

    def debug(self, event: str, **fields: Any) -> None:
        """Log ``event`` with ``fields`` at DEBUG."""
        self.log(logging.DEBUG, event, **fields)

    def info(self, event: str, **fields: Any) -> None:
        """Log ``event`` with ``fields`` at INFO."""
        self.log(logging.INFO, event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        """Log ``event`` with ``fields`` at WARNING."""
        self.log(logging.WARNING, event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        """Log ``event`` with ``fields`` at ERROR."""
        self.log(logging.ERROR, event, **fields)
