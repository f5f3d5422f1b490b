"""Our own span attribute names (the ``agentops.*`` namespace and ``session.id``), and the newer GenAI ones.

GenAI names come from ``opentelemetry-semantic-conventions``; only names that package does not
define live here (ours, and those of semantic-conventions-genai 1.42 it lacks), so there is one
place to look them up.
"""

from __future__ import annotations

from typing import Final

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import GenAiOperationNameValues

SCOPE: Final = "agentops_otel"
"""The instrumentation scope (tracer and meter name) of what agentops-otel itself records: sessions, events."""

SESSION_ID: Final = "session.id"
"""The session's id: the W3C baggage key and the span attribute on every span of the session."""

SESSION_TAGS: Final = "agentops.session.tags"
SESSION_END_STATE: Final = "agentops.session.end_state"
SESSION_END_STATE_REASON: Final = "agentops.session.end_state_reason"
SESSION_INHERITED: Final = "agentops.session.inherited"

# Roll-ups written on the session's root span when it ends. Deliberately not ``gen_ai.usage.*``:
# backends that sum those across a trace would count the session's tokens twice.
SESSION_SPANS: Final = "agentops.session.spans"
SESSION_LLM_CALLS: Final = "agentops.session.llm_calls"
SESSION_TOOL_CALLS: Final = "agentops.session.tool_calls"
SESSION_ACTIONS: Final = "agentops.session.actions"
SESSION_ERRORS: Final = "agentops.session.errors"
SESSION_INPUT_TOKENS: Final = "agentops.session.input_tokens"
SESSION_OUTPUT_TOKENS: Final = "agentops.session.output_tokens"
SESSION_COST_USD: Final = "agentops.session.cost_usd"
SESSION_UNPRICED_LLM_CALLS: Final = "agentops.session.unpriced_llm_calls"
"""LLM calls with no cost on their span (a model ``genai-prices`` does not know): the cost is unknown, not 0."""

SESSION_UNATTRIBUTED: Final = "agentops.session.unattributed"
"""On an integration's span that started with no session in context while several ran: it joined none."""

LLM_COST_USD: Final = "agentops.llm.cost_usd"
"""Cost of one LLM call in US dollars, from ``genai-prices``."""

CHAT: Final = GenAiOperationNameValues.CHAT.value
EMBEDDINGS: Final = GenAiOperationNameValues.EMBEDDINGS.value
LLM_OPERATIONS: Final = frozenset(
    {CHAT, EMBEDDINGS, GenAiOperationNameValues.TEXT_COMPLETION.value, GenAiOperationNameValues.GENERATE_CONTENT.value}
)
"""The ``gen_ai.operation.name`` values of a model call: counted in ``llm_calls``, priced, one span per call."""

EXECUTE_TOOL: Final = GenAiOperationNameValues.EXECUTE_TOOL.value
"""The ``gen_ai.operation.name`` of a tool call: counted in ``tool_calls`` (a SERVER span's is its caller's)."""

OPENINFERENCE_SPAN_KIND: Final = "openinference.span.kind"
"""OpenInference's span kind (LLM, TOOL, AGENT, CHAIN, ...), on the spans of its instrumentations."""
OPENINFERENCE_TOOL_NAME: Final = "tool.name"
"""OpenInference's name of the tool a TOOL span runs (it adds ``gen_ai.tool.name`` only at the end)."""

EVENT_TYPE: Final = "agentops.event.type"
"""AgentOps event type of a span made by ``record()`` or a decorator: action, tool, llm, error."""

# GenAI names from semantic-conventions-genai 1.42 (https://github.com/open-telemetry/semantic-conventions-genai)
# that the installed opentelemetry-semantic-conventions package does not define yet. Everything
# else GenAI comes from that package's constants.
GENAI_SCHEMA_URL: Final = "https://opentelemetry.io/schemas/gen-ai/1.42.0"
"""The schema URL our tracers and meters carry."""

GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS: Final = "gen_ai.usage.cache_write.input_tokens"
"""Replaces ``gen_ai.usage.cache_creation.input_tokens`` (semantic-conventions-genai #440)."""

GEN_AI_TOKEN_MODALITY: Final = "gen_ai.token.modality"
TOKEN_MODALITY_UNKNOWN: Final = "unknown"
"""Neither provider breaks usage down by modality: the conventions ask for ``unknown`` then."""

# Inference metrics (docs/gen-ai/client-inference.md, gen-ai-token-metrics.md), emitted beside the
# older ones when OTEL_SEMCONV_STABILITY_OPT_IN lists GEN_AI_LATEST_EXPERIMENTAL.
SEMCONV_STABILITY_OPT_IN: Final = "OTEL_SEMCONV_STABILITY_OPT_IN"
GEN_AI_LATEST_EXPERIMENTAL: Final = "gen_ai_latest_experimental"
"""The opt-in token ``opentelemetry-util-genai`` reads (``_StabilityMode.GEN_AI_LATEST_EXPERIMENTAL``)."""

GEN_AI_CLIENT_INFERENCE_DURATION: Final = "gen_ai.client.inference.duration"
GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK: Final = "gen_ai.client.inference.time_to_first_chunk"
GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS: Final = "gen_ai.client.inference.usage.input_tokens"
GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS: Final = "gen_ai.client.inference.usage.output_tokens"
GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS: Final = "gen_ai.client.inference.usage.cache_read.input_tokens"
GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS: Final = "gen_ai.client.inference.usage.cache_write.input_tokens"
GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS: Final = "gen_ai.client.inference.usage.reasoning.output_tokens"
GEN_AI_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS: Final = "gen_ai.client.inference.operation.input_tokens"
GEN_AI_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS: Final = "gen_ai.client.inference.operation.output_tokens"

# Agent and tool metrics (docs/gen-ai/gen-ai-metrics.md).
GEN_AI_INVOKE_AGENT_DURATION: Final = "gen_ai.invoke_agent.duration"
GEN_AI_EXECUTE_TOOL_DURATION: Final = "gen_ai.execute_tool.duration"
