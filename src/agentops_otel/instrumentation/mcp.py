"""``MCPInstrumentor``: tool calls through the ``mcp`` client SDK as GenAI ``execute_tool`` spans.

The MCP SDK 2.x already does the protocol's tracing plumbing (with 1.x OpenInference's MCP
instrumentation, the ``mcp_context`` row, does the propagation): it injects the W3C
``traceparent`` and ``baggage`` into each request's ``params._meta`` and opens a server span
under them, so a session travels to an MCP server with the request. What it lacks is the
client side as a tool call: its own client span is a transport send, not an ``execute_tool``
span, so a session would count no MCP tool. This instrumentor adds that span around
``ClientSession.call_tool``, following the GenAI conventions for MCP client spans
(https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/mcp.md):
name ``tools/call {tool}``, kind CLIENT, ``mcp.method.name`` and ``gen_ai.tool.name``, and
``error.type`` ``tool_error`` for a result the server marked as an error. Inside a framework's
own ``execute_tool`` span for the same tool it adds the MCP attributes there instead, as the
conventions ask, so one tool call stays one span.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

import wrapt
from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.utils import unwrap
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GEN_AI_OPERATION_NAME,
    GEN_AI_TOOL_CALL_ARGUMENTS,
    GEN_AI_TOOL_NAME,
)
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.trace import SpanKind, StatusCode

from .. import attributes as attrs
from ..content import capture_content, content_attribute
from ..version import __version__

_MODULE = "mcp.client.session"
_METHOD = "ClientSession.call_tool"
MCP_METHOD_NAME = "mcp.method.name"
TOOLS_CALL = "tools/call"
TOOL_ERROR = "tool_error"


class MCPInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Wraps ``ClientSession.call_tool`` in an ``execute_tool`` span."""

    def instrumentation_dependencies(self) -> Collection[str]:
        """Every SDK release with ``ClientSession.call_tool(name, arguments)`` (1.x: OpenInference's propagates)."""
        return ("mcp >= 1.0",)

    def _instrument(self, **kwargs: Any) -> None:
        tracer = trace.get_tracer(
            attrs.SCOPE, __version__, kwargs.get("tracer_provider"), schema_url=attrs.GENAI_SCHEMA_URL
        )
        wrapt.wrap_function_wrapper(_MODULE, _METHOD, _CallTool(tracer))

    def _uninstrument(self, **kwargs: Any) -> None:
        import mcp.client.session  # type: ignore[import-not-found, unused-ignore]

        unwrap(mcp.client.session.ClientSession, "call_tool")


class _CallTool:
    """The wrapper: one ``execute_tool`` span per call (or the framework's, borrowed)."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    async def __call__(
        self, wrapped: Callable[..., Awaitable[Any]], _instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        name = str(args[0] if args else kwargs.get("name", ""))
        tool_attributes: dict[str, Any] = {MCP_METHOD_NAME: TOOLS_CALL, GEN_AI_TOOL_NAME: name}
        arguments = args[1] if len(args) > 1 else kwargs.get("arguments")
        if arguments is not None and capture_content():
            tool_attributes[GEN_AI_TOOL_CALL_ARGUMENTS] = content_attribute(arguments)
        current = trace.get_current_span()
        if _is_tool_span_for(current, name):
            current.set_attributes(tool_attributes)
            return _record_result(current, await wrapped(*args, **kwargs))
        tool_attributes[GEN_AI_OPERATION_NAME] = attrs.EXECUTE_TOOL
        with self._tracer.start_as_current_span(
            f"{TOOLS_CALL} {name}", kind=SpanKind.CLIENT, attributes=tool_attributes
        ) as span:
            try:
                result = await wrapped(*args, **kwargs)
            except BaseException as error:  # recorded and set as the status by the span's exit
                span.set_attribute(ERROR_TYPE, _error_type(error))
                raise
            return _record_result(span, result)


def _is_tool_span_for(span: trace.Span, name: str) -> bool:
    """Whether `span` is another instrumentation's live ``execute_tool`` span for the tool `name`."""
    span_attributes = getattr(span, "attributes", None)
    if not span.is_recording() or not span_attributes:
        return False
    operation, tool = span_attributes.get(GEN_AI_OPERATION_NAME), span_attributes.get(GEN_AI_TOOL_NAME)
    return bool(operation == attrs.EXECUTE_TOOL and tool == name)


def _error_type(error: BaseException) -> str:
    """A JSON-RPC error's code (as the conventions ask), else the exception's class."""
    code = getattr(getattr(error, "error", None), "code", None)
    return str(code) if isinstance(code, int) else type(error).__qualname__


def _record_result(span: trace.Span, result: Any) -> Any:
    """A result the server marked as an error is a failed tool call (the call itself succeeded)."""
    if getattr(result, "is_error", None) is True or getattr(result, "isError", None) is True:  # 2.x, 1.x
        span.set_attribute(ERROR_TYPE, TOOL_ERROR)
        span.set_status(StatusCode.ERROR)
    return result


__all__ = ["MCPInstrumentor"]
