"""Anthropic streams: raw event accumulation, and the ``messages.stream(...)`` context managers.

``messages.create(stream=True)`` returns a raw event stream, traced by the shared proxy with
:class:`EventAccumulator`. ``messages.stream(...)`` returns a manager that sends the request
when its ``with`` block is entered and closes the stream when it is left; its helper stream
consumes events internally (``text_stream``, ``get_final_message()``), so the span follows the
manager: it starts on enter and ends on exit (or collection) with the helper's message snapshot.
Its time to first chunk is when the response began (``__enter__`` returned): the helper reads the
events itself, and only its private attributes would say when the first one came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from opentelemetry.context import attach, detach
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from ...content import capture_content
from ...internal_errors import handle_internal_errors
from ..call import LLMCall
from ..models import CAPTURING_CONTENT, Outcome, add_content
from ..parts import json_arguments, message
from ..streams import ObjectProxy
from .extractors import TOOL_CALL_BLOCKS, content_part, message_outcome, message_usage


class EventAccumulator:
    """``RawMessageStreamEvent``s: ids and usage from ``message_start``, totals from ``message_delta``."""

    def __init__(self) -> None:
        self._capture = capture_content()
        self._message: Any = None
        self._usage: Any = None
        self._stop_reason: str | None = None
        self._blocks: dict[int, list[Any]] = {}  # index -> [type, id, name, fragments...]

    def process(self, event: Any) -> bool:
        """Take one raw event."""
        kind = event.type
        if kind == "message_start":
            self._message = event.message
            self._usage = event.message.usage
        elif kind == "message_delta":
            self._stop_reason = event.delta.stop_reason or self._stop_reason
            self._usage = _merge_usage(self._usage, event.usage)
        elif self._capture and kind == "content_block_start":
            block = event.content_block
            self._blocks[event.index] = [block.type, getattr(block, "id", None), getattr(block, "name", None)]
        elif self._capture and kind == "content_block_delta" and event.index in self._blocks:
            delta = event.delta
            fragment = getattr(delta, "text", None) or getattr(delta, "partial_json", None)
            if fragment is None:
                fragment = getattr(delta, "thinking", None)
            if fragment:
                self._blocks[event.index].append(fragment)
        return True

    def outcome(self) -> Outcome:
        """The message as far as the stream got."""
        started = self._message
        if started is None:
            return Outcome()
        outcome = Outcome(model=started.model, usage=message_usage(self._usage))
        outcome.attributes[gen_ai.GEN_AI_RESPONSE_ID] = started.id
        outcome.attributes[gen_ai.GEN_AI_RESPONSE_MODEL] = started.model
        if self._stop_reason:
            outcome.attributes[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] = [self._stop_reason]
        if self._capture:
            with handle_internal_errors(CAPTURING_CONTENT):
                parts = [_part(*block) for _, block in sorted(self._blocks.items())]
                add_content(outcome.attributes, gen_ai.GEN_AI_OUTPUT_MESSAGES, [message("assistant", parts)])
        return outcome


def _merge_usage(started: Any, delta: Any) -> Any:
    """``message_delta`` usage is cumulative, but leaves out (None) what did not change."""
    if started is None:
        return delta
    changed = {key: value for key, value in dict(delta).items() if value is not None}
    return started.model_copy(update=changed)


def _part(kind: str, block_id: object, name: object, *fragments: str) -> dict[str, object]:
    """A streamed block as the block it adds up to, mapped as a whole message's blocks are."""
    text = "".join(fragments)
    block = {"type": kind, "id": block_id, "name": name, "text": text, "thinking": text}
    if kind in TOOL_CALL_BLOCKS:
        block["input"] = json_arguments(text)
    return content_part(block)


class _ManagerEnd(ObjectProxy):  # type: ignore[misc, unused-ignore]
    """Ends the call from the helper stream's snapshot once the manager's block is left."""

    _self_call: LLMCall | None
    _self_stream: Any
    _self_entered: float

    def __init__(self, wrapped: Any, begin: Callable[[], LLMCall | None]) -> None:
        super().__init__(wrapped)
        self._self_begin = begin
        self._self_stream = None
        self._self_call = None

    def _self_began(self, stream: Any) -> Any:
        """Note the helper stream the request returned, and when."""
        self._self_entered = time.perf_counter()
        self._self_stream = stream
        return stream

    def _self_end(self, error: BaseException | None) -> None:
        call = getattr(self, "_self_call", None)
        if call is None:
            return
        snapshot = outcome = None
        with handle_internal_errors("reading a stream's response"):  # the span still ends, with less on it
            snapshot = self._self_snapshot()
            if snapshot is not None:
                outcome = message_outcome(snapshot)
                outcome.attributes[gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._self_entered - call.started
        if error is not None and (snapshot is None or snapshot.stop_reason is None):
            call.fail(error)
        else:
            call.finish(outcome)

    def _self_snapshot(self) -> Any:
        if self._self_stream is None:
            return None
        try:
            return self._self_stream.current_message_snapshot
        except AssertionError:  # no message_start was read
            return None

    def __del__(self) -> None:
        self._self_end(None)


class TracedStreamManager(_ManagerEnd):
    """``MessageStreamManager``, traced from ``__enter__`` to ``__exit__``."""

    def __enter__(self) -> Any:
        call = self._self_call = self._self_begin()
        if call is None:
            return self.__wrapped__.__enter__()
        token = attach(call.context)
        try:
            return self._self_began(self.__wrapped__.__enter__())
        except BaseException as error:
            call.fail(error)
            raise
        finally:
            detach(token)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_end(exc)


class AsyncTracedStreamManager(_ManagerEnd):
    """``AsyncMessageStreamManager``, traced from ``__aenter__`` to ``__aexit__``."""

    async def __aenter__(self) -> Any:
        call = self._self_call = self._self_begin()
        if call is None:
            return await self.__wrapped__.__aenter__()
        token = attach(call.context)
        try:
            return self._self_began(await self.__wrapped__.__aenter__())
        except BaseException as error:
            call.fail(error)
            raise
        finally:
            detach(token)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_end(exc)
