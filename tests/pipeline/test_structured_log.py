"""StructuredLogger: one JSON object per line, on the stream and clock it is given."""

import io
import json
import logging

from pipebench_pipeline.structured_log import StructuredLogger


def test_writes_one_json_object_per_line():
    stream = io.StringIO()
    logger = StructuredLogger("Pipeline", stream, clock=lambda: 1_700_000_000.25)
    logger.info("started", records=3)
    logger.warning("slow", stage="filter")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first == {
        "timestamp": "2023-11-14T22:13:20.250Z",
        "level": "INFO",
        "component": "Pipeline",
        "event": "started",
        "records": 3,
    }
    assert (second["level"], second["stage"]) == ("WARNING", "filter")


def test_level_filters_events():
    stream = io.StringIO()
    logger = StructuredLogger("Pipeline", stream, level=logging.WARNING)
    logger.info("hidden")
    logger.error("shown")
    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == ["shown"]


def test_loggers_with_one_component_name_do_not_share_streams():
    first, second = io.StringIO(), io.StringIO()
    StructuredLogger("Same", first).info("a")
    StructuredLogger("Same", second).info("b")
    assert first.getvalue().count("\n") == 1 and second.getvalue().count("\n") == 1


def test_does_not_propagate_to_the_root_logger(caplog):
    StructuredLogger("Quiet", io.StringIO()).info("private")
    assert caplog.records == []


def test_non_json_values_are_written_as_text():
    stream = io.StringIO()
    StructuredLogger("Pipeline", stream).info("odd", value={1, 2} and frozenset({1}))
    assert json.loads(stream.getvalue())["value"] == "frozenset({1})"
