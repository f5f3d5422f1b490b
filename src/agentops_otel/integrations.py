"""The integrations: which instrumentation records which client library, in one table.

``init()`` (and the distro) turn on every row whose instrumentation package is installed, each
when the application imports its client (importing an LLM client can take a second, which
``init()`` must not add to a program that never uses it). Our own OpenAI and Anthropic
instrumentors are rows like the others; every other row is a kept instrumentation from the
package index (``agentops-otel[<extra>]`` installs it), handed a tracer provider that puts its
spans into sessions (``foreign.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .exceptions import InvalidArgumentError


@dataclass(frozen=True)
class Integration:
    """One client library and the instrumentor that records it."""

    name: str
    """For ``init(instruments=[...])``, ``AGENTOPS_INSTRUMENTS`` and ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS``."""
    client: str | None
    """The module to wait for (None: instrument at ``init()``; not an LLM client)."""
    module: str
    instrumentor: str
    extra: str | None
    """``agentops-otel[<extra>]`` installs the instrumentation (None: it ships with agentops-otel)."""
    ours: bool = False
    """Our own instrumentor: it applies the session rules itself, so it records on the plain provider."""
    options: tuple[tuple[str, object], ...] = ()
    """Extra ``instrument()`` arguments this row always passes."""
    before_import: bool = False
    """Turn on at ``init()`` when the client is installed, not when it is imported: the instrumentation
    patches modules that the client's own ``__init__`` imports and binds, and itself waits for them."""


INTEGRATIONS: tuple[Integration, ...] = (
    Integration(
        "threading", None, "opentelemetry.instrumentation.threading", "ThreadingInstrumentor", "threading", True
    ),
    Integration("openai", "openai", "agentops_otel.instrumentation.openai", "OpenAIInstrumentor", "openai", True),
    Integration(
        "anthropic", "anthropic", "agentops_otel.instrumentation.anthropic", "AnthropicInstrumentor", "anthropic", True
    ),
    # The official google-genai instrumentation refuses google-genai 3.x; OpenInference's accepts it.
    Integration(
        "google_genai",
        "google.genai",
        "openinference.instrumentation.google_genai",
        "GoogleGenAIInstrumentor",
        "google-genai",
    ),
    Integration("litellm", "litellm", "openinference.instrumentation.litellm", "LiteLLMInstrumentor", "litellm"),
    Integration("bedrock", "botocore", "opentelemetry.instrumentation.genai.bedrock", "BedrockInstrumentor", "bedrock"),
    Integration(
        "mistralai", "mistralai.client", "openinference.instrumentation.mistralai", "MistralAIInstrumentor", "mistral"
    ),
    Integration("groq", "groq", "openinference.instrumentation.groq", "GroqInstrumentor", "groq"),
    Integration("cohere", "cohere", "openinference.instrumentation.cohere", "CohereInstrumentor", "cohere"),
    Integration("ollama", "ollama", "openinference.instrumentation.ollama", "OllamaInstrumentor", "ollama"),
    # Agent frameworks: their agent and tool spans, with the LLM spans of the rows above inside.
    # The Agents SDK's own exporter would upload every run to OpenAI's dashboard: the session's
    # backend is the application's, so that exporter is replaced while the instrumentation is on.
    Integration(
        "openai_agents",
        "agents",
        "opentelemetry.instrumentation.genai.openai_agents",
        "OpenAIAgentsInstrumentor",
        "openai-agents",
        options=(("disable_openai_trace_export", True),),
    ),
    Integration(
        "llama_index",
        "llama_index.core",
        "opentelemetry.instrumentation.genai.llama_index",
        "LlamaIndexInstrumentor",
        "llama-index",
    ),
    Integration("crewai", "crewai", "openinference.instrumentation.crewai", "CrewAIInstrumentor", "crewai"),
    Integration(
        "autogen",
        "autogen_agentchat",
        "openinference.instrumentation.autogen_agentchat",
        "AutogenAgentChatInstrumentor",
        "autogen",
    ),
    # Google ADK writes spans of its own; OpenInference's instrumentation turns those off (each
    # would be written twice) and writes the agents, model calls and tools in their place.
    Integration(
        "google_adk", "google.adk", "openinference.instrumentation.google_adk", "GoogleADKInstrumentor", "google-adk"
    ),
    # The official smolagents instrumentation writes no tool spans; OpenInference's does.
    Integration(
        "smolagents", "smolagents", "openinference.instrumentation.smolagents", "SmolagentsInstrumentor", "smolagents"
    ),
    # MCP: the SDK carries the trace context and baggage in each request's `_meta` and opens the
    # server's span under it; ours makes the client's tool calls `execute_tool` spans, and
    # OpenInference's runs the server's handlers in the request's context, so the session's
    # baggage reaches the spans and calls made inside a tool.
    Integration("mcp", "mcp", "agentops_otel.instrumentation.mcp", "MCPInstrumentor", None),
    Integration(
        "mcp_context", "mcp", "openinference.instrumentation.mcp", "MCPInstrumentor", "mcp", before_import=True
    ),
    # PydanticAI writes its own spans once told to; our instrumentor tells it.
    Integration(
        "pydantic_ai",
        "pydantic_ai",
        "agentops_otel.instrumentation.pydantic_ai",
        "PydanticAIInstrumentor",
        None,
    ),
    Integration(
        "langchain",
        "langchain_core",
        "opentelemetry.instrumentation.genai.langchain",
        "LangChainInstrumentor",
        "langchain",
    ),
)
NAMES = tuple(integration.name for integration in INTEGRATIONS)


def check_names(value: object) -> tuple[str, ...]:
    """``instruments=[...]``: integration names from :data:`NAMES` (a string is one name or a comma list)."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, Iterable):
        raise InvalidArgumentError.expected("instruments", value, list(NAMES))
    found = []
    for name in names:
        cleaned = name.strip() if isinstance(name, str) else name
        if cleaned not in NAMES:
            raise InvalidArgumentError.expected("instrument", name, list(NAMES))
        found.append(cleaned)
    return tuple(found)


def selected(names: tuple[str, ...] | None) -> tuple[Integration, ...]:
    """The rows to turn on: those named (all if None), less ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS``."""
    disabled = {name.strip() for name in os.environ.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "").split(",")}
    return tuple(
        integration
        for integration in INTEGRATIONS
        if (names is None or integration.name in names) and integration.name not in disabled
    )


def is_integration_module(module: str) -> bool:
    """Whether `module` is the instrumentation of a row (the client turns those on, not the distro's loader)."""
    return any(module == integration.module for integration in INTEGRATIONS)


def integration_options(integration: Integration, *, capture_content: bool) -> dict[str, object]:
    """Extra ``instrument()`` arguments: the row's own, OpenInference's ``gen_ai.*`` output and our content setting."""
    options = dict(integration.options)
    if integration.module.startswith("openinference."):
        from openinference.instrumentation import TraceConfig  # type: ignore[import-not-found, unused-ignore]

        hidden = not capture_content
        options["config"] = TraceConfig(enable_genai_semconv=True, hide_inputs=hidden, hide_outputs=hidden)
    return options
