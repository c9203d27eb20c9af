"""The stage registry and its manifest.

Every subclass of :class:`RegistrableStage` that sets ``STAGE_NAME`` registers itself when
its class statement runs (``__init_subclass__``). The registry is keyed by name and refuses
a second, different class under a name already taken; the same class defined again (a
module reloaded, or the second class object that ``dataclass(slots=True)`` creates) replaces
the first. :func:`manifest` describes every registered stage from its signature and
docstring, so the pipeline documents itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

from .errors import RegistryError

_REGISTRY: dict[str, type] = {}


class RegistrableStage:
    """Base class whose named subclasses register themselves under ``STAGE_NAME``."""

    STAGE_NAME: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("STAGE_NAME", "")
        if name:
            register(name, cls)


def register(name: str, cls: type) -> None:
    """Register ``cls`` under ``name``.

    Raises:
        RegistryError: ``name`` belongs to a different class.
    """
    current = _REGISTRY.get(name)
    if current is not None and _identity(current) != _identity(cls):
        raise RegistryError(
            f"stage name {name!r} is taken by {_class_path(current)}, cannot register {_class_path(cls)}"
        )
    _REGISTRY[name] = cls


def registered_stages() -> dict[str, type]:
    """A copy of the registry, name to class, in registration order."""
    return dict(_REGISTRY)


@contextmanager
def isolated_registry() -> Iterator[dict[str, type]]:
    """Run a block against a copy of the registry and restore the original afterwards.

    Tests use it to define stages without leaking them into the process-wide registry.
    """
    saved = dict(_REGISTRY)
    try:
        yield _REGISTRY
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(saved)


def _identity(cls: type) -> tuple[str, str]:
    # Module and plain name, not the qualified name: dataclass(slots=True) creates its
    # second class object before it copies __qualname__ over, so a nested class would
    # otherwise look like a stranger to itself.
    return cls.__module__, cls.__name__


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclass(frozen=True)
class ManifestEntry:
    """What the manifest says of one stage."""

    name: str
    class_path: str
    parameters: str
    summary: str


def manifest(registry: dict[str, type] | None = None) -> list[ManifestEntry]:
    """Describe each registered stage, sorted by name.

    Args:
        registry: name to class; the process-wide registry by default.
    """
    stages = registered_stages() if registry is None else registry
    return [_describe(name, cls) for name, cls in sorted(stages.items())]


def _describe(name: str, cls: type) -> ManifestEntry:
    doc = inspect.getdoc(cls) or ""
    summary = doc.strip().splitlines()[0] if doc.strip() else "(no docstring)"
    return ManifestEntry(name, _class_path(cls), _signature(cls), summary)


def _signature(cls: type) -> str:
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return "(signature unavailable)"
    params = []
    for param in list(signature.parameters.values())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is param.empty:
            params.append(param.name)
        else:
            params.append(f"{param.name}={_default_repr(param.default)}")
    return ", ".join(params) or "(none)"


def _default_repr(value: object) -> str:
    # Callables (clocks, sleeps) print as their name, not as an address that changes per run.
    if callable(value):
        return getattr(value, "__qualname__", type(value).__name__)
    return repr(value)


def render_manifest(entries: list[ManifestEntry]) -> str:
    """The manifest as text: one block per stage."""
    lines = ["PIPELINE STAGE MANIFEST", "=" * 60]
    for entry in entries:
        lines += [
            "",
            f"Stage: {entry.name}",
            f"  Class:      {entry.class_path}",
            f"  Parameters: {entry.parameters}",
            f"  Docstring:  {entry.summary}",
        ]
    return "\n".join(lines) + "\n"
