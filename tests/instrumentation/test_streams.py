"""A stream's span ends exactly once, whichever way the caller leaves the stream."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER

Opener = Callable[[LLM], Any]


def openai_stream(llm: LLM) -> Any:
    return llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True)


def anthropic_stream(llm: LLM) -> Any:
    return llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=True)


def responses_stream(llm: LLM) -> Any:
    return llm.openai.responses.create(model=OPENAI_MODEL, input="Say hello", stream=True)


OPENERS = pytest.mark.parametrize("open_stream", [openai_stream, anthropic_stream, responses_stream])


def ended_once(llm: LLM) -> dict[str, Any]:
    gc.collect()
    span = llm.one_llm_span()  # exported once = ended once
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.UNSET
    return dict(span.attributes or {})


@OPENERS
def test_read_to_the_end(llm: LLM, open_stream: Opener) -> None:
    stream = open_stream(llm)
    for _ in stream:
        pass
    assert ended_once(llm)["gen_ai.usage.output_tokens"] == 5
    stream.close()  # closing afterwards does not end it again
    assert len(llm.llm_spans()) == 1


@OPENERS
def test_break_early_then_close(llm: LLM, open_stream: Opener) -> None:
    stream = open_stream(llm)
    for _ in stream:
        break
    assert llm.llm_spans() == []  # still open: the caller may read on
    stream.close()
    assert "gen_ai.response.id" in ended_once(llm)


@OPENERS
def test_leaving_the_with_block(llm: LLM, open_stream: Opener) -> None:
    with open_stream(llm) as stream:
        next(iter(stream))
    ended_once(llm)


@OPENERS
def test_dropping_the_stream(llm: LLM, open_stream: Opener) -> None:
    stream = open_stream(llm)
    next(iter(stream))
    del stream
    ended_once(llm)


@OPENERS
def test_never_reading_it(llm: LLM, open_stream: Opener) -> None:
    open_stream(llm)
    ended_once(llm)


def test_async_streams_end_on_every_exit(llm: LLM) -> None:
    async def leave_each_way() -> None:
        async with llm.async_openai() as client, llm.async_anthropic() as claude:
            async for _ in await client.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True):
                pass
            stream = await claude.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=True)
            async for _ in stream:
                break
            await stream.close()
            async with await client.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True) as inner:
                await inner.__anext__()
            dropped = await client.responses.create(model=OPENAI_MODEL, input="Say hello", stream=True)
            await dropped.__anext__()
            del dropped

    asyncio.run(leave_each_way())
    gc.collect()
    spans = llm.llm_spans()
    assert len(spans) == 4
    assert all(span.end_time is not None for span in spans)


def test_an_accumulator_bug_never_breaks_the_callers_stream(llm: LLM, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_otel.instrumentation.openai.stream import ChatAccumulator

    def broken(self: ChatAccumulator, chunk: Any) -> bool:
        raise RuntimeError("bug in telemetry")

    monkeypatch.setattr(ChatAccumulator, "process", broken)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # the guard logs instead of re-raising, as in production
    chunks = list(openai_stream(llm))
    assert len(chunks) == 8  # every chunk, the usage chunk too: only the accumulator knew to hide it
    ended_once(llm)


def test_an_outcome_bug_never_breaks_the_callers_stream(llm: LLM, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_otel.instrumentation.openai.stream import ChatAccumulator

    def broken(self: ChatAccumulator) -> Any:
        raise RuntimeError("bug in telemetry")

    monkeypatch.setattr(ChatAccumulator, "outcome", broken)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    chunks = list(openai_stream(llm))
    assert len(chunks) == 7  # the stream ran to its end; the usage chunk we asked for stayed hidden
    ended_once(llm)
