"""What a span is to someone reading an agent run: an agent, a tool, an LLM call, or something else.

The span kind of OpenTelemetry (client, internal) does not say it: an agent, a tool and a chain
are all internal. GenAI conventions say it with ``gen_ai.operation.name``; the OpenInference
instrumentations kept as integrations (docs/integrations.md) say it with
``openinference.span.kind``. The text tree and the page's waterfall both ask :func:`span_kind`,
so they always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.util.types import AttributeValue

from .. import attributes as attrs
from ..attributes import LLM_OPERATIONS

SESSION, AGENT, TOOL, LLM, OTHER = "session", "agent", "tool", "llm", "other"
KINDS = (SESSION, AGENT, TOOL, LLM, OTHER)
"""Every kind, in the order the page's legend and filter list them."""

_Operation = gen_ai.GenAiOperationNameValues
_BY_OPERATION = {
    _Operation.INVOKE_AGENT.value: AGENT,
    _Operation.CREATE_AGENT.value: AGENT,
    _Operation.EXECUTE_TOOL.value: TOOL,
    **dict.fromkeys(LLM_OPERATIONS, LLM),
}
_BY_OPENINFERENCE = {"AGENT": AGENT, "TOOL": TOOL, "LLM": LLM, "EMBEDDING": LLM}


@dataclass(frozen=True)
class Kind:
    """A span's kind (its colour on the page) and the word its row shows."""

    name: str
    """One of :data:`KINDS`."""
    label: str
    """``LLM`` for an LLM call; OpenInference's own word for its other kinds (``chain``, ``retriever``)."""


def span_kind(span_attributes: Mapping[str, AttributeValue]) -> Kind:
    """The kind of a span from its attributes: GenAI's operation first, then OpenInference's kind."""
    if span_attributes.get(attrs.SESSION_END_STATE) is not None:
        return Kind(SESSION, SESSION)
    name = _BY_OPERATION.get(str(span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME)))
    openinference = span_attributes.get(attrs.OPENINFERENCE_SPAN_KIND)
    if name is None and isinstance(openinference, str):
        name = _BY_OPENINFERENCE.get(openinference.upper())
        if name is None:
            return Kind(OTHER, openinference.lower())
    if name is None and span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME) == _Operation.INVOKE_WORKFLOW.value:
        return Kind(OTHER, "workflow")  # a framework's whole run (an Agents SDK trace, a LangGraph graph)
    name = name or OTHER
    return Kind(name, "LLM" if name == LLM else name)
