"""The pipeline's exception tree.

Every error the library raises on purpose derives from :class:`PipelineError`, so a
caller (the command line above all) can turn any of them into a one-line message::

    PipelineError
    ├── ConfigError            invalid parameters (record count, window, thresholds, ...)
    ├── MalformedRecordError   a record missing a field or carrying a non-finite value
    ├── RegistryError          two different classes registered under one stage name
    └── CircuitOpenError       the circuit breaker refused a call without trying it
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error raised by the pipeline on purpose."""


class ConfigError(PipelineError, ValueError):
    """A parameter is out of its allowed range or of the wrong type."""


class MalformedRecordError(PipelineError, ValueError):
    """A record lacks a field, or its value is not a finite number."""


class RegistryError(PipelineError):
    """A stage name is already taken by a different class."""


class CircuitOpenError(PipelineError):
    """The circuit is open (or a half-open probe is in flight): the call was not made."""
