"""Our own span attribute names (the ``agentops.*`` namespace and ``session.id``).

GenAI names come from ``opentelemetry-semantic-conventions``; only names that no convention
defines live here, so there is one place to look them up.
"""

from __future__ import annotations

from typing import Final

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

EVENT_TYPE: Final = "agentops.event.type"
"""AgentOps event type of a span made by ``record()`` or a decorator: action, tool, llm, error."""
