"""Per-call overhead of the OpenAI instrumentation vs. the floor and vs. peer instrumentations.

Run: .venv/bin/python -m benchmarks.llm_overhead [--rounds 15]
(peers: the same command with a venv where they are installed, see benchmarks/README.md).

The real ``openai`` client talks to an in-process ``httpx2.MockTransport`` that returns recorded
bodies (a chat completion, and a 100-chunk SSE stream with a usage chunk), so every arm pays the
same parsing. Each arm lives in its own worker process (instrumentors patch classes), set up
once. Every round, each worker times the scenario twice, instrumented and uninstrumented
(``uninstrument()``; the floor arm skips its span), in a shuffled order, one worker at a time.
An arm's overhead is the median over rounds of (instrumented - uninstrumented) within its own
process, so a process's own speed (memory layout, hash seed) cancels out; a peer that leaves
work behind after ``uninstrument()`` only makes its own overhead look smaller.

- ours: ``OpenAIInstrumentor`` in a running session; also with message content capture on;
- floor: no instrumentor; the benchmark starts one SDK CLIENT span per call itself, with the
  attributes ours writes (at start and at end), on a bare SDK pipeline: its own TracerProvider
  with only the discarding exporter, so our ``SessionSpanProcessor``'s cost counts as ours;
- peers, when importable: official ``opentelemetry-instrumentation-genai-openai``, OpenLLMetry
  ``opentelemetry-instrumentation-openai`` and ``openinference-instrumentation-openai``.
``--chunks 1000`` runs the stream scenarios with 1000-chunk streams.
The instrumented arms record on the TracerProvider ``agentops.init()`` set up (SessionSpanProcessor +
SimpleSpanProcessor with a discarding exporter).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import openai
import wrapt  # type: ignore[import-untyped, unused-ignore]
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from benchmarks._harness import DropExporter
from tests.support.llm_server.core import Call
from tests.support.llm_server.openai_api import chat_events, chat_json

os.environ.setdefault("AGENTOPS_QUIET", "1")
CHUNKS = int(os.environ.get("AGENTOPS_BENCH_CHUNKS", "100"))  # --chunks sets it for the workers
CAPTURE = "ours, content capture on"
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say hello"}]
FLOOR = "floor (one SDK span)"
SCENARIOS = ("sync call", "async call", f"sync stream ({CHUNKS} chunks)", f"async stream ({CHUNKS} chunks)")
PEERS = {
    "official genai-openai": "opentelemetry.instrumentation.genai.openai",
    "official openai-v2": "opentelemetry.instrumentation.openai_v2",
    "OpenLLMetry": "opentelemetry.instrumentation.openai",
    "OpenInference": "openinference.instrumentation.openai",
}


def recorded_bodies() -> tuple[bytes, bytes]:
    body = {"model": MODEL, "messages": MESSAGES, "stream_options": {"include_usage": True}}
    as_json = json.dumps(chat_json(Call(body))).encode()
    events = chat_events(Call(body, CHUNKS))
    as_sse = b"".join(f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode() for _, data in events)
    return as_json, as_sse


def transport() -> httpx2.MockTransport:
    as_json, as_sse = recorded_bodies()

    def handle(request: httpx2.Request) -> httpx2.Response:
        if b'"stream":true' in request.content.replace(b" ", b""):
            return httpx2.Response(200, content=as_sse, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, content=as_json, headers={"content-type": "application/json"})

    return httpx2.MockTransport(handle)


def peer_instrumentor(module: str) -> Any:
    """The peer's instrumentor, or None if it is not installed (or does not import)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module).OpenAIInstrumentor()
    except Exception:
        return None


