"""Ollama's native client (``/api/chat`` on the local server), recorded by OpenInference's instrumentation."""

from __future__ import annotations

from tests.integrations.conftest import USER, assert_counted_once, require

require("ollama", "openinference.instrumentation.ollama")

import ollama  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


def test_chat_is_counted_in_its_session_and_never_priced(recorded: Recorded, llm_server: LLMServer) -> None:
    """A local model has no price: the call counts, with its tokens, as unpriced."""
    session = agentops.start_session()
    response = ollama.Client(host=llm_server.base_url).chat(model="llama3.2", messages=USER)
    cost = session.end_session("Success")
    assert response.message.content == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="ollama", priced=False)


def test_a_chat_stream_is_one_call_in_its_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    chunks = list(ollama.Client(host=llm_server.base_url).chat(model="llama3.2", messages=USER, stream=True))
    cost = session.end_session("Success")
    assert "".join(chunk.message.content for chunk in chunks) == REPLY_TEXT
    assert chunks[-1].done and chunks[-1].eval_count == 5
    assert_counted_once(recorded, session, cost, calls=1, provider="ollama", priced=False)
