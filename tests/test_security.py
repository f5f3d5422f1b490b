"""Secrets never leave the process in telemetry; huge content is bounded; signals during LLM calls.

Real subprocesses, the real openai/anthropic clients against the local LLM server, a real OTLP receiver.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import otlp_env, run_script, start_script

PLANTED = {
    "AGENTOPS_API_KEY": "planted-agentops-7f3a",
    "OPENAI_API_KEY": "sk-planted-openai-91c2",
    "ANTHROPIC_API_KEY": "sk-ant-planted-anthropic-5d8e",
}
PLANTED_HEADER = "planted-header-key-2b6f"
PLANTED_OTLP = "planted-otlp-token-4e1d"
PLANTED_ARGUMENT = "planted-init-argument-c0a9"


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def test_api_keys_never_appear_in_spans_metrics_or_our_logs(
    tmp_path: Path, receiver: OTLPReceiver, llm_server: LLMServer
) -> None:
    code = f"""
        import logging, sys
        import anthropic, openai
        import agentops_otel as agentops
        ours = logging.getLogger("agentops_otel")
        ours.setLevel(logging.DEBUG)
        ours.addHandler(logging.StreamHandler(sys.stderr))
        agentops.init(api_key="{PLANTED_ARGUMENT}", capture_content=True)
        oa = openai.OpenAI(base_url="{llm_server.openai_base_url}", max_retries=0)
        headers = {{"x-api-key": "{PLANTED_HEADER}", "Authorization": "Bearer {PLANTED_HEADER}"}}
        oa.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}],
                                   extra_headers=headers)
        for _ in oa.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}],
                                            stream=True, extra_headers=headers):
            pass
        try:
            oa.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}],
                                       extra_headers={{**headers, "x-test-error": "400"}})
        except openai.BadRequestError:
            pass
        an = anthropic.Anthropic(base_url="{llm_server.base_url}", max_retries=0)
        an.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{{"role": "user", "content": "hi"}}],
                           extra_headers=headers)
        agentops.end_session("Success")
    """
    env = {
        **otlp_env(receiver, "grpc"),
        **PLANTED,
        "OTEL_EXPORTER_OTLP_HEADERS": f"authorization=Bearer {PLANTED_OTLP}",
    }
    result = run_script(tmp_path, code, env)
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: sum(s["kind"] == "CLIENT" for s in found) >= 4)
    assert {point["name"] for point in receiver.metric_points()} >= {"gen_ai.client.operation.duration"}
    assert any(span["status_code"] == "ERROR" for span in spans)  # the failed call was recorded, with its error
    everything = "\n".join(
        [
            (receiver.out_path).read_text(),
            receiver.metrics_path.read_text(),
            result.stdout,
            result.stderr,
            *(path.read_text() for path in tmp_path.glob("*.jsonl")),
        ]
    )
    assert "DEBUG" in result.stderr or "agentops-otel" in result.stderr  # our logger really wrote there
    for secret in (*PLANTED.values(), PLANTED_HEADER, PLANTED_OTLP, PLANTED_ARGUMENT):
        assert secret not in everything, secret


def test_a_ten_megabyte_prompt_is_truncated_and_the_call_still_works(
    tmp_path: Path, receiver: OTLPReceiver, llm_server: LLMServer
) -> None:
    code = f"""
        import openai
        import agentops_otel as agentops
        agentops.init(capture_content=True)
        oa = openai.OpenAI(base_url="{llm_server.openai_base_url}", api_key="t", max_retries=0)
        prompt = [{{"role": "user", "content": "x " * 5_000_000}}]
        reply = oa.chat.completions.create(model="gpt-4o-mini", messages=prompt)
        print(reply.choices[0].message.content)
        agentops.end_session("Success")
    """
    result = run_script(tmp_path, code, otlp_env(receiver, "http/protobuf"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hello from the test server"
    spans = receiver.wait_for_spans(lambda found: any(s["kind"] == "CLIENT" for s in found))
    llm_span = next(span for span in spans if span["kind"] == "CLIENT")
    assert len(llm_span["attributes"]["gen_ai.input.messages"]) == 32768  # the default limit
    assert llm_span["attributes"]["gen_ai.usage.input_tokens"] == 10 + 5_000_000  # the whole prompt was sent


STREAMING_SESSION = """
    import openai
    import agentops_otel as agentops
    session = agentops.init()
    oa = openai.OpenAI(base_url="{url}", api_key="t", max_retries=0)
    stream = oa.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}],
                                        stream=True, extra_headers={{"x-test-chunks": "2000000"}})
    for index, chunk in enumerate(stream):
        if index == 10:
            print("STREAMING", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_streamed_llm_call_fails_the_session_and_flushes(
    tmp_path: Path, receiver: OTLPReceiver, llm_server: LLMServer, signum: signal.Signals
) -> None:
    code = STREAMING_SESSION.format(url=llm_server.openai_base_url)
    process = start_script(tmp_path, code, otlp_env(receiver, "grpc"))
    assert process.stdout is not None and process.stdout.readline().strip() == "STREAMING"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == -signum, stderr  # Python re-raises an unhandled KeyboardInterrupt as SIGINT
    spans = receiver.wait_for_spans(lambda found: any(s["name"] == "session" for s in found))
    root = next(span for span in spans if span["name"] == "session")
    assert root["status_code"] == "ERROR"
    assert root["status_message"] == f"Signal {signum.name} detected"
    if signum == signal.SIGINT:  # KeyboardInterrupt unwinds: the stream's span ends and is exported too
        llm_span = receiver.wait_for_spans(lambda found: any(s["kind"] == "CLIENT" for s in found))
        client = next(span for span in llm_span if span["kind"] == "CLIENT")
        # Raised while the stream read a chunk, the span fails with it; raised in the loop's own body
        # (between two chunks), the stream was abandoned and its span ends with what was read.
        assert client["attributes"].get("error.type", "KeyboardInterrupt") == "KeyboardInterrupt"
        assert client["attributes"]["gen_ai.request.model"] == "gpt-4o-mini"
