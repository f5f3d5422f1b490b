"""Stream proxies: the call's span ends exactly once, however the caller leaves the stream.

A proxy stands in for the client's ``Stream``/``AsyncStream`` (``isinstance``, attributes,
``response``, context managers all reach the real one) and feeds each chunk to a provider's
accumulator. The span ends when the stream is exhausted, fails, is closed, leaves its ``with``
block, or is garbage collected, whichever comes first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import wrapt  # type: ignore[import-untyped, unused-ignore]  # typed from wrapt 2 on
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK

from ..internal_errors import handle_internal_errors
from .genai import LLMCall, Outcome

if TYPE_CHECKING:
    ObjectProxy: TypeAlias = wrapt.ObjectProxy[Any]  # generic in wrapt 2; Any in wrapt 1, which has no types
else:
    ObjectProxy = wrapt.ObjectProxy  # not subscriptable at run time in wrapt 1


class Accumulator(Protocol):
    """Reads a provider's chunks as they pass; knows the outcome once the stream ends."""

    def process(self, chunk: Any) -> bool:
        """Take in one chunk; False hides it from the caller (a chunk only we asked for)."""
        ...

    def outcome(self) -> Outcome:
        """The response as far as the stream got."""
        ...


class _StreamEnd:
    """The part both proxies share: per-chunk bookkeeping and the one ending."""

    _self_call: LLMCall
    _self_accumulator: Accumulator
    _self_first_chunk: float | None

    def _self_accept(self, chunk: Any) -> bool:
        if self._self_first_chunk is None:
            self._self_first_chunk = time.perf_counter()
        try:
            return self._self_accumulator.process(chunk)
        except Exception:
            # Never break the caller's stream over telemetry (re-raised under pytest).
            with handle_internal_errors("reading a streamed chunk"):
                raise
        return True

    def _self_end(self, error: BaseException | None) -> None:
        call = getattr(self, "_self_call", None)  # absent if __init__ never finished
        if call is None:
            return
        if error is not None:
            call.fail(error)
            return
        outcome = self._self_accumulator.outcome()
        if self._self_first_chunk is not None:
            outcome.attributes[GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._self_first_chunk - call.started
        call.finish(outcome)

    def __del__(self) -> None:
        self._self_end(None)


class TracedStream(_StreamEnd, ObjectProxy):  # type: ignore[misc, unused-ignore]
    """A client's sync stream, traced."""

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: Accumulator) -> None:
        super().__init__(wrapped)
        self._self_accumulator = accumulator
        self._self_first_chunk = None
        self._self_call = call

    def __iter__(self) -> TracedStream:
        return self

    def __next__(self) -> Any:
        try:
            while True:
                chunk = self.__wrapped__.__next__()
                if self._self_accept(chunk):
                    return chunk
        except StopIteration:
            self._self_end(None)
            raise
        except BaseException as error:
            self._self_end(error)
            raise

    def close(self) -> None:
        """Close the real stream; the span ends with what was read so far."""
        try:
            self.__wrapped__.close()
        finally:
            self._self_end(None)

    def __enter__(self) -> TracedStream:
        self.__wrapped__.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_end(None)


class AsyncTracedStream(_StreamEnd, ObjectProxy):  # type: ignore[misc, unused-ignore]
    """A client's async stream, traced."""

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: Accumulator) -> None:
        super().__init__(wrapped)
        self._self_accumulator = accumulator
        self._self_first_chunk = None
        self._self_call = call

    def __aiter__(self) -> AsyncTracedStream:
        return self

    async def __anext__(self) -> Any:
        try:
            while True:
                chunk = await self.__wrapped__.__anext__()
                if self._self_accept(chunk):
                    return chunk
        except StopAsyncIteration:
            self._self_end(None)
            raise
        except BaseException as error:
            self._self_end(error)
            raise

    async def close(self) -> None:
        """Close the real stream; the span ends with what was read so far."""
        try:
            await self.__wrapped__.close()
        finally:
            self._self_end(None)

    async def __aenter__(self) -> AsyncTracedStream:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_end(None)


class TracedRawResponse(ObjectProxy):  # type: ignore[misc, unused-ignore]
    """A ``with_raw_response`` result of a streaming call: its ``parse()`` gives the traced stream.

    The span ends through that stream; if the caller never parses it, when it is collected.
    """

    def __init__(self, wrapped: Any, call: LLMCall, trace_stream: Callable[[Any], Any]) -> None:
        super().__init__(wrapped)
        self._self_trace_stream = trace_stream
        self._self_stream: Any = None
        self._self_call = call

    def parse(self, **kwargs: Any) -> Any:
        """The parsed body; the default parse (the stream) comes back traced, the same one each time."""
        parsed = self.__wrapped__.parse(**kwargs)
        if kwargs:
            return parsed
        if self._self_stream is None:
            self._self_stream = self._self_trace_stream(parsed)
        return self._self_stream

    def __del__(self) -> None:
        call = getattr(self, "_self_call", None)
        if call is not None and getattr(self, "_self_stream", None) is None:
            call.finish(None)


def responder(
    outcome_of: Callable[[Any], Outcome],
    accumulator_of: Callable[[dict[str, Any]], Accumulator],
    streams: tuple[type, type],
    unread: tuple[type, ...],
) -> Callable[[LLMCall, Any, dict[str, Any]], Any]:
    """A provider's ``respond`` hook, from its extractor, its accumulator and its response classes.

    ``streams`` are the client's (sync, async) stream classes; ``unread`` its response classes
    whose body the caller reads later (``with_streaming_response``): those end the span at once,
    without response attributes.
    """
    sync_stream, async_stream = streams

    def trace_stream(stream: Any, call: LLMCall, accumulator: Accumulator) -> Any:
        proxy = AsyncTracedStream if isinstance(stream, async_stream) else TracedStream
        return proxy(stream, call, accumulator)

    def respond(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if isinstance(result, (sync_stream, async_stream)):
            return trace_stream(result, call, accumulator_of(kwargs))
        if isinstance(result, unread):
            call.finish(None)
            return result
        if callable(getattr(result, "parse", None)) and hasattr(result, "http_response"):  # with_raw_response
            if kwargs.get("stream") is True:
                accumulator = accumulator_of(kwargs)
                return TracedRawResponse(result, call, lambda stream: trace_stream(stream, call, accumulator))
            call.finish(outcome_of(result.parse()))  # parse() caches: the caller's parse() is free
            return result
        call.finish(outcome_of(result))
        return result

    return respond
