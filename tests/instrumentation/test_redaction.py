"""The content redaction hook: every piece of captured content passes through it, failures withhold content."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

import agentops_otel as agentops
from agentops_otel.content import REDACTION_FAILED
from tests.instrumentation.conftest import LLM, OPENAI_MODEL

EMAIL = re.compile(r"[\w.]+@[\w.]+")


def redact_emails(text: str) -> str:
    return EMAIL.sub("<email>", text)


@pytest.fixture
def redacting(llm: LLM) -> Iterator[LLM]:
    agentops.configure(capture_content=True, redact_content=redact_emails)
    yield llm
    agentops.configure(capture_content=False)


def test_llm_content_is_redacted_before_it_reaches_a_span(redacting: LLM) -> None:
    session = agentops.start_session()
    messages = [{"role": "user", "content": "Mail ada@example.com the report"}]
    redacting.openai.chat.completions.create(model=OPENAI_MODEL, messages=messages)
    session.record(agentops.ToolEvent(name="mail", params={"to": "ada@example.com"}, returns="sent to ada@example.com"))
    session.end_session("Success")
    content = {
        key: value
        for span in redacting.recorded.spans
        for key, value in (span.attributes or {}).items()
        if key in ("gen_ai.input.messages", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result")
    }
    assert content == {
        "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"Mail <email> the report"}]}]',
        "gen_ai.tool.call.arguments": '{"to":"<email>"}',
        "gen_ai.tool.call.result": "sent to <email>",
    }


def test_a_failing_redactor_withholds_content_and_the_call_still_works(
    llm: LLM, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("regex compile failed")

    agentops.configure(capture_content=True, redact_content=broken)
    try:
        with caplog.at_level(logging.WARNING, logger="agentops_otel"):
            reply = llm.openai.chat.completions.create(
                model=OPENAI_MODEL, messages=[{"role": "user", "content": "secret plan"}]
            )
    finally:
        agentops.configure(capture_content=False)
    assert reply.choices[0].message.content == "Hello from the test server"
    recorded = llm.one_llm_span().attributes or {}
    assert recorded["gen_ai.input.messages"] == REDACTION_FAILED
    assert "secret plan" not in str(dict(recorded))
    assert "redaction hook raised" in caplog.text


def test_redactor_must_be_callable(llm: LLM) -> None:
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.configure(redact_content="not a function")
