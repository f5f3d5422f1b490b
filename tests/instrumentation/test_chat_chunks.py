"""What a chat stream's chunks add up to, for chunk layouts the local server does not send."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionChunk

from agentops_otel.instrumentation.openai.stream import ChatAccumulator


def chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {"id": "c-1", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": choices, "usage": usage}
    )


def choice(index: int, content: str | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": index, "delta": {"content": content}, "finish_reason": finish_reason}


USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}


def run(chunks: list[ChatCompletionChunk], *, hide_usage_chunk: bool = False) -> tuple[list[bool], Any]:
    accumulator = ChatAccumulator(hide_usage_chunk)
    shown = [accumulator.process(item) for item in chunks]
    return shown, accumulator.outcome()


def test_usage_on_the_finishing_chunk_is_read() -> None:
    """Some OpenAI-compatible servers send usage with the last content chunk, not after it."""
    shown, outcome = run([chunk([choice(0, "Hi")]), chunk([choice(0, "!", "stop")], USAGE)])
    assert shown == [True, True]
    assert (outcome.usage.input, outcome.usage.output) == (7, 3)
    assert outcome.attributes["gen_ai.response.finish_reasons"] == ["stop"]


def test_each_choice_finishes_on_its_own_chunk() -> None:
    chunks = [
        chunk([choice(1, "b"), choice(0, "a")]),
        chunk([choice(1, None, "length")]),
        chunk([choice(0, None, "stop")]),
        chunk([], USAGE),
    ]
    shown, outcome = run(chunks, hide_usage_chunk=True)
    assert shown == [True, True, True, False]  # only the usage chunk we asked for is hidden
    assert outcome.attributes["gen_ai.response.finish_reasons"] == ["stop", "length"]  # by choice index
    assert outcome.usage.input == 7


def test_a_chunk_without_choices_or_usage_is_shown_and_ignored() -> None:
    """Azure OpenAI's first chunk carries only prompt filter results."""
    shown, outcome = run([chunk([]), chunk([choice(0, "Hi", "stop")]), chunk([], USAGE)])
    assert shown == [True, True, True]  # the caller asked for the usage chunk: it stays
    assert outcome.attributes["gen_ai.response.id"] == "c-1"
    assert outcome.usage.output == 3
