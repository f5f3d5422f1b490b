"""``agentops-otel serve [FILE...] [--port N]``: the report page, live, and an OTLP/HTTP trace receiver.

The page is the one ``report --html`` writes, fetching fresh data from this server every second
(its Content-Security-Policy allows that one origin and nothing else). ``POST /v1/traces``
accepts OTLP/HTTP (protobuf or JSON, as any OpenTelemetry SDK sends with
``OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>``) and appends each request as a line of
the first FILE, the format the embedded default writes, so nothing is lost across a restart.
The standard library's ``ThreadingHTTPServer`` is enough for one person's browser and local
apps; it binds 127.0.0.1 unless told otherwise, since spans may hold prompts and completions.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from . import ingest
from .errors import ReportError
from .live import LiveReport

DEFAULT_PORT = 8318
MAX_BODY = 64 * 2**20
"""The largest request accepted (the SDK exporters' own default limit)."""
_NOT_STORED = ("/v1/metrics", "/v1/logs")
logger = logging.getLogger("agentops_otel")


def add_parser(commands: Any) -> None:
    """The ``serve`` subcommand's options."""
    command = commands.add_parser(
        "serve",
        help="serve the report live on localhost, and receive OTLP/HTTP spans",
        description="Serve the report page on this machine, updated as the files grow; accept OTLP/HTTP "
        "spans on /v1/traces and append them to the first FILE.",
    )
    command.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="spans files (default: $AGENTOPS_TRACES_FILE or ...)"
    )
    command.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one")
    command.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")


class Server(ThreadingHTTPServer):
    """The HTTP server with what its handlers share."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: LiveReport, appender: ingest.Appender) -> None:
        super().__init__(address, Handler)
        self.live, self.appender = live, appender


class Handler(BaseHTTPRequestHandler):
    """``GET /`` the page, ``GET /data.json?v=N`` its data when newer than N, ``POST /v1/traces`` spans."""

    server: Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """The page, or its data when the page's version is out of date (204 otherwise)."""
        url = urlsplit(self.path)
        if url.path == "/":
            self._reply(200, self.server.live.page().encode("utf-8"), "text/html; charset=utf-8")
        elif url.path == "/data.json":
            known = parse_qs(url.query).get("v", [""])[0]
            if known == str(self.server.live.refresh()):
                self._reply(204, b"", "application/json")
            else:
                self._reply(200, self.server.live.payload().encode("utf-8"), "application/json")
        else:
            self._reply(404, b"not found\n", "text/plain")

    def do_POST(self) -> None:
        """Store an OTLP/HTTP trace request; accept metrics and logs without storing them."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._reply(413, b"request too large\n", "text/plain")
        body = self.rfile.read(length)
        content_type = (self.headers.get("Content-Type") or ingest.PROTOBUF).split(";")[0].strip().lower()
        path = urlsplit(self.path).path
        if path in _NOT_STORED:  # an SDK sending all signals should not log errors: only spans are kept
            return self._reply(200, b"{}" if content_type == ingest.JSON else b"", content_type)
        if path != "/v1/traces":
            return self._reply(404, b"not found\n", "text/plain")
        try:
            line, _spans = ingest.decode(body, content_type, (self.headers.get("Content-Encoding") or "").lower())
        except ingest.BadRequest as error:
            return self._reply(400, f"{error}\n".encode(), "text/plain")
        self.server.appender.append(line)
        self._reply(200, ingest.reply(content_type), content_type)

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: a busy app would flood the terminal."""


def run(args: argparse.Namespace, paths: Sequence[Path], out: TextIO, err: TextIO) -> int:
    """Serve until SIGINT or SIGTERM."""
    appender = ingest.Appender(paths[0])
    try:
        server = Server((args.host, args.port), LiveReport(paths), appender)
    except OSError as error:
        raise ReportError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    url = f"http://{args.host}:{server.server_address[1]}"
    if not _loopback(args.host):
        err.write(
            f"agentops-otel serve: warning: listening on {args.host}, not only this machine: anyone who can reach "
            "it can read the spans (prompts and completions included) and send spans\n"
        )
    scope = "this machine only" if _loopback(args.host) else f"host {args.host}"
    out.write(
        f"Serving the live report of {', '.join(map(str, paths))} on {url}/ ({scope}).\n"
        f"OTLP/HTTP spans are appended to {paths[0]}: "
        f"OTEL_EXPORTER_OTLP_ENDPOINT={url} OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"
    )
    out.flush()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, args=(0.2,), name="agentops-otel-serve", daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
