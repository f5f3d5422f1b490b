"""Which provider an OpenAI-compatible client talks to, from the host of its base URL.

Groq, DeepSeek, xAI, Azure, Mistral, OpenRouter and Ollama all answer the OpenAI wire format,
so the ``openai`` client records their calls. Naming them all ``openai`` would price a Groq
call at OpenAI's rates (or a local model at any). The span gets the semantic conventions'
well-known ``gen_ai.provider.name`` for a known host, and an unknown host's own name: it is
recorded, and never priced (``pricing.PRICE_PROVIDERS`` does not list it).

A loopback host is Ollama on its port (11434); on any other port it is a stand-in the developer
runs for OpenAI (a proxy such as LiteLLM's, a test server) and stays ``openai``.
"""

from __future__ import annotations

import functools

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import GenAiProviderNameValues as Names

OPENAI = Names.OPENAI.value
OLLAMA = "ollama"
OLLAMA_PORT = 11434
OPENROUTER = "openrouter"

HOSTS = {
    "api.openai.com": OPENAI,
    "api.groq.com": Names.GROQ.value,
    "api.deepseek.com": Names.DEEPSEEK.value,
    "api.x.ai": Names.X_AI.value,
    "api.mistral.ai": Names.MISTRAL_AI.value,
    "api.perplexity.ai": Names.PERPLEXITY.value,
    "openrouter.ai": OPENROUTER,
}
"""Exact API hosts (a subdomain of one counts too: ``eu.api.openai.com``)."""
AZURE_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com")
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@functools.lru_cache(maxsize=256)
def provider_name(host: str | None, port: int | None = None) -> str:
    """``gen_ai.provider.name`` for a client sending to `host` (None: the SDK's default, OpenAI)."""
    if not host:
        return OPENAI
    host = host.lower().rstrip(".")
    if host in LOOPBACK:
        return OLLAMA if port == OLLAMA_PORT else OPENAI
    if host.endswith(AZURE_SUFFIXES):
        return Names.AZURE_AI_OPENAI.value
    for known, name in HOSTS.items():
        if host == known or host.endswith("." + known):
            return name
    return host
