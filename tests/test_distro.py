"""``opentelemetry-instrument python app.py``: our distro and configurator, in real subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry.util._importlib_metadata import EntryPoint

from agentops_otel.distro import KEEP_OTHER_GENAI_ENV, AgentOpsDistro
from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import PROTOCOLS, otlp_env, script_env, write_script

INSTRUMENT = str(Path(sys.executable).with_name("opentelemetry-instrument"))

APP_WITH_INIT = """
    import agentops_otel as agentops
    from opentelemetry import trace
    session = agentops.init(default_tags=["from-code"])
    with session, trace.get_tracer("app").start_as_current_span("step"):
        pass
    print("again:", agentops.init())
"""
PLAIN_APP = """
    from opentelemetry import trace
    with trace.get_tracer("app").start_as_current_span("plain"):
        pass
"""


def run_instrumented(directory: Path, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``opentelemetry-instrument python app.py``, bounded in time."""
    return subprocess.run(
        [INSTRUMENT, sys.executable, str(write_script(directory, code))],
        cwd=directory,
        env=script_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_init_in_the_app_adopts_the_distros_setup(tmp_path: Path, receiver: OTLPReceiver, protocol: str) -> None:
    result = run_instrumented(tmp_path, APP_WITH_INIT, otlp_env(receiver, protocol))
    assert result.returncode == 0, result.stderr
    assert "again: None" in result.stdout  # a second init() is still "init twice"
    assert "Overriding of current TracerProvider" not in result.stderr
    assert "already instrumented" not in result.stderr
    spans = receiver.wait_for_spans(lambda found: len(found) >= 2)
    assert sorted(span["name"] for span in spans) == ["session", "step"]  # one provider's worth
    root = next(span for span in spans if span["name"] == "session")
    step = next(span for span in spans if span["name"] == "step")
    assert step["parent_span_id"] == root["span_id"]
    assert step["attributes"]["session.id"] == root["attributes"]["session.id"]
    assert root["attributes"]["agentops.session.tags"] == ["from-code"]
    assert root["status_code"] == "OK"
    assert root["resource"]["telemetry.distro.name"] == "agentops-otel"
    assert "telemetry.auto.version" in root["resource"]


def test_an_app_without_agentops_calls_gets_no_session_by_default(tmp_path: Path) -> None:
    result = run_instrumented(tmp_path, PLAIN_APP)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "agentops-traces.jsonl").read_text()  # the embedded default, as with init()
    assert '"name":"plain"' in written.replace(" ", "")
    assert "session.id" not in written


def test_auto_start_session_env_gives_the_process_one_session(tmp_path: Path, receiver: OTLPReceiver) -> None:
    env = {**otlp_env(receiver, "grpc"), "AGENTOPS_AUTO_START_SESSION": "true"}
    result = run_instrumented(tmp_path, PLAIN_APP, env)
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: len(found) >= 2)
    root = next(span for span in spans if span["name"] == "session")
    plain = next(span for span in spans if span["name"] == "plain")
    assert plain["parent_span_id"] == root["span_id"]
    assert plain["attributes"]["session.id"] == root["attributes"]["session.id"]
    assert root["attributes"]["agentops.session.end_state"] == "Indeterminate"  # ended at exit


def test_init_returns_the_process_session_when_the_distro_started_one(tmp_path: Path, receiver: OTLPReceiver) -> None:
    env = {**otlp_env(receiver, "http/protobuf"), "AGENTOPS_AUTO_START_SESSION": "true"}
    result = run_instrumented(tmp_path, APP_WITH_INIT, env)
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: len(found) >= 2)
    assert sorted(span["name"] for span in spans) == ["session", "step"]


def test_other_genai_instrumentations_of_our_clients_are_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    official = EntryPoint(
        name="openai_v2",
        value="opentelemetry.instrumentation.openai_v2.not_installed:OpenAIInstrumentor",
        group="opentelemetry_instrumentor",
    )
    AgentOpsDistro().load_instrumentor(official)  # skipped: never imported
    monkeypatch.setenv(KEEP_OTHER_GENAI_ENV, "true")
    with pytest.raises(ModuleNotFoundError):
        AgentOpsDistro().load_instrumentor(official)  # kept: the loader tries to import it


LLM_APP = """
    import openai
    client = openai.OpenAI(max_retries=0)   # OPENAI_BASE_URL / OPENAI_API_KEY from the environment
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
"""


@pytest.mark.parametrize("auto_session", [False, True], ids=["no session", "process session"])
def test_an_app_without_agentops_calls_gets_its_llm_spans(
    tmp_path: Path, receiver: OTLPReceiver, auto_session: bool
) -> None:
    with LLMServer() as llm:
        env = {
            **otlp_env(receiver, "grpc"),
            "OPENAI_BASE_URL": llm.openai_base_url,
            "OPENAI_API_KEY": "test",
            "AGENTOPS_AUTO_START_SESSION": str(auto_session).lower(),
        }
        result = run_instrumented(tmp_path, LLM_APP, env)
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: any("gen_ai.operation.name" in s["attributes"] for s in found))
    (llm_span,) = [span for span in spans if "gen_ai.operation.name" in span["attributes"]]  # one span per call
    assert llm_span["name"] == "chat gpt-4o-mini"
    assert llm_span["attributes"]["gen_ai.provider.name"] == "openai"
    assert llm_span["attributes"]["agentops.llm.cost_usd"] > 0
    if not auto_session:
        assert "session.id" not in llm_span["attributes"]  # a plain GenAI span
        return
    spans = receiver.wait_for_spans(lambda found: any(s["name"] == "session" for s in found))
    root = next(span for span in spans if span["name"] == "session")
    assert llm_span["parent_span_id"] == root["span_id"]
    assert llm_span["attributes"]["session.id"] == root["attributes"]["session.id"]
    assert root["attributes"]["agentops.session.llm_calls"] == 1
