"""Export faults that used to lose spans or leak secrets, each in a real subprocess against a real receiver."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import PROTOCOLS, otlp_env, run_script

ONE_SESSION = "import agentops_otel as agentops; agentops.init().end_session('Success')"


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
