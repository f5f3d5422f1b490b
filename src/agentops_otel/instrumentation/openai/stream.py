"""OpenAI stream accumulators: what a stream said, gathered chunk by chunk for the span's end.

They keep per-chunk work small (it runs on every chunk the caller reads): ids and finish
reasons are cheap; text and tool-call fragments are kept only when content capture is on.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from ...content import capture_content
from ...internal_errors import handle_internal_errors
from ..models import CAPTURING_CONTENT, Outcome, add_content, field_of
from ..parts import json_arguments, message, text_part, tool_call_part
from .extractors import chat_usage, response_outcome, response_outcome_base

_FINAL_RESPONSE_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})


class _Choice:
    """One streamed choice's text and tool calls (kept with capture on)."""

    __slots__ = ("text", "tool_calls")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.tool_calls: dict[int, list[Any]] = {}  # index -> [id, name, argument fragments...]

    def add(self, delta: Any) -> None:
        if delta.content:
            self.text.append(delta.content)
        for call in delta.tool_calls or ():
            entry = self.tool_calls.setdefault(call.index, [None, None])
            entry[0] = call.id or entry[0]
            function = call.function
            if function is not None:
                entry[1] = function.name or entry[1]
                if function.arguments:  # None in some deltas
                    entry.append(function.arguments)

    def output(self) -> dict[str, object]:
        parts: list[Any] = [text_part("".join(self.text))] if self.text else []
        parts += [
            tool_call_part(call_id, name, json_arguments("".join(fragments)))
            for call_id, name, *fragments in self.tool_calls.values()
        ]
        return message("assistant", parts)


class ChatAccumulator:
    """Chat Completions chunks; hides the usage-only chunk when we, not the caller, asked for it.

    Per chunk it reads only what it must: the choices, and a choice's index once it finishes.
    Usage comes on the chunk without choices (``include_usage``), or, with some compatible
    servers, on the chunk that finishes (Groq: in its ``x_groq`` field); other chunks' usage is not read.
    """

    def __init__(self, hide_usage_chunk: bool) -> None:
        self._hide_usage_chunk = hide_usage_chunk
        self._capture = capture_content()
        self._first: Any = None
        self._usage: Any = None
        self._finish_reasons: dict[int, str] = {}
        self._choices: dict[int, _Choice] = {}  # with capture on

    def process(self, chunk: Any) -> bool:
        """Take one ``ChatCompletionChunk``."""
        if self._first is None:
            self._first = chunk
        choices = chunk.choices
        if not choices:
            usage = chunk.usage
            if usage is None:
                return True
            self._usage = usage
            return not self._hide_usage_chunk
        for choice in choices:
            if choice.finish_reason:
                self._finish_reasons[choice.index] = choice.finish_reason
                self._usage = chunk.usage or _groq_usage(chunk) or self._usage
            if self._capture and choice.delta is not None:
                state = self._choices.get(choice.index)
                if state is None:
                    state = self._choices[choice.index] = _Choice()
                state.add(choice.delta)
        return True

    def outcome(self) -> Outcome:
        """The first chunk's response attributes, as a call without a stream has them; usage from the rest."""
        if self._first is None:
            return Outcome()
        outcome = response_outcome_base(self._first, [reason for _, reason in sorted(self._finish_reasons.items())])
        outcome.usage = chat_usage(self._usage)
        if self._capture:
            with handle_internal_errors(CAPTURING_CONTENT):
                outputs = [state.output() for _, state in sorted(self._choices.items())]
                add_content(outcome.attributes, gen_ai.GEN_AI_OUTPUT_MESSAGES, outputs)
        return outcome


def _groq_usage(chunk: Any) -> Any:
    """Groq ends a stream with its usage in the finish chunk's ``x_groq`` field, asked for or not."""
    return field_of(getattr(chunk, "x_groq", None), "usage")


class ResponsesAccumulator:
    """Responses API events: the final event carries the whole response, usage included."""

    def __init__(self) -> None:
        self._response: Any = None

    def process(self, event: Any) -> bool:
        """Take one ``ResponseStreamEvent``; only the lifecycle events matter."""
        kind = event.type
        if kind in _FINAL_RESPONSE_EVENTS or (kind == "response.created" and self._response is None):
            self._response = event.response
        return True

    def outcome(self) -> Outcome:
        """The final response's attributes (or the created one's, if the stream stopped early)."""
        return Outcome() if self._response is None else response_outcome(self._response)
