"""OTLP/HTTP trace requests (protobuf or JSON) turned into lines of the JSON-lines spans file.

``serve`` stores what any OpenTelemetry app sends it in the same format the embedded default
writes (one OTLP JSON ``ExportTraceServiceRequest`` per line), so the report, ``export`` and a
restarted ``serve`` read it back like any other file. Protobuf is decoded by
``opentelemetry-proto``; the one difference between protobuf's JSON mapping and OTLP JSON (ids
as hex, not base64) is fixed here. Both kinds are checked with the same OTLP JSON codec the
reader uses, so a line that is stored is a line that can be read.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import threading
import zlib
from pathlib import Path
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]  # protobuf ships no stubs
from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto_json.collector.trace.v1 import trace_service as otlp_json

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


class BadRequest(ValueError):
    """A body that is not an OTLP trace request (answered with 400 and the reason)."""


def decode(body: bytes, content_type: str, content_encoding: str) -> tuple[str, int]:
    """One JSON line (no newline) for an OTLP/HTTP trace request, and its span count.

    Raises:
        BadRequest: the body cannot be decompressed or decoded.
    """
    try:
        if content_encoding == "gzip":
            body = gzip.decompress(body)
        elif content_encoding == "deflate":
            body = zlib.decompress(body)
    except (OSError, EOFError, zlib.error) as error:
        raise BadRequest(f"cannot decompress the body ({error})") from None
    if content_type == JSON:
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise BadRequest(f"not JSON ({error})") from None
    else:
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except DecodeError as error:
            raise BadRequest(f"not an OTLP protobuf trace request ({error})") from None
        data = _hex_ids(json_format.MessageToDict(request, use_integers_for_enums=True))
    if not isinstance(data, dict):
        raise BadRequest("not an OTLP trace request")
    try:
        checked = otlp_json.ExportTraceServiceRequest.from_dict(data)
    except (ValueError, TypeError, AttributeError) as error:
        raise BadRequest(f"not an OTLP trace request ({error})") from None
    spans = sum(len(scope.spans) for resource in checked.resource_spans for scope in resource.scope_spans)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")), spans


def reply(content_type: str) -> bytes:
    """The success answer, in the request's encoding."""
    return b"{}" if content_type == JSON else ExportTraceServiceResponse().SerializeToString()


def _hex_ids(data: dict[str, Any]) -> dict[str, Any]:
    """Protobuf's JSON mapping writes bytes as base64; OTLP JSON writes trace and span ids as hex."""
    for resource in data.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                for holder in (span, *span.get("links", [])):
                    for name in _ID_FIELDS:
                        if name in holder:
                            holder[name] = base64.b64decode(holder[name]).hex()
    return data


class Appender:
    """Appends lines to the spans file, one writer at a time, each line flushed before the sender is answered."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+b") as stream:
            if stream.seek(0, os.SEEK_END) > 0:
                stream.seek(-1, os.SEEK_END)
                if stream.read(1) != b"\n":  # a killed writer tore the last line: never glue a new one onto it
                    stream.write(b"\n")

    def append(self, line: str) -> None:
        """Add one line; it is on disk (in the OS's hands) when this returns."""
        data = (line + "\n").encode("utf-8")
        with self._lock, self.path.open("ab") as stream:
            stream.write(data)
