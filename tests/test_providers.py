"""OpenAI-compatible endpoints are recorded as their own provider and priced as it (issue 12 item 4).

The real ``openai`` client is given a provider's base URL and an httpx transport that delivers
its requests to the local test server: the client (and so our instrumentor) sees that host,
the bytes travel over loopback only.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import openai
import pytest

import agentops_otel as agentops
from agentops_otel.pricing import cost_usd
from agentops_otel.providers import provider_name
from agentops_otel.usage import Usage
from tests.conftest import Recorded
from tests.support.llm_server import LLMServer

USER = [{"role": "user", "content": "Say hello"}]


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, "openai"),
        ("api.openai.com", 443, "openai"),
        ("eu.api.openai.com", 443, "openai"),
        ("api.groq.com", 443, "groq"),
        ("api.deepseek.com", 443, "deepseek"),
        ("api.x.ai", 443, "x_ai"),
        ("my-resource.openai.azure.com", 443, "azure.ai.openai"),
        ("api.mistral.ai", 443, "mistral_ai"),
        ("openrouter.ai", 443, "openrouter"),
        ("API.GROQ.COM.", 443, "groq"),
        ("localhost", 11434, "ollama"),
        ("127.0.0.1", 11434, "ollama"),
        ("localhost", 4000, "openai"),  # a local proxy or test server standing in for OpenAI
        ("llm.internal.example", 8000, "llm.internal.example"),
        ("notapi.openai.com.evil.example", 443, "notapi.openai.com.evil.example"),
    ],
)
def test_provider_name_from_the_base_url_host(host: str | None, port: int | None, expected: str) -> None:
    assert provider_name(host, port) == expected


class _ToLocalServer(httpx.HTTPTransport):
    """Delivers every request to the local server, whatever host its URL names."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self._port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return super().handle_request(request)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def call_through(server: LLMServer, base_url: str, model: str) -> None:
    """One chat call by the real client configured for `base_url`."""
    http_client = httpx.Client(transport=_ToLocalServer(server.port))
    with openai.OpenAI(base_url=base_url, api_key="test", max_retries=0, http_client=http_client) as client:
        client.chat.completions.create(model=model, messages=USER)


def test_a_deepseek_call_is_recorded_and_priced_as_deepseek(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    call_through(llm_server, "https://api.deepseek.com/v1", "deepseek-chat")
    cost = session.end_session("Success")
    span = recorded.one("chat deepseek-chat")
    attributes = span.attributes or {}
    assert attributes["gen_ai.provider.name"] == "deepseek"
    assert attributes["server.address"] == "api.deepseek.com"
    usage = Usage(
        int(attributes["gen_ai.usage.input_tokens"]),  # type: ignore[arg-type]
        int(attributes["gen_ai.usage.output_tokens"]),  # type: ignore[arg-type]
        int(attributes["gen_ai.usage.cache_read.input_tokens"]),  # type: ignore[arg-type]
        int(attributes["gen_ai.usage.cache_write.input_tokens"]),  # type: ignore[arg-type]
    )
    expected = cost_usd("deepseek", str(attributes["gen_ai.response.model"]), usage)
    assert expected is not None and expected != cost_usd("openai", "gpt-4o-mini-2024-07-18", usage)
    assert attributes["agentops.llm.cost_usd"] == expected
    assert span.parent is not None and span.parent.span_id == recorded.one("session").context.span_id
    assert cost == Decimal(repr(expected))


@pytest.mark.parametrize(
    ("base_url", "provider"),
    [("https://api.example.net/v1", "api.example.net"), ("http://localhost:11434/v1", "ollama")],
)
def test_an_unknown_host_or_a_local_ollama_is_recorded_but_never_priced_as_openai(
    recorded: Recorded, llm_server: LLMServer, base_url: str, provider: str
) -> None:
    """``gpt-4o-mini`` has an OpenAI price; served by another host it is not OpenAI's call."""
    session = agentops.start_session()
    call_through(llm_server, base_url, "gpt-4o-mini")
    session.end_session("Success")
    attributes = recorded.one("chat gpt-4o-mini").attributes or {}
    assert attributes["gen_ai.provider.name"] == provider
    assert attributes["gen_ai.usage.input_tokens"] == 12
    assert "agentops.llm.cost_usd" not in attributes
    root = recorded.one("session").attributes or {}
    assert root["agentops.session.llm_calls"] == 1
    assert root["agentops.session.unpriced_llm_calls"] == 1


def test_a_groq_stream_through_the_openai_client_is_priced_as_groq(recorded: Recorded, llm_server: LLMServer) -> None:
    """Groq honours ``stream_options.include_usage``, which our instrumentor asks for: usage without ``x_groq``."""
    session = agentops.start_session()
    http_client = httpx.Client(transport=_ToLocalServer(llm_server.port))
    with openai.OpenAI(base_url="https://api.groq.com/openai/v1", api_key="test", http_client=http_client) as client:
        stream = client.chat.completions.create(model="llama3-70b-8192", messages=USER, stream=True)
        assert all(chunk.choices for chunk in stream)  # the usage chunk we asked for is not the caller's
    cost = session.end_session("Success")
    attributes = recorded.one("chat llama3-70b-8192").attributes or {}
    assert attributes["gen_ai.provider.name"] == "groq"
    assert attributes["gen_ai.usage.input_tokens"] == 12
    expected = cost_usd("groq", "llama3-70b-8192", Usage(12, 5, cache_read=6, cache_write=3))
    assert expected is not None and attributes["agentops.llm.cost_usd"] == expected
    assert cost == Decimal(repr(expected))


def test_a_groq_stream_without_include_usage_takes_its_usage_from_x_groq(
    recorded: Recorded, llm_server: LLMServer
) -> None:
    """The caller turned usage chunks off; Groq still sends usage, in the finish chunk's ``x_groq``."""
    session = agentops.start_session()
    http_client = httpx.Client(transport=_ToLocalServer(llm_server.port))
    with openai.OpenAI(base_url="https://api.groq.com/openai/v1", api_key="test", http_client=http_client) as client:
        stream = client.chat.completions.create(
            model="llama3-70b-8192", messages=USER, stream=True, stream_options={"include_usage": False}
        )
        chunks = list(stream)
    assert all(chunk.usage is None for chunk in chunks)  # no usage where the openai client looks for it
    session.end_session("Success")
    attributes = recorded.one("chat llama3-70b-8192").attributes or {}
    assert (attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]) == (12, 5)
    assert attributes["gen_ai.usage.cache_read.input_tokens"] == 6
    expected = cost_usd("groq", "llama3-70b-8192", Usage(12, 5, cache_read=6, cache_write=3))
    assert expected is not None and attributes["agentops.llm.cost_usd"] == expected
