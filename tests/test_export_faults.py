"""Export faults that used to lose spans or leak secrets, each in a real subprocess against a real receiver."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import PROTOCOLS, otlp_env, run_script


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    "headers",
    [
        "x-honeycomb-team: hcsecretTYPO123",  # the common ':' typo: the SDK quotes the pair
        "x-api-key=hcsecretNEWLINE456%0Amore",  # a value the HTTP client refuses, quoting it
    ],
    ids=["colon typo", "invalid value"],
)
def test_otlp_header_values_never_reach_the_logs(
    tmp_path: Path, receiver: OTLPReceiver, protocol: str, headers: str
) -> None:
    env = {**otlp_env(receiver, protocol), "OTEL_EXPORTER_OTLP_HEADERS": headers, "AGENTOPS_FLUSH_TIMEOUT": "3000"}
    code = """
        import logging
        logging.basicConfig(level=logging.DEBUG)  # every logger, ours and the SDK's, at its most talkative
        import agentops_otel as agentops
        agentops.init().end_session("Success")
    """
    result = run_script(tmp_path, code, env)
    assert result.returncode == 0, result.stderr
    assert "hcsecret" not in result.stderr + result.stdout
    # The user is still told (the SDK's line with the value redacted, or our export warning).
    assert "[redacted]" in result.stderr or "could not export" in result.stderr


def dropped(receiver: OTLPReceiver) -> dict[str, int]:
    """The last value of our lost-span counter the receiver got, by reason."""
    return {
        point["attributes"]["reason"]: point["value"]
        for point in receiver.metric_points()
        if point["name"] == "agentops.spans.dropped"
    }


@pytest.mark.parametrize(
    ("reply", "protocol", "said"),
    [
        ("partial_success", "grpc", "partial success: otlp_receiver rejects every span"),
        ("partial_success", "http/protobuf", "partial success: otlp_receiver rejects every span"),
        ("not_otlp", "http/protobuf", "HTTP 200 with a text/html body, not OTLP"),
    ],
)
def test_spans_a_collector_answers_success_for_but_does_not_take_are_counted_and_reported(
    tmp_path: Path, reply: str, protocol: str, said: str
) -> None:
    code = """
        import agentops_otel as agentops
        from opentelemetry import trace
        session = agentops.init()
        with session:
            for step in range(3):
                trace.get_tracer("app").start_span(f"step {step}").end()
        session.end_session("Success")
    """
    with OTLPReceiver(tmp_path / "received.jsonl", reply=reply) as receiver:
        result = run_script(tmp_path, code, otlp_env(receiver, protocol))
        assert result.returncode == 0, result.stderr
        assert receiver.spans() == []
        warnings = [line for line in result.stderr.splitlines() if "did not take" in line]
        assert len(warnings) == 1 and f"did not take 4 spans ({said})" in warnings[0]
        assert dropped(receiver)["rejected"] == 4


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_span_otlp_cannot_encode_costs_only_itself(tmp_path: Path, receiver: OTLPReceiver, protocol: str) -> None:
    code = """
        import agentops_otel as agentops
        from opentelemetry import trace
        agentops.init(auto_start_session=False, max_wait_time=60000)  # everything in one batch, at exit
        tracer = trace.get_tracer("app")
        for index in range(3):
            with agentops.start_session(name=f"s{index}"):
                tracer.start_span("good").end()
        with agentops.start_session(name="sentinels"):
            tracer.start_span("before 1970", start_time=-1).end()
            with tracer.start_as_current_span("year 9999") as span:
                span.add_event("sentinel", timestamp=253402300799 * 10**9)
            tracer.start_span("good too").end()
    """
    result = run_script(tmp_path, code, {**otlp_env(receiver, protocol), "AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    names = sorted(span["name"] for span in receiver.wait_for_spans(lambda spans: len(spans) >= 8))
    assert names == ["good"] * 3 + ["good too"] + ["session s0", "session s1", "session s2", "session sentinels"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("agentops-otel")]
    assert len(warnings) == 1 and "dropped 2 spans that cannot be sent as OTLP" in warnings[0]
    assert "Traceback" not in result.stderr


def test_one_huge_prompt_costs_neither_its_batch_nor_its_content_cap(tmp_path: Path, receiver: OTLPReceiver) -> None:
    """The application's own provider (no span limits of ours) and a gRPC receiver (4 MiB a request)."""
    with LLMServer() as llm:
        code = f"""
            import openai
            from opentelemetry import trace
            from opentelemetry.sdk.trace import TracerProvider
            trace.set_tracer_provider(TracerProvider())
            import agentops_otel as agentops
            session = agentops.init(exporter="otlp", capture_content=True, max_wait_time=60000)
            client = openai.OpenAI(base_url="{llm.openai_base_url}", api_key="t", max_retries=0)
            prompt = "p" * 10_000_000
            client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": prompt}}])
            tracer = trace.get_tracer("app")
            with session:
                for index in range(3):  # the application's own big attributes: 4.5 MB together
                    tracer.start_span(f"big {{index}}", attributes={{"blob": "b" * 1_500_000}}).end()
                tracer.start_span("too big alone", attributes={{"blob": "b" * 5_000_000}}).end()
            session.end_session("Success")
        """
        result = run_script(tmp_path, code, otlp_env(receiver, "grpc"))
    assert result.returncode == 0, result.stderr
    spans = {span["name"]: span for span in receiver.wait_for_spans(lambda spans: len(spans) >= 5)}
    assert sorted(spans) == ["big 0", "big 1", "big 2", "chat gpt-4o-mini", "session"]
    assert len(spans["chat gpt-4o-mini"]["attributes"]["gen_ai.input.messages"]) == 32768
    assert "dropped 1 spans that cannot be sent as OTLP (span 'too big alone'" in result.stderr
    assert "could not export" not in result.stderr
