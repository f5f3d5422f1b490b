"""How our per-call overhead grows with prompt size, content capture off and on.

Run: .venv/bin/python -m benchmarks.content_size
The real openai client on an in-process mock transport (the same recorded reply for every
prompt), uninstrumented vs. instrumented in one process, interleaved; overhead = the difference.
"""

from __future__ import annotations

import httpx2
import openai
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from benchmarks._harness import DropExporter, measure
from benchmarks.llm_overhead import MODEL, transport

SIZES = (1_000, 100_000, 1_000_000)  # characters of prompt


def main() -> str:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(DropExporter()))
    agentops.init(tracer_provider=provider, exporter="none", instrument_llm_calls=False, auto_start_session=False)
    http_client = httpx2.Client(transport=transport())
    client = openai.OpenAI(api_key="t", base_url="http://bench.invalid/v1", http_client=http_client)
    instrumentor = OpenAIInstrumentor()
    session = agentops.start_session()
    lines = [
        "### Overhead per call by prompt size (µs above uninstrumented)",
        "",
        "| prompt characters | uninstrumented µs | capture off | capture on |",
        "|---|---|---|---|",
    ]
    for size in SIZES:
        messages = [{"role": "user", "content": "x" * size}]

        def call(messages: list[dict[str, str]] = messages) -> None:
            session.patch(client.chat.completions.create)(model=MODEL, messages=messages)

        results: dict[str, list[float]] = {}
        for capture in (False, True):
            agentops.configure(capture_content=capture)
            instrumentor.instrument(tracer_provider=provider)
            try:
                instrumented = measure({"on": call}, rounds=5, ops=40)["on"]
            finally:
                instrumentor.uninstrument()
            plain = measure({"off": call}, rounds=5, ops=40)["off"]
            results.setdefault("plain", []).append(plain)
            results.setdefault("capture" if capture else "no capture", []).append(instrumented - plain)
        baseline = min(results["plain"])
        lines.append(f"| {size:,} | {baseline:.0f} | {results['no capture'][0]:.0f} | {results['capture'][0]:.0f} |")
    session.end_session("Success")
    agentops.shutdown()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