def reference_attributes(client: openai.OpenAI) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our span's attributes (start, end) for the floor arm to write, read from one real call.

    On a provider of its own: a processor left on the arms' provider would cost the arms a call each.
    In a session, so the floor carries the session's attributes too.
    """
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    ours = OpenAIInstrumentor()
    ours.instrument(tracer_provider=provider, meter_provider=MeterProvider())
    with agentops.start_session():
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    ours.uninstrument()
    span_attributes = dict(memory.get_finished_spans()[0].attributes or {})
    start_keys = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "server.address")
    start = {key: value for key, value in span_attributes.items() if key in start_keys}
    return start, {key: value for key, value in span_attributes.items() if key not in start}


def patched_by(instrument: Callable[[], None]) -> list[tuple[type, str, Any, Any]]:
    """Run `instrument`; return each openai method it wrapped: (class, name, original, wrapper)."""

    def snapshot() -> dict[tuple[type, str], Any]:
        found = {}
        for module_name, module in list(sys.modules.items()):
            if module_name == "openai" or module_name.startswith("openai."):
                for owner in vars(module).values():
                    if isinstance(owner, type) and owner.__module__ == module_name:
                        found.update({(owner, name): value for name, value in vars(owner).items()})
        return found

    before = snapshot()
    instrument()
    return [
        (owner, name, before.get((owner, name), INHERITED), value)
        for (owner, name), value in snapshot().items()
        if isinstance(value, wrapt.FunctionWrapper) and before.get((owner, name)) is not value
    ]


INHERITED = object()
"""The original of a wrapper set on a subclass (OpenInference wraps ``OpenAI.request``): none of its own."""


def swap(patches: list[tuple[type, str, Any, Any]], on: bool) -> None:
    """Put the wrappers in (on) or the originals back."""
    for owner, name, original, wrapper in patches:
        if on:
            setattr(owner, name, wrapper)
        elif original is INHERITED:
            if name in vars(owner):
                delattr(owner, name)
        else:
            setattr(owner, name, original)


def pipelines() -> tuple[TracerProvider, trace.Tracer]:
    """``agentops.init()`` on a provider with a discarding exporter; the floor's tracer on a bare one."""
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(DropExporter()))
    agentops.init(tracer_provider=provider, exporter="none", instrument_llm_calls=False, auto_start_session=False)
    bare = TracerProvider()
    bare.add_span_processor(SimpleSpanProcessor(DropExporter()))
    return provider, bare.get_tracer("floor")


def mock_clients() -> tuple[openai.OpenAI, openai.AsyncOpenAI]:
    """Sync and async clients of the mock transport: nothing leaves the process; priced as OpenAI, as in use."""
    url = "https://api.openai.com/v1"
    return (
        openai.OpenAI(api_key="test", base_url=url, http_client=httpx2.Client(transport=transport())),
        openai.AsyncOpenAI(api_key="test", base_url=url, http_client=httpx2.AsyncClient(transport=transport())),
    )


