"""Property-based: arbitrary input to the public API is accepted or a typed error, and always exports."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    st.binary(),
    st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=5),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
end_states = st.one_of(anything, st.sampled_from(["Success", "Fail", "Indeterminate", "FAIL", "Failure", " success"]))
# Lone surrogates, control characters, emoji and huge strings: text that breaks naive encoders.
hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4),
    st.just("x" * 200_000),
    st.just("\x00\x1b[31m\u202e"),
)


@pytest.fixture(scope="module")
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    try:
        yield exporter
    finally:
        agentops.shutdown()


def assert_exportable(exporter: InMemorySpanExporter) -> None:
    """Every finished span encodes as OTLP protobuf and OTLP JSON (a failure would drop a batch)."""
    spans = exporter.get_finished_spans()
    encode_spans(spans).SerializeToString()
    lines = io.StringIO()
    assert FileSpanExporter(stream=lines).export(spans) is SpanExportResult.SUCCESS
    for line in lines.getvalue().splitlines():
        json.loads(line)
    exporter.clear()


@settings(max_examples=150, deadline=None)
@given(state=end_states, reason=st.one_of(anything, hostile_text))
def test_end_session_accepts_or_raises_a_typed_error(
    exported: InMemorySpanExporter, state: object, reason: object
) -> None:
    session = agentops.start_session()
    try:
        session.end_session(state, reason)  # type: ignore[arg-type]
    except agentops.InvalidArgumentError:
        assert session.end_state is None
        session.end_session("Indeterminate")
    assert session.end_state is not None
    assert_exportable(exported)


@settings(max_examples=150, deadline=None)
@given(tags=st.one_of(anything, st.lists(hostile_text, max_size=4)), name=st.one_of(st.none(), hostile_text))
def test_tags_and_names_accept_or_raise_a_typed_error(
    exported: InMemorySpanExporter, tags: object, name: object
) -> None:
    try:
        session = agentops.start_session(tags, name=name)  # type: ignore[arg-type]
    except agentops.InvalidArgumentError:
        return
    try:
        session.add_tags(tags)  # type: ignore[arg-type]
        session.set_tags(tags)  # type: ignore[arg-type]
    except agentops.InvalidArgumentError:
        pass
    session.end_session("Success")
    assert_exportable(exported)


@settings(max_examples=50, deadline=None)
@given(session_id=st.one_of(anything, hostile_text))
def test_inherited_session_ids_and_lookups_never_crash(exported: InMemorySpanExporter, session_id: object) -> None:
    assert agentops.get_session(session_id) is None  # type: ignore[arg-type]
    try:
        session = agentops.start_session(inherited_session_id=session_id)  # type: ignore[arg-type]
    except agentops.InvalidArgumentError:
        return
    session.end_session("Success")
    assert_exportable(exported)


event_values = st.one_of(
    anything,
    hostile_text,
    st.datetimes(timezones=st.sampled_from([None, timezone.utc])),
    st.decimals(),
    st.sampled_from([RuntimeError("x"), datetime.min, datetime.max, "9999-12-31", "1969-12-31T23:59:59Z"]),
)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from([agentops.ActionEvent, agentops.ToolEvent, agentops.LLMEvent, agentops.ErrorEvent]),
    values=st.dictionaries(
        st.sampled_from(
            [
                "init_timestamp",
                "end_timestamp",
                "name",
                "model",
                "action_type",
                "details",
                "error_type",
                "prompt_tokens",
                "completion_tokens",
                "cost",
                "exception",
                "params",
                "returns",
            ]
        ),
        event_values,
        max_size=4,
    ),
)
def test_event_fields_accept_or_raise_a_typed_error_and_always_export(
    exported: InMemorySpanExporter, event_type: type[agentops.ActionEvent], values: dict[str, object]
) -> None:
    session = agentops.start_session()
    fields = {name: value for name, value in values.items() if name in event_type.__dataclass_fields__}
    try:
        event = event_type(**fields)
    except agentops.InvalidArgumentError:
        event = event_type()
    session.record(event)
    session.end_session("Success")
    assert session.stats.spans == 1  # the event's span started and ended
    assert_exportable(exported)
