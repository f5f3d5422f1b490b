"""Tests of the OTLP receiver itself: real exporters, real child processes, real sockets."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GRPCSpanExporter
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HTTPSpanExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util.types import AttributeValue

from tests.support.otlp_receiver import OTLPReceiver, any_value_to_python


def grpc_exporter(receiver: OTLPReceiver, timeout: float = 5.0) -> SpanExporter:
    return GRPCSpanExporter(endpoint=receiver.grpc_endpoint, insecure=True, timeout=timeout)


def http_exporter(receiver: OTLPReceiver, timeout: float = 5.0) -> SpanExporter:
    return HTTPSpanExporter(endpoint=receiver.http_traces_endpoint, compression=Compression.Gzip, timeout=timeout)


EXPORTERS: dict[str, Callable[..., SpanExporter]] = {"grpc": grpc_exporter, "http": http_exporter}


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[OTLPReceiver]:
    with OTLPReceiver(tmp_path / "spans.jsonl") as running:
        yield running


def provider_for(*exporters: SpanExporter) -> TracerProvider:
    """SimpleSpanProcessor exports synchronously, so spans are on disk as soon as they end."""
    provider = TracerProvider(resource=Resource.create({"service.name": "receiver-test"}))
    for exporter in exporters:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def finished_spans(*names: str) -> tuple[ReadableSpan, ...]:
    memory = InMemorySpanExporter()
    provider = provider_for(memory)
    for name in names:
        provider.get_tracer("receiver-test").start_span(name).end()
    return memory.get_finished_spans()


def test_any_value_to_python_covers_every_value_type() -> None:
    array = ArrayValue(values=[AnyValue(int_value=1), AnyValue(string_value="a")])
    value = AnyValue(
        kvlist_value=KeyValueList(
            values=[
                KeyValue(key="str", value=AnyValue(string_value="x")),
                KeyValue(key="bool", value=AnyValue(bool_value=True)),
                KeyValue(key="int", value=AnyValue(int_value=-3)),
                KeyValue(key="double", value=AnyValue(double_value=0.5)),
                KeyValue(key="bytes", value=AnyValue(bytes_value=b"\x01\xff")),
                KeyValue(key="array", value=AnyValue(array_value=array)),
                KeyValue(key="empty"),
            ]
        )
    )
    assert any_value_to_python(value) == {
        "str": "x",
        "bool": True,
        "int": -3,
        "double": 0.5,
        "bytes": "01ff",
        "array": [1, "a"],
        "empty": None,
    }


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_real_exporter_spans_arrive_intact(receiver: OTLPReceiver, transport: str) -> None:
    provider = provider_for(EXPORTERS[transport](receiver))
    tracer = provider.get_tracer("receiver-test-scope")
    linked = tracer.start_span("linked")
    linked.end()
    attributes: dict[str, AttributeValue] = {
        "str": "v",
        "int": 7,
        "float": 1.5,
        "bool": True,
        "strs": ["a", "b"],
        "ints": [1, 2],
    }
    link = trace.Link(linked.get_span_context(), {"why": "test"})
    with (
        tracer.start_as_current_span("parent", kind=trace.SpanKind.SERVER, attributes=attributes, links=[link]),
        tracer.start_as_current_span("child") as child,
    ):
        child.add_event("checkpoint", {"step": 2, "ok": True})
        child.set_status(trace.Status(trace.StatusCode.ERROR, "boom"))
    provider.shutdown()

    spans = {s["name"]: s for s in receiver.wait_for_spans(lambda got: len(got) == 3, timeout=5)}
    parent, child_span = spans["parent"], spans["child"]
    assert parent["trace_id"] == child_span["trace_id"] == format(child.get_span_context().trace_id, "032x")
    assert child_span["span_id"] == format(child.get_span_context().span_id, "016x")
    assert (parent["parent_span_id"], child_span["parent_span_id"]) == ("", parent["span_id"])
    assert (parent["kind"], child_span["kind"]) == ("SERVER", "INTERNAL")
    assert parent["attributes"] == attributes
    assert (parent["status_code"], parent["status_message"]) == ("UNSET", "")
    assert (child_span["status_code"], child_span["status_message"]) == ("ERROR", "boom")
    [event] = child_span["events"]
    assert (event["name"], event["attributes"]) == ("checkpoint", {"step": 2, "ok": True})
    assert parent["start_time_unix_nano"] <= event["time_unix_nano"] <= parent["end_time_unix_nano"]
    assert parent["links"] == [
        {"trace_id": spans["linked"]["trace_id"], "span_id": spans["linked"]["span_id"], "attributes": {"why": "test"}}
    ]
    assert {s["transport"] for s in spans.values()} == {transport}
    assert {s["scope"] for s in spans.values()} == {"receiver-test-scope"}
    assert all(s["resource"]["service.name"] == "receiver-test" for s in spans.values())


def test_kill_and_restart_on_same_ports_keeps_earlier_spans(receiver: OTLPReceiver) -> None:
    # The same exporters live across the crash, as in an application whose collector restarts.
    provider = provider_for(grpc_exporter(receiver), http_exporter(receiver))
    tracer = provider.get_tracer("receiver-test")
    tracer.start_span("before").end()
    ports = (receiver.grpc_port, receiver.http_port)
    receiver.kill()
    with receiver.out_path.open("ab") as out:
        out.write(b'{"name": "torn')  # as if the kill landed mid-write
    receiver.restart()
    tracer.start_span("after").end()
    provider.shutdown()

    assert (receiver.grpc_port, receiver.http_port) == ports
    got = sorted((s["name"], s["transport"]) for s in receiver.spans())
    assert got == [("after", "grpc"), ("after", "http"), ("before", "grpc"), ("before", "http")]


def test_port_clash_fails_start_with_child_stderr(receiver: OTLPReceiver, tmp_path: Path) -> None:
    clash = OTLPReceiver(tmp_path / "clash.jsonl", grpc_port=receiver.grpc_port)
    with pytest.raises(RuntimeError, match=r"not ready(.|\n)*stderr:\n.*\S"):
        clash.start()


def test_http_plain_body_malformed_body_and_wrong_path(receiver: OTLPReceiver) -> None:
    request = trace_service_pb2.ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                scope_spans=[
                    ScopeSpans(
                        spans=[Span(trace_id=b"\x01" * 16, span_id=b"\x02" * 8, name="raw", kind=Span.SPAN_KIND_CLIENT)]
                    ),
                ]
            )
        ]
    )
    assert post(receiver.http_traces_endpoint, request.SerializeToString())[0] == 200
    assert post(receiver.http_traces_endpoint, b"\xff not protobuf")[0] == 400
    assert post(f"{receiver.http_endpoint}/v1/logs", b"")[0] == 404
    [span] = receiver.spans()
    assert (span["name"], span["kind"], span["trace_id"], span["transport"]) == ("raw", "CLIENT", "01" * 16, "http")


@pytest.mark.parametrize(
    ("fail_mode", "grpc_code", "http_status"),
    [("unavailable", grpc.StatusCode.UNAVAILABLE, 503), ("bad_request", grpc.StatusCode.INVALID_ARGUMENT, 400)],
)
def test_fail_modes_reject_on_both_protocols_and_record_nothing(
    tmp_path: Path, fail_mode: str, grpc_code: grpc.StatusCode, http_status: int
) -> None:
    request = trace_service_pb2.ExportTraceServiceRequest()
    with OTLPReceiver(tmp_path / "spans.jsonl", fail_mode=fail_mode) as receiver:
        with grpc.insecure_channel(receiver.grpc_endpoint) as channel:
            stub = trace_service_pb2_grpc.TraceServiceStub(channel)  # type: ignore[no-untyped-call]
            with pytest.raises(grpc.RpcError) as rpc_error:
                stub.Export(request, timeout=5)
        assert rpc_error.value.code() == grpc_code
        status, headers = post(receiver.http_traces_endpoint, request.SerializeToString())
        assert status == http_status
        assert headers.get("Retry-After") == ("1" if http_status == 503 else None)
        assert receiver.spans() == []


def test_reply_modes_answer_success_but_take_nothing(tmp_path: Path) -> None:
    request = trace_service_pb2.ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                scope_spans=[
                    ScopeSpans(spans=[Span(trace_id=b"\x01" * 16, span_id=b"\x02" * 8, name="raw")] * 2),
                ]
            )
        ]
    )
    with OTLPReceiver(tmp_path / "spans.jsonl", reply="partial_success") as receiver:
        with grpc.insecure_channel(receiver.grpc_endpoint) as channel:
            stub = trace_service_pb2_grpc.TraceServiceStub(channel)  # type: ignore[no-untyped-call]
            assert stub.Export(request, timeout=5).partial_success.rejected_spans == 2
        with urllib.request.urlopen(receiver.http_traces_endpoint, request.SerializeToString(), timeout=5) as answer:
            body = trace_service_pb2.ExportTraceServiceResponse.FromString(answer.read())
        assert body.partial_success.rejected_spans == 2
        assert receiver.spans() == []
    with OTLPReceiver(tmp_path / "spans.jsonl", reply="not_otlp") as receiver:
        status, headers = post(receiver.http_traces_endpoint, request.SerializeToString())
        assert (status, headers["Content-Type"]) == (200, "text/html")
        assert receiver.spans() == []


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_unavailable_makes_real_exporter_fail(tmp_path: Path, transport: str) -> None:
    spans = finished_spans("dropped")
    with OTLPReceiver(tmp_path / "spans.jsonl", fail_mode="unavailable") as receiver:
        exporter = EXPORTERS[transport](receiver, timeout=1.5)
        started = time.monotonic()
        result = exporter.export(spans)
        elapsed = time.monotonic() - started
        exporter.shutdown()
        assert result is SpanExportResult.FAILURE
        assert elapsed < 3, "the exporter's own timeout should bound its retries"
        assert receiver.spans() == []


def test_wait_for_spans_times_out_with_what_arrived(tmp_path: Path) -> None:
    never_started = OTLPReceiver(tmp_path / "spans.jsonl")
    with pytest.raises(AssertionError, match=r"got 0: \[\]"):
        never_started.wait_for_spans(bool, timeout=0.2)


def post(url: str, body: bytes) -> tuple[int, Message]:
    """POST an OTLP/HTTP body; returns (status, headers) whether or not the status is an error."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-protobuf"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers
