"""Reading an OTLP JSON-lines span file (what the embedded default exporter writes), tolerantly.

One line is one export batch (``{"resourceSpans": [...]}``). Lines are decoded one at a time with
OpenTelemetry's own OTLP JSON codec (``opentelemetry-proto-json``: hex ids, int64 strings, enum
ints) into SDK ``ReadableSpan`` objects, so memory holds one batch of raw JSON at a time. A line
that is not such a record (a truncated last line after a crash, a metrics record, stray text) is
skipped and tallied, for the caller to report once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from opentelemetry.proto_json.collector.trace.v1.trace_service import ExportTraceServiceRequest
from opentelemetry.proto_json.common.v1.common import AnyValue, KeyValue
from opentelemetry.proto_json.trace.v1.trace import Span as OtlpSpan
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

# OTLP numbers span kinds from 1 (0 is "unspecified"); the SDK's enum starts at INTERNAL = 0.
_KINDS = {
    OtlpSpan.SpanKind.SPAN_KIND_SERVER: SpanKind.SERVER,
    OtlpSpan.SpanKind.SPAN_KIND_CLIENT: SpanKind.CLIENT,
    OtlpSpan.SpanKind.SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
    OtlpSpan.SpanKind.SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
}


class NotSpans(ValueError):
    """A JSON line that is not an OTLP traces record."""


@dataclass
class Skipped:
    """Lines that could not be read, summarised by the first one."""

    count: int = 0
    first_line: int = 0
    first_reason: str = ""

    def add(self, line_number: int, reason: str) -> None:
        """Tally one skipped line."""
        if not self.count:
            self.first_line, self.first_reason = line_number, reason
        self.count += 1


class SpanFile:
    """The spans of one file, read lazily; :attr:`skipped` fills in as lines are read.

    Reading resumes where the last read stopped (:attr:`offset`), so ``serve`` follows a growing
    file and ``export`` shows its progress. `on_skip` hears of every skipped line (``export``
    names each one); :attr:`skipped` summarises them for the one-line warning of ``report``.
    """

    def __init__(
        self,
        path: Path,
        on_skip: Callable[[int, str], None] | None = None,
        on_metrics: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> None:
        self.path = path
        self.skipped = Skipped()
        self.offset = 0
        """Bytes read so far: the end of the last line taken."""
        self._line_number = 0
        self._on_skip = on_skip
        self._on_metrics = on_metrics
        """Takes metric records (``export`` sends them) instead of skipping them as not spans."""
        self._resources: dict[frozenset[tuple[str, Any]], Resource] = {}

    def spans(self, complete_lines_only: bool = False) -> Iterator[ReadableSpan]:
        """Every span of every readable line from :attr:`offset` on, in file order.

        With `complete_lines_only`, a last line without its newline is left for the next read: a
        writer may be half-way through it (``serve``). Otherwise it is read (and skipped if torn).

        Raises:
            OSError: the file cannot be opened or read.
        """
        with self.path.open("rb") as stream:
            stream.seek(self.offset)
            for raw in stream:
                if complete_lines_only and not raw.endswith(b"\n"):
                    return
                self.offset += len(raw)
                self._line_number += 1
                yield from self._batch(raw.decode("utf-8", errors="replace"))

    def _batch(self, line: str) -> list[ReadableSpan]:
        """The spans of one line; an empty list, tallied as skipped, for a line that holds none."""
        if not line.strip():
            return []
        try:
            return self._decode(line)
        except json.JSONDecodeError:
            reason = "not JSON (a truncated or corrupted line)"
        except NotSpans:
            reason = "JSON that is not an OTLP traces record"
        except (ValueError, TypeError, AttributeError) as error:
            reason = f"a malformed OTLP record ({error})"
        self.skipped.add(self._line_number, reason)
        if self._on_skip is not None:
            self._on_skip(self._line_number, reason)
        return []

    def _decode(self, line: str) -> list[ReadableSpan]:
        """All spans of one line, or an exception saying why there are none."""
        data: Any = json.loads(line)
        if self._on_metrics is not None and isinstance(data, dict) and isinstance(data.get("resourceMetrics"), list):
            self._on_metrics(self._line_number, data)
            return []
        if not isinstance(data, dict) or not isinstance(data.get("resourceSpans"), list):
            raise NotSpans()
        request = ExportTraceServiceRequest.from_dict(data)
        spans: list[ReadableSpan] = []
        for resource_spans in request.resource_spans:
            resource = self._resource(resource_spans.resource.attributes if resource_spans.resource else [])
            for scope_spans in resource_spans.scope_spans:
                scope = _scope(scope_spans.scope.name, scope_spans.scope.version) if scope_spans.scope else None
                spans.extend(_readable(span, resource, scope) for span in scope_spans.spans)
        return spans

    def _resource(self, key_values: Sequence[KeyValue]) -> Resource:
        """The resource (the process that wrote the spans) as one shared object per distinct resource.

        The report tells a session's own process from other services by it; sharing saves memory.
        """
        attributes = attribute_map(key_values)
        key = frozenset(attributes.items())
        resource = self._resources.get(key)
        if resource is None:
            resource = self._resources[key] = Resource(attributes)
        return resource


def _scope(name: str | None, version: str | None) -> InstrumentationScope | None:
    """The library that made a span; kept so ``export`` sends it on as it was recorded."""
    return InstrumentationScope(name, version or None) if name else None


def _readable(span: OtlpSpan, resource: Resource, scope: InstrumentationScope | None) -> ReadableSpan:
    trace_id = int.from_bytes(span.trace_id or b"", "big")
    code = StatusCode(span.status.code) if span.status and span.status.code else StatusCode.UNSET
    message = span.status.message if span.status and code is StatusCode.ERROR else None
    return ReadableSpan(
        name=span.name or "",
        context=SpanContext(trace_id, int.from_bytes(span.span_id or b"", "big"), is_remote=False),
        parent=SpanContext(trace_id, int.from_bytes(span.parent_span_id, "big"), is_remote=False)
        if span.parent_span_id
        else None,
        resource=resource,
        attributes=attribute_map(span.attributes),
        events=[
            Event(event.name or "", attribute_map(event.attributes), event.time_unix_nano) for event in span.events
        ],
        links=[
            Link(
                SpanContext(
                    int.from_bytes(link.trace_id or b"", "big"), int.from_bytes(link.span_id or b"", "big"), True
                ),
                attribute_map(link.attributes),
            )
            for link in span.links
        ],
        instrumentation_scope=scope,
        kind=_KINDS.get(cast(OtlpSpan.SpanKind, span.kind), SpanKind.INTERNAL),
        status=Status(code, message or None),
        start_time=span.start_time_unix_nano or 0,
        end_time=span.end_time_unix_nano or 0,
    )


def attribute_map(key_values: Sequence[KeyValue]) -> dict[str, AttributeValue]:
    """OTLP key/values as the plain attribute mapping the SDK uses."""
    result: dict[str, AttributeValue] = {}
    for key_value in key_values:
        value = _value(key_value.value)
        if key_value.key and value is not None:
            result[key_value.key] = value
    return result


def _value(value: AnyValue | None) -> AttributeValue | None:
    if value is None:
        return None
    for scalar in (value.string_value, value.bool_value, value.int_value, value.double_value):
        if scalar is not None:
            return scalar
    if value.array_value is not None:
        items = [_value(item) for item in value.array_value.values]
        return cast(AttributeValue, tuple(item for item in items if item is not None))
    if value.kvlist_value is not None:
        return json.dumps(attribute_map(value.kvlist_value.values), default=list)
    if value.bytes_value is not None:
        return value.bytes_value.hex()
    return None
