"""The HTTP side: routing, the test-control headers, and one writer each for JSON, SSE and errors."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar

from . import anthropic_api, bedrock_api, cohere_api, gemini_api, groq_api, mistral_api, ollama_api, openai_api
from .core import Call, Endpoint, Framing, Provider, SSEEvent, new_id

_Text = TypeVar("_Text", str, bytes)

ROUTES: dict[str, Endpoint] = {
    **openai_api.ENDPOINTS,
    **anthropic_api.ENDPOINTS,
    **groq_api.ENDPOINTS,
    **ollama_api.ENDPOINTS,
    **mistral_api.ENDPOINTS,
    **cohere_api.ENDPOINTS,
    **gemini_api.ENDPOINTS,
    **bedrock_api.ENDPOINTS,
}
PATH_BODIES = (gemini_api.request_body, bedrock_api.request_body)
"""Providers that name the model in the path: their body as the others send it (``model`` in it)."""
CUT_AFTER_EVENTS = 2
"""A ``cut`` stream sends this many events, then drops the connection."""

_STATUS_ERRORS = {
    "400": (400, "Invalid request (x-test-error: 400)."),
    "429": (429, "Rate limit reached (x-test-error: 429). Please try again in 0s."),
    "500": (500, "The server had an error while processing your request (x-test-error: 500)."),
}
_BODY_ERRORS = ("malformed", "cut")


@dataclass(frozen=True)
class RecordedRequest:
    """A request as received: header names are lower-cased; ``body`` is the parsed JSON, if any."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _BadRequest(Exception):
    """A request the test server refuses with a 400 in the provider's error shape."""


class _HTTPServer(ThreadingHTTPServer):
    """Records requests, and tracks open connections so that ``stop`` can end keep-alive ones."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.recorded: list[RecordedRequest] = []
        self.connections: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.lock:
            for connection in self.connections:
                _drop(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up mid-response, as benchmarks and cut-stream tests do."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else small SSE writes wait on delayed ACKs
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request log lines: benchmarks send thousands."""

    def do_GET(self) -> None:
        self._record(None)
        if self.path == "/health":
            self._send_body(200, "application/json", b'{"status": "ok"}', {})
        else:
            self._send_error(openai_api.PROVIDER, 404, f"Unknown path {self.path}")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        endpoint = ROUTES.get(self.path.partition("?")[0])
        provider = endpoint.provider if endpoint else openai_api.PROVIDER
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._record(body)
        for path_body in PATH_BODIES:
            body = path_body(self.path, body)
        if endpoint is None:
            return self._send_error(provider, 404, f"Unknown path {self.path}")
        try:
            call = _call(body, self.headers.get("x-test-chunks"), self.headers.get("x-test-content-filter") == "true")
            string_argument = self.headers.get("x-test-string-argument")
            if string_argument is not None:
                call = replace(call, string_argument=string_argument)
            self._serve(endpoint, call, self.headers.get("x-test-error"))
        except _BadRequest as error:
            self._send_error(provider, 400, str(error))
        except (KeyError, TypeError, ValueError) as error:  # a body without a field the reply needs
            self._send_error(provider, 400, f"Invalid request body: {error!r}")

    def _record(self, body: Any) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.server.lock:
            self.server.recorded.append(RecordedRequest(self.command, self.path, headers, body))

    def _serve(self, endpoint: Endpoint, call: Call, error: str | None) -> None:
        if error in _STATUS_ERRORS:
            return self._send_error(endpoint.provider, *_STATUS_ERRORS[error])
        if error is not None and error not in _BODY_ERRORS:
            raise _BadRequest(f"x-test-error must be one of {[*_STATUS_ERRORS, *_BODY_ERRORS]}, not {error!r}")
        stream = endpoint.stream if call.body.get("stream") is True else None
        headers = _request_id(endpoint.provider)
        if stream is not None:
            events = list(stream(call))  # rendered before the head is sent, so errors can still be a 400
            if error == "malformed":
                name, data = events[0]
                events = [(name, _half(json.dumps(data)))]
            return self._send_events(endpoint.framing, events, headers, cut=error == "cut")
        body = json.dumps(endpoint.respond(call))
        body = _half(body) if error == "malformed" else body
        self._send_body(200, "application/json", body.encode(), headers, cut=error == "cut")

    def _send_error(self, provider: Provider, status: int, message: str) -> None:
        """The one error writer: the provider's error JSON, plus ``retry-after: 0`` on a 429."""
        headers = _request_id(provider) | ({"retry-after": "0"} if status == 429 else {})
        self._send_body(status, "application/json", json.dumps(provider.error_body(status, message)).encode(), headers)

    def _send_body(
        self, status: int, content_type: str, data: bytes, headers: dict[str, str], *, cut: bool = False
    ) -> None:
        """Send a whole body; ``cut`` announces all of it but sends half, then drops the connection."""
        self._send_head(status, content_type, headers | {"content-length": str(len(data))})
        self.wfile.write(_half(data) if cut else data)
        if cut:
            self._abort()

    def _send_events(
        self, framing: Framing, events: Iterable[SSEEvent], headers: dict[str, str], *, cut: bool = False
    ) -> None:
        """The one stream writer: each event in its own HTTP chunk, so clients see it as soon as it is sent."""
        self._send_head(200, framing.content_type, headers | _SSE_HEADERS)
        for index, (name, data) in enumerate(events):
            if cut and index == CUT_AFTER_EVENTS:
                return self._abort()
            self._write_chunk(framing.encode(name, data))
        self._write_chunk(b"")

    def _send_head(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {"content-type": content_type, **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _abort(self) -> None:
        """Drop the connection mid-body, as a crashed upstream or proxy would."""
        self.close_connection = True
        _drop(self.connection)


_SSE_HEADERS = {"cache-control": "no-cache", "transfer-encoding": "chunked"}


def _call(body: Any, chunks: str | None, content_filtered: bool) -> Call:
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise _BadRequest("The body must be a JSON object with a string 'model'.")
    if chunks is None:
        return Call(body, content_filtered=content_filtered)
    if not chunks.isdigit() or int(chunks) < 1:
        raise _BadRequest(f"x-test-chunks must be a positive integer, not {chunks!r}")
    return Call(body, int(chunks), content_filtered)


def _half(data: _Text) -> _Text:
    """The first half: truncated JSON for ``malformed``, a body cut short for ``cut``."""
    return data[: len(data) // 2]


def _request_id(provider: Provider) -> dict[str, str]:
    return {provider.request_id_header: new_id("req_")}


def _drop(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the client may have closed it already
        connection.shutdown(socket.SHUT_RDWR)


class LLMServer:
    """The test server in this process, served from a daemon thread.

    The socket is bound on construction, so ``port`` is known before ``start``;
    ``stop`` (or leaving the ``with`` block) releases it.
    """

    def __init__(self, port: int = 0) -> None:
        self._httpd = _HTTPServer(port)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The Anthropic client's ``base_url``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI client's ``base_url``."""
        return self.base_url + "/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._httpd.lock:
            return list(self._httpd.recorded)

    def start(self) -> LLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.1,), name="llm-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self._httpd.close_connections()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
