"""Stream proxies: the call's span ends exactly once, however the caller leaves the stream.

A proxy stands in for the client's ``Stream``/``AsyncStream`` (``isinstance``, attributes,
``response``, context managers all reach the real one) and feeds each chunk to a provider's
accumulator. The span ends when the stream is exhausted, fails, is closed, leaves its ``with``
block, or is garbage collected, whichever comes first.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import wrapt  # type: ignore[import-untyped, unused-ignore]  # typed from wrapt 2 on
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK

from ..internal_errors import handle_internal_errors, log_internal_error
from .call import LLMCall
from .models import Outcome

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


class _Progress:
    """A stream's span state, shared by its proxy and its chunk generator.

    The generator holds this, never the proxy: a proxy -> generator -> proxy cycle would leave a
    dropped stream's span open until the next garbage collection instead of ending it at once.
    """

    __slots__ = ("accumulator", "call", "first_chunk")

    def __init__(self, call: LLMCall, accumulator: Accumulator) -> None:
        self.call = call
        self.accumulator = accumulator
        self.first_chunk: float | None = None

    def accept(self, chunk: Any) -> bool:
        """Feed one chunk to the accumulator; False hides it from the caller."""
        if self.first_chunk is None:
            self.first_chunk = time.perf_counter()
        try:
            return self.accumulator.process(chunk)
        except Exception:
            log_internal_error("reading a streamed chunk")  # never break the caller's stream over telemetry
        return True

    def end(self, error: BaseException | None) -> None:
        """End the span (the call makes sure it happens once)."""
        if error is not None:
            self.call.fail(error)
            return
        outcome = None
        with handle_internal_errors("reading a stream's response"):  # the span still ends, with less on it
            outcome = self.accumulator.outcome()
            if self.first_chunk is not None:
                outcome.attributes[GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self.first_chunk - self.call.started
        self.call.finish(outcome)


def _chunks(stream: Iterable[Any], progress: _Progress) -> Iterator[Any]:
    """The stream's chunks as the caller sees them; a generator, so a chunk costs one resume."""
    try:
        for chunk in stream:
            if progress.accept(chunk):
                yield chunk
    except GeneratorExit:  # closed, or collected, before the end: what was read so far
        progress.end(None)
        raise
    except BaseException as error:
        progress.end(error)
        raise
    progress.end(None)


async def _async_chunks(stream: AsyncIterable[Any], progress: _Progress) -> AsyncIterator[Any]:
    """The async twin of :func:`_chunks`."""
    try:
        async for chunk in stream:
            if progress.accept(chunk):
                yield chunk
    except GeneratorExit:
        progress.end(None)
        raise
    except BaseException as error:
        progress.end(error)
        raise
    progress.end(None)


class _StreamProxy(ObjectProxy):  # type: ignore[misc, unused-ignore]
    """What both proxies share: the span's state and the chunk generator the caller iterates.

    ``for chunk in stream`` keeps only the generator (the proxy itself may be dropped at once),
    so the generator, not the proxy, decides when a dropped stream's span ends: when it is
    collected, whether or not iteration ever started.
    """

    _self_progress: _Progress

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: Accumulator, chunks: Callable[..., Any]) -> None:
        super().__init__(wrapped)
        self._self_progress = progress = _Progress(call, accumulator)
        self._self_chunks = chunks(wrapped, progress)
        weakref.finalize(self._self_chunks, progress.end, None)


class TracedStream(_StreamProxy):
    """A client's sync stream, traced."""

    _self_chunks: Iterator[Any]

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: Accumulator) -> None:
        super().__init__(wrapped, call, accumulator, _chunks)

    def __iter__(self) -> Iterator[Any]:
        return self._self_chunks

    def __next__(self) -> Any:
        return next(self._self_chunks)

    def close(self) -> None:
        """Close the real stream; the span ends with what was read so far."""
        try:
            self.__wrapped__.close()
        finally:
            self._self_progress.end(None)

    def __enter__(self) -> TracedStream:
        self.__wrapped__.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_progress.end(None)


class AsyncTracedStream(_StreamProxy):
    """A client's async stream, traced."""

    _self_chunks: AsyncIterator[Any]

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: Accumulator) -> None:
        super().__init__(wrapped, call, accumulator, _async_chunks)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._self_chunks

    async def __anext__(self) -> Any:
        return await self._self_chunks.__anext__()

    async def close(self) -> None:
        """Close the real stream; the span ends with what was read so far."""
        try:
            await self.__wrapped__.close()
        finally:
            self._self_progress.end(None)

    async def __aenter__(self) -> AsyncTracedStream:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, traceback)  # type: ignore[no-any-return]
        finally:
            self._self_progress.end(None)


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
    model: type,
    streams: tuple[type, type],
    unread: tuple[type, ...],
) -> Callable[[LLMCall, Any, dict[str, Any]], Any]:
    """A provider's ``respond`` hook, from its extractor, its accumulator and its response classes.

    ``model`` is the client's base class of parsed responses (checked first: the usual case, and
    probing a pydantic model for a missing attribute costs an exception); ``streams`` its (sync,
    async) stream classes; ``unread`` its response classes whose body the caller reads later
    (``with_streaming_response``): those end the span at once, without response attributes.
    """
    sync_stream, async_stream = streams

    def trace_stream(stream: Any, call: LLMCall, accumulator: Accumulator) -> Any:
        proxy = AsyncTracedStream if isinstance(stream, async_stream) else TracedStream
        return proxy(stream, call, accumulator)

    def respond(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if isinstance(result, model):
            call.finish(outcome_of(result))
            return result
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
