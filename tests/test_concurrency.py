"""Two sessions at once across 50 threads and 50 asyncio tasks: no span crosses over.

Asserted on what a real OTLP receiver process got, over gRPC and HTTP.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from tests.support.otlp_receiver import OTLPReceiver

WORKERS = 50


def exporter_for(receiver: OTLPReceiver, protocol: str) -> SpanExporter:
    if protocol == "grpc":
        return GrpcExporter(endpoint=receiver.grpc_endpoint, insecure=True)
    return HttpExporter(endpoint=receiver.http_traces_endpoint)


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_concurrent_sessions_in_threads_and_tasks_never_cross(receiver: OTLPReceiver, protocol: str) -> None:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    agentops.init(tracer_provider=provider, exporter=exporter_for(receiver, protocol), auto_start_session=False)
    tracer = provider.get_tracer("tests")
    sessions = [agentops.start_session(["a"]), agentops.start_session(["b"])]
    start = threading.Barrier(WORKERS)

    def thread_work(index: int) -> None:
        start.wait(timeout=10)  # all threads inside their sessions at the same time
        with tracer.start_as_current_span(f"thread {index}"), tracer.start_as_current_span(f"thread {index} inner"):
            pass

    async def task_work(index: int) -> None:
        with tracer.start_as_current_span(f"task {index}"):
            await asyncio.sleep(0.001)
            with tracer.start_as_current_span(f"task {index} inner"):
                await asyncio.sleep(0)

    async def all_tasks() -> None:
        await asyncio.gather(*(sessions[index % 2].wrap(task_work)(index) for index in range(WORKERS)))

    threads = [threading.Thread(target=sessions[i % 2].wrap(thread_work), args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    asyncio.run(all_tasks())
    for thread in threads:
        thread.join(timeout=30)
    for session in sessions:
        session.end_session("Success")
    agentops.shutdown()

    expected_spans = 2 + 4 * WORKERS
    spans = receiver.wait_for_spans(lambda found: len(found) >= expected_spans)
    assert len(spans) == expected_spans
    ids = [session.session_id for session in sessions]
    for span in spans:
        index = int(span["name"].split()[1]) if span["name"] != "session" else None
        expected = ids[index % 2] if index is not None else span["attributes"]["session.id"]
        assert span["attributes"]["session.id"] == expected, span["name"]
        assert span["trace_id"] == expected.replace("-", ""), span["name"]
    assert Counter(span["attributes"]["session.id"] for span in spans) == {
        ids[0]: 1 + 2 * WORKERS,
        ids[1]: 1 + 2 * WORKERS,
    }
    roots = [span for span in spans if span["name"] == "session"]
    assert all(root["attributes"]["agentops.session.spans"] == 2 * WORKERS for root in roots)
