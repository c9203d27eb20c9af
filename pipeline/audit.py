"""Observability: :class:`AuditedAttribute` and :class:`MonitoredStage`.

An audited attribute reports every change of its value (not the first assignment, and
not a write of the same value) to the owning object's ``audit_log``, a
:class:`~pipeline.structured_log.StructuredLogger`, as an ``attribute_changed`` event.
"""

from __future__ import annotations

from typing import Any

from .structured_log import StructuredLogger

_UNSET = object()


class AuditedAttribute:
    """Data descriptor that logs each change of the attribute's value."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self._private = f"_audited_{name}"

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self._private, _UNSET)
        if value is _UNSET:
            raise AttributeError(f"{type(obj).__name__}.{self.name} has not been set")
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        old = getattr(obj, self._private, _UNSET)
        object.__setattr__(obj, self._private, value)
        log = getattr(obj, "audit_log", None)
        if old is not _UNSET and old != value and log is not None:
            log.info(
                "attribute_changed",
                owner=type(obj).__name__,
                attribute=self.name,
                old=old,
                new=value,
            )


class MonitoredStage:
    """A named unit of work whose ``state`` changes are audited."""

    state = AuditedAttribute()

    def __init__(self, name: str, audit_log: StructuredLogger | None = None) -> None:
        self.name = name
        self.audit_log = audit_log
        self.state = "idle"
