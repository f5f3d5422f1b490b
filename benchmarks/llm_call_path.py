"""Our LLM call path against the floor, without the client's own work: the ratio issue 14 asks for.

Run: .venv/bin/python -m benchmarks.llm_call_path [--rounds 40] [--calls 2000]

``llm_overhead.py`` times whole calls of the real ``openai`` client, whose own ~800 µs a call
moves by more than our whole overhead from one batch to the next on a shared machine. Here the
client's method is replaced by one that returns a response the real client parsed once, so what
is timed is what an instrumentation adds around a call:

- *method*: the bare method, the baseline subtracted from the others;
- *floor*: one SDK CLIENT span with the attributes ours writes (at start and at end), current while
  the method runs, on a bare SDK pipeline: its own TracerProvider with only the discarding exporter;
- *ours*: our instrumentor's wrapper of ``Completions.create`` (the wrapper wrapt calls, called
  with the method, the real resource instance and the call's keywords), in a running session, on
  the provider ``agentops.init()`` set up (with a discarding exporter);
- *ours, processor off*: the same with ``SessionSpanProcessor``'s ``on_start`` and ``on_end``
  doing nothing while it runs (no session stamping, no roll-ups): the processor's share.

Sync and async arms are interleaved in a shuffled order every round; each result is the median
over rounds of the mean µs per call, less the method's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any
from unittest import mock

from opentelemetry import trace

import agentops_otel as agentops
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from agentops_otel.processor import SessionSpanProcessor
from benchmarks.llm_overhead import MESSAGES, MODEL, mock_clients, pipelines, reference_attributes

Arm = Callable[[int], float]


def sync_arm(call: Callable[[], object]) -> Arm:
    def timed(count: int) -> float:
        started = time.process_time()
        for _ in range(count):
            call()
        return (time.process_time() - started) / count * 1e6

    return timed


def async_arm(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[object]]) -> Arm:
    async def timed_calls(count: int) -> float:
        started = time.process_time()
        for _ in range(count):
            await call()
        return (time.process_time() - started) / count * 1e6

    return lambda count: loop.run_until_complete(timed_calls(count))


def processor_off(arm: Arm) -> Arm:
    """`arm` with the session processor doing nothing, to time its share."""

    def timed(count: int) -> float:
        with (
            mock.patch.object(SessionSpanProcessor, "on_start", lambda *_, **__: None),
            mock.patch.object(SessionSpanProcessor, "on_end", lambda *_, **__: None),
        ):
            return arm(count)

    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    provider, floor_tracer = pipelines()
    client, async_client = mock_clients()
    start_attributes, end_attributes = reference_attributes(client)
    response = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    wrapper = vars(type(client.chat.completions))["create"]._self_wrapper
    async_wrapper = vars(type(async_client.chat.completions))["create"]._self_wrapper

    def method(**_: Any) -> Any:
        return response

    async def async_method(**_: Any) -> Any:
        return response

    def floor() -> None:
        span = floor_tracer.start_span(f"chat {MODEL}", kind=trace.SpanKind.CLIENT, attributes=start_attributes)
        with trace.use_span(span, end_on_exit=True):
            method(model=MODEL, messages=MESSAGES)
            span.set_attributes(end_attributes)

    async def async_floor() -> None:
        span = floor_tracer.start_span(f"chat {MODEL}", kind=trace.SpanKind.CLIENT, attributes=start_attributes)
        with trace.use_span(span, end_on_exit=True):
            await async_method(model=MODEL, messages=MESSAGES)
            span.set_attributes(end_attributes)

    loop = asyncio.new_event_loop()
    sync_ours = sync_arm(lambda: wrapper(method, client.chat.completions, (), {"model": MODEL, "messages": MESSAGES}))
    async_ours = async_arm(
        loop,
        lambda: async_wrapper(async_method, async_client.chat.completions, (), {"model": MODEL, "messages": MESSAGES}),
    )
    arms: dict[str, Arm] = {
        "sync method": sync_arm(lambda: method(model=MODEL, messages=MESSAGES)),
        "sync floor": sync_arm(floor),
        "sync ours": sync_ours,
        "sync ours, processor off": processor_off(sync_ours),
        "async method": async_arm(loop, lambda: async_method(model=MODEL, messages=MESSAGES)),
        "async floor": async_arm(loop, async_floor),
        "async ours": async_ours,
        "async ours, processor off": processor_off(async_ours),
    }
    samples: dict[str, list[float]] = {name: [] for name in arms}
    with agentops.start_session():
        for arm in arms.values():
            arm(args.calls // 10)  # warm up
        for _ in range(args.rounds):
            for name in random.sample(list(arms), len(arms)):
                gc.collect()
                gc.disable()  # as timeit does: a collection is charged to whichever arm triggers it
                samples[name].append(arms[name](args.calls))
                gc.enable()
    loop.close()
    median = {name: statistics.median(values) for name, values in samples.items()}
    print("| path | method µs/call | floor µs | ours µs | ours vs floor | ours, processor off µs | vs floor |")
    print("|---|---|---|---|---|---|---|")
    for kind in ("sync", "async"):
        base = median[f"{kind} method"]
        floor_cost = median[f"{kind} floor"] - base
        ours_cost, off_cost = median[f"{kind} ours"] - base, median[f"{kind} ours, processor off"] - base
        print(
            f"| {kind} | {base:.2f} | {floor_cost:.1f} | {ours_cost:.1f} | {ours_cost / floor_cost:.2f}x "
            f"| {off_cost:.1f} | {off_cost / floor_cost:.2f}x |"
        )


if __name__ == "__main__":
    main()
