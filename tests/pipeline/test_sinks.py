"""Sinks: counting, collecting, console and JSON lines."""

import io
import json

from pipebench_pipeline.sinks import CollectingSink, ConsoleSink, CountingSink, JsonLinesSink

RECORDS = [
    {"sensor_id": f"S0{i}", "timestamp": float(i), "value": 10.0 + i, "unit": "celsius", "normalized": i / 4}
    for i in range(4)
]


def test_counting_sink_counts_and_keeps_nothing():
    sink = CountingSink()
    assert sink.consume(iter(RECORDS)) == 4
    assert sink.consume(iter([])) == 0
    assert sink.consumed == 4


def test_collecting_sink_keeps_records_in_order():
    sink = CollectingSink()
    sink.consume(iter(RECORDS))
    assert sink.records == RECORDS and sink.consumed == 4


def test_console_sink_shows_only_the_first_records():
    out = io.StringIO()
    sink = ConsoleSink(limit=2, stream=out)
    assert sink.consume(iter(RECORDS)) == 4
    lines = out.getvalue().splitlines()
    assert lines == ["  -> S00 value=10.00 normalized=0.0", "  -> S01 value=11.00 normalized=0.25"]


def test_json_lines_sink_writes_one_object_per_line_in_field_order():
    out = io.StringIO()
    JsonLinesSink(out).consume(iter([{**RECORDS[1], "extra": 1}]))
    line = out.getvalue()
    assert line.endswith("\n") and line.count("\n") == 1
    assert list(json.loads(line)) == ["sensor_id", "timestamp", "value", "unit", "normalized"]