def worker(arm: str) -> None:
    """One arm in its own process: set up once, then time what the parent asks for, one line each."""
    provider, tracer = pipelines()
    client, async_client = mock_clients()
    start_attributes, end_attributes = reference_attributes(client)
    floor = False
    instrumentor = None
    if arm in ("ours", CAPTURE):
        agentops.configure(capture_content=arm == CAPTURE)
        instrumentor = OpenAIInstrumentor()
    elif arm in PEERS:
        instrumentor = peer_instrumentor(PEERS[arm])

    patches = patched_by(lambda: instrumentor.instrument(tracer_provider=provider)) if instrumentor else []

    def instrumented(on: bool) -> None:
        """Swap the patched client attributes in or out (a peer's uninstrument() may not restore them)."""
        nonlocal floor
        floor = on and arm == FLOOR
        swap(patches, on)

    def floor_span() -> trace.Span:
        return tracer.start_span(f"chat {MODEL}", kind=trace.SpanKind.CLIENT, attributes=start_attributes)

    def call() -> None:
        if not floor:
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
            return
        with trace.use_span(floor_span(), end_on_exit=True) as span:
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
            span.set_attributes(end_attributes)

    def stream() -> None:
        span = floor_span() if floor else None
        for _ in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True):
            pass
        if span is not None:
            span.set_attributes(end_attributes)
            span.end()

    async def async_call() -> None:
        if not floor:
            await async_client.chat.completions.create(model=MODEL, messages=MESSAGES)
            return
        with trace.use_span(floor_span(), end_on_exit=True) as span:
            await async_client.chat.completions.create(model=MODEL, messages=MESSAGES)
            span.set_attributes(end_attributes)

    async def async_stream() -> None:
        span = floor_span() if floor else None
        async for _ in await async_client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True):
            pass
        if span is not None:
            span.set_attributes(end_attributes)
            span.end()

    def timed(run: Callable[[], None], count: int) -> float:
        """The median µs of `count` calls: a pause (a collection, another process) moves a mean, not a median."""
        times = []
        for _ in range(count):
            started = time.perf_counter_ns()
            run()
            times.append(time.perf_counter_ns() - started)
        return statistics.median(times) / 1e3

    async def timed_async(run: Callable[[], Any], count: int) -> float:
        times = []
        for _ in range(count):
            started = time.perf_counter_ns()
            await run()
            times.append(time.perf_counter_ns() - started)
        return statistics.median(times) / 1e3

    runs: list[Callable[[int], float]] = [
        lambda count: timed(call, count),
        lambda count: asyncio.run(timed_async(async_call, count)),
        lambda count: timed(stream, count),
        lambda count: asyncio.run(timed_async(async_stream, count)),
    ]
    with agentops.start_session():
        print("READY", flush=True)
        for line in sys.stdin:
            scenario, count, on = map(int, line.split())
            instrumented(bool(on))
            gc.collect()
            print(f"{runs[scenario](count):.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200, help="non-streaming calls per arm per round")
    parser.add_argument("--streams", type=int, default=20, help="streams per arm per round")
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="content chunks per stream")
    parser.add_argument("--calls-only", action="store_true", help="skip the stream scenarios")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    names = ["ours", CAPTURE, FLOOR]
    names += [label for label, module in PEERS.items() if peer_instrumentor(module)]
    worker_env = {**os.environ, "AGENTOPS_BENCH_CHUNKS": str(args.chunks)}
    workers = {
        name: subprocess.Popen(
            [sys.executable, "-m", "benchmarks.llm_overhead", "--worker", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            env=worker_env,
        )
        for name in names
    }
    for process in workers.values():
        assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    counts = [args.calls, args.calls, args.streams, args.streams]
    scenarios = SCENARIOS[:2] if args.calls_only else SCENARIOS
    overheads: dict[tuple[str, str], list[float]] = {}
    baselines: dict[str, list[float]] = {}
    for round_number in range(args.rounds + 1):  # round 0 warms up, and is not recorded
        for index, scenario in enumerate(scenarios):
            for name in random.sample(names, len(names)):  # one worker runs at a time
                timed = {on: ask(workers[name], index, counts[index], on) for on in random.sample([0, 1], 2)}
                if round_number:
                    overheads.setdefault((scenario, name), []).append(timed[1] - timed[0])
                    baselines.setdefault(scenario, []).append(timed[0])
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)
    print_table(names, scenarios, overheads, baselines, args.chunks)


def ask(process: subprocess.Popen[str], scenario: int, count: int, on: int) -> float:
    """µs per call of one scenario in one worker, instrumented (on=1) or not."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{scenario} {count} {on}\n")
    process.stdin.flush()
    return float(process.stdout.readline())


def print_table(
    names: list[str],
    scenarios: tuple[str, ...],
    overheads: dict[tuple[str, str], list[float]],
    baselines: dict[str, list[float]],
    chunks_per_stream: int,
) -> None:
    print("| scenario | arm | overhead µs/call | overhead µs/chunk | % of uninstrumented | overhead vs floor |")
    print("|---|---|---|---|---|---|")
    for scenario in scenarios:
        chunks = chunks_per_stream if "stream" in scenario else 1
        label = scenario.replace(f"({CHUNKS} chunks)", f"({chunks_per_stream} chunks)")
        base = statistics.median(baselines[scenario])
        median = {name: statistics.median(overheads[(scenario, name)]) for name in names}
        floor = median[FLOOR]
        print(f"| {label} | uninstrumented | {base:.1f} µs/call | {base / chunks:.2f} µs/chunk | | |")
        for name in names:
            overhead = median[name]
            per_chunk = f"{overhead / chunks:.2f}" if chunks > 1 else ""
            ratio = f"{overhead / floor:.2f}x" if floor > 0 else "floor within noise"
            print(f"| {label} | {name} | {overhead:.1f} | {per_chunk} | {overhead / base:.1%} | {ratio} |")


if __name__ == "__main__":
    main()
