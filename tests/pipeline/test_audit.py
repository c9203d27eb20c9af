"""AuditedAttribute and MonitoredStage: changes go to the structured logger."""

import io
import json

import pytest

from pipebench_pipeline.audit import MonitoredStage
from pipebench_pipeline.structured_log import StructuredLogger


def events(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_changes_are_logged_with_old_and_new_values():
    stream = io.StringIO()
    stage = MonitoredStage("normalizer", StructuredLogger("Audit", stream, clock=lambda: 0.0))
    stage.state = "running"
    stage.state = "running"
    stage.state = "done"
    logged = events(stream)
    assert [(e["old"], e["new"]) for e in logged] == [("idle", "running"), ("running", "done")]
    assert logged[0]["event"] == "attribute_changed"
    assert logged[0]["owner"] == "MonitoredStage" and logged[0]["attribute"] == "state"


def test_first_assignment_is_not_a_change():
    stream = io.StringIO()
    MonitoredStage("x", StructuredLogger("Audit", stream))
    assert stream.getvalue() == ""


def test_values_are_kept_per_instance():
    first, second = MonitoredStage("a"), MonitoredStage("b")
    first.state = "running"
    assert (first.state, second.state) == ("running", "idle")


def test_unset_attribute_raises_attribute_error():
    stage = MonitoredStage.__new__(MonitoredStage)
    with pytest.raises(AttributeError, match="has not been set"):
        stage.state  # noqa: B018


def test_descriptor_is_returned_from_the_class():
    assert type(MonitoredStage.state).__name__ == "AuditedAttribute"
