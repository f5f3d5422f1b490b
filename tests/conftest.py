"""Fixtures: an in-memory pipeline for unit tests and a real OTLP receiver for integration tests."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import kill_started_scripts

os.environ["AGENTOPS_QUIET"] = "1"  # unit tests read spans, not stderr summaries
# LiteLLM fetches its model price map from the internet when imported; tests talk to loopback only.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


@pytest.fixture(scope="session", autouse=True)
def sigint_as_from_a_terminal() -> None:
    """SIGINT at Python's default, so the scripts the signal tests start inherit it.

    A shell without job control starts background jobs with SIGINT ignored, and an ignored
    signal stays ignored in every child: the scripts would then ignore the SIGINT the tests
    send (agentops-otel leaves an ignored signal ignored, as the application chose).
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class Recorded:
    """The spans a test's provider has finished, looked up by name."""

    def __init__(self, exporter: InMemorySpanExporter, provider: TracerProvider) -> None:
        self.exporter = exporter
        self.provider = provider

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"expected one span named {name!r}, got {[s.name for s in self.spans]}"
        return found[0]


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    """``agentops.init()`` on a private provider whose spans land in memory, synchronously."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    agentops.init(tracer_provider=provider, auto_start_session=False, exporter="none")
    try:
        yield Recorded(exporter, provider)
    finally:
        agentops.shutdown()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[OTLPReceiver]:
    """A real OTLP receiver process (gRPC and HTTP) on loopback."""
    with OTLPReceiver(tmp_path / "received.jsonl") as running:
        yield running


@pytest.fixture(autouse=True)
def _no_child_outlives_its_test() -> Iterator[None]:
    """A test that timed out waiting for a child must not leave it running into other tests."""
    yield
    kill_started_scripts()
