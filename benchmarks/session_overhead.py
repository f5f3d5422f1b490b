"""Session cost vs. a bare span (target: <= 2x), and our baggage stamping vs. opentelemetry-processor-baggage.

Run: .venv/bin/python -m benchmarks.session_overhead
(the stamping comparison needs `pip install opentelemetry-processor-baggage==0.66b1`; without it
that arm is skipped)
"""

from __future__ import annotations

from collections.abc import Callable

from opentelemetry import baggage, context, trace
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.processor import SessionSpanProcessor
from agentops_otel.registry import registry
from benchmarks._harness import DropExporter, measure, table


def provider_with(*processors: SpanProcessor) -> TracerProvider:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    for processor in processors:
        provider.add_span_processor(processor)
    provider.add_span_processor(SimpleSpanProcessor(DropExporter()))
    return provider


def bare_root_span_with_baggage(tracer: trace.Tracer) -> Callable[[], None]:
    def run() -> None:
        span = tracer.start_span("session", context=context.Context(), attributes={"session.id": "x"})
        token = context.attach(baggage.set_baggage("session.id", "x", trace.set_span_in_context(span)))
        context.detach(token)
        span.end()

    return run


def child_span_in_context(tracer: trace.Tracer, session_id: str) -> Callable[[], None]:
    ctx = baggage.set_baggage("session.id", session_id)
    return lambda: tracer.start_span("child", context=ctx).end()


def main(rounds: int = 15, ops: int = 2000) -> str:
    provider = provider_with()
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    lifecycle = measure(
        {
            "bare root span + baggage": bare_root_span_with_baggage(provider.get_tracer("bench")),
            "session start+end": lambda: agentops.start_session().end_session("Success"),
        },
        rounds,
        ops,
    )
    session = agentops.start_session()
    stamping_arms = {
        "child span, no stamping": child_span_in_context(provider_with().get_tracer("b"), session.session_id),
        "child span, SessionSpanProcessor": child_span_in_context(
            provider_with(SessionSpanProcessor(registry)).get_tracer("b"), session.session_id
        ),
    }
    try:
        from opentelemetry.processor.baggage import BaggageSpanProcessor

        theirs = provider_with(BaggageSpanProcessor(lambda key: key == "session.id")).get_tracer("b")
        stamping_arms["child span, BaggageSpanProcessor"] = child_span_in_context(theirs, session.session_id)
    except ImportError:
        pass
    stamping = measure(stamping_arms, rounds, ops)
    agentops.shutdown()
    return (
        table("Session lifecycle", lifecycle, "bare root span + baggage")
        + "\n"
        + table("Stamping session.id on a child span", stamping, "child span, no stamping")
    )


if __name__ == "__main__":
    print(main())
