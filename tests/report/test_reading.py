"""Malformed and unusual input: skipped lines warn once, unusable files exit 2 with one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, StatusCode

from agentops_otel.report.reading import SpanFile
from tests.report.conftest import ExampleRun, run_report

FOREIGN = ['{"resourceMetrics": []}', "[1, 2, 3]", '"just a string"', '{"resourceSpans": "nope"}']


def copy_with(example_run: ExampleRun, tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "traces.jsonl"
    path.write_text(example_run.traces.read_text() + extra)
    return path


def test_a_truncated_last_line_is_skipped_with_one_warning(example_run: ExampleRun, tmp_path: Path) -> None:
    first_line = example_run.traces.read_text().splitlines()[0]
    path = copy_with(example_run, tmp_path, first_line[: len(first_line) // 2])  # a crash mid-write
    result = run_report(path, "--json")
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 3
    lines = example_run.traces.read_text().count("\n") + 1
    assert result.stderr == (
        f"agentops-otel report: warning: skipped 1 unreadable line in {path} "
        f"(first: line {lines}, not JSON (a truncated or corrupted line))\n"
    )


def test_many_bad_lines_still_give_one_warning(example_run: ExampleRun, tmp_path: Path) -> None:
    malformed = '{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x", "kind": 99}]}]}]}'
    path = copy_with(example_run, tmp_path, "\n".join(["not json at all", *FOREIGN, malformed, "", "{"]) + "\n")
    result = run_report(path)
    assert result.returncode == 0
    assert len(result.stderr.splitlines()) == 1
    assert "skipped 7 unreadable lines" in result.stderr
    assert len(result.stdout.splitlines()) == 6  # header, 3 sessions, blank, totals


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "holds no OTLP JSON spans (it is empty)"),
        ("\n\n", "holds no OTLP JSON spans (it is empty)"),
        ("hello\nworld\n", "holds no OTLP JSON spans"),
        ("\n".join(FOREIGN), "holds no OTLP JSON spans"),
        ('{"resourceSpans": []}\n', "holds no OTLP JSON spans (it is empty)"),
    ],
    ids=["empty", "blank lines", "not JSON", "foreign JSON", "no spans"],
)
def test_a_file_without_spans_exits_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_text(content)
    result = run_report(path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"agentops-otel report: error: {path} {message}"
    assert "Traceback" not in result.stderr


def test_binary_garbage_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(bytes(range(256)) * 4)
    result = run_report(path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_file_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "missing.jsonl"
    result = run_report(path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"agentops-otel report: error: cannot read {path}: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_directory_without_spans_files_exits_2(tmp_path: Path) -> None:
    result = run_report(tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"agentops-otel report: error: {tmp_path} is a directory with no *.jsonl files in it\n"


def test_a_page_that_cannot_be_written_exits_2(example_run: ExampleRun, tmp_path: Path) -> None:
    result = run_report(example_run.traces, "--html", tmp_path / "missing" / "out.html")
    assert result.returncode == 2
    assert result.stderr.startswith("agentops-otel report: error: cannot write ")


def test_spans_outside_any_session_are_not_sessions(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(FileSpanExporter(path)))
    for name in ("GET /", "SELECT"):
        provider.get_tracer("tests").start_span(name).end()
    provider.shutdown()
    result = run_report(path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "0 sessions and 2 spans outside sessions, 0 LLM calls, 0 tokens, $0.000000"
    assert run_report(path, "--json").stdout == "[]\n"


def test_the_reader_decodes_every_otlp_value_type(tmp_path: Path) -> None:
    span = {
        "traceId": "0af7651916cd43dd8448eb211c80319c",
        "spanId": "b7ad6b7169203331",
        "parentSpanId": "00f067aa0ba902b7",
        "name": "chat m",
        "kind": 3,
        "startTimeUnixNano": "1000",
        "endTimeUnixNano": "3000",
        "attributes": [
            {"key": "s", "value": {"stringValue": "x"}},
            {"key": "i", "value": {"intValue": "42"}},
            {"key": "d", "value": {"doubleValue": 0.5}},
            {"key": "b", "value": {"boolValue": True}},
            {"key": "a", "value": {"arrayValue": {"values": [{"stringValue": "p"}, {"stringValue": "q"}]}}},
            {"key": "kv", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"intValue": "1"}}]}}},
            {"key": "raw", "value": {"bytesValue": "AQI="}},
            {"key": "empty", "value": {}},
        ],
        "events": [{"name": "exception", "timeUnixNano": "2000", "attributes": []}],
        "status": {"code": 2, "message": "boom"},
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}) + "\n")
    (read,) = SpanFile(path).spans()
    assert read.name == "chat m" and read.kind is SpanKind.CLIENT
    assert read.context is not None and read.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert read.parent is not None and read.parent.span_id == 0x00F067AA0BA902B7
    assert (read.start_time, read.end_time) == (1000, 3000)
    assert read.status.status_code is StatusCode.ERROR and read.status.description == "boom"
    assert dict(read.attributes or {}) == {
        "s": "x",
        "i": 42,
        "d": 0.5,
        "b": True,
        "a": ("p", "q"),
        "kv": '{"k": 1}',
        "raw": "0102",
    }
    assert [event.name for event in read.events] == ["exception"]
