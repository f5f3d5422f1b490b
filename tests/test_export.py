"""Where spans go, checked in real subprocesses (the global tracer provider is per process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import run_script


def file_spans(path: Path) -> list[dict[str, object]]:
    """Spans from an OTLP JSON-lines file, as the json-file exporter writes it."""
    spans: list[dict[str, object]] = []
    for line in path.read_text().splitlines():
        for resource_spans in json.loads(line)["resourceSpans"]:
            for scope_spans in resource_spans["scopeSpans"]:
                spans.extend(scope_spans["spans"])
    return spans


def attribute(span: dict[str, object], key: str) -> object:
    for item in span["attributes"]:  # type: ignore[attr-defined]
        if item["key"] == key:
            return next(iter(item["value"].values()))
    raise KeyError(key)


def test_embedded_default_writes_otlp_json_lines(tmp_path: Path) -> None:
    code = """
        import agentops_otel as agentops
        from opentelemetry import trace
        session = agentops.start_session(["demo"])   # no init(): defaults
        with session, trace.get_tracer("app").start_as_current_span("step"):
            pass
        print(session.session_id)
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    spans = file_spans(tmp_path / "agentops-traces.jsonl")
    by_name = {span["name"]: span for span in spans}
    session_id = result.stdout.strip()
    assert set(by_name) == {"session", "step"}
    assert by_name["session"]["traceId"] == session_id.replace("-", "")
    assert attribute(by_name["step"], "session.id") == session_id
    assert attribute(by_name["session"], "agentops.session.end_state") == "Success"


def test_traces_file_argument_and_env_choose_the_path(tmp_path: Path) -> None:
    code = "import agentops_otel as agentops; agentops.init(traces_file='custom.jsonl').end_session('Success')"
    assert run_script(tmp_path, code).returncode == 0
    assert [span["name"] for span in file_spans(tmp_path / "custom.jsonl")] == ["session"]
    code = "import agentops_otel as agentops; agentops.init().end_session('Success')"
    assert run_script(tmp_path, code, {"AGENTOPS_TRACES_FILE": "env.jsonl"}).returncode == 0
    assert [span["name"] for span in file_spans(tmp_path / "env.jsonl")] == ["session"]


def test_an_unwritable_traces_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    code = "import agentops_otel as agentops; agentops.init(traces_file='/nonexistent/dir/t.jsonl').end_session('Fail')"
    result = run_script(tmp_path, code)
    assert result.returncode == 0
    assert "Cannot write spans to /nonexistent/dir/t.jsonl" in result.stderr


def test_an_existing_global_provider_is_reused_never_replaced(tmp_path: Path) -> None:
    code = """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)

        import agentops_otel as agentops
        session = agentops.init()
        with session, trace.get_tracer("app").start_as_current_span("step"):
            pass
        assert trace.get_tracer_provider() is provider
        spans = exporter.get_finished_spans()
        print(sorted((s.name, s.attributes.get("session.id") == session.session_id) for s in spans))
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('session', True), ('step', True)]"
    assert "Overriding" not in result.stderr
    assert not (tmp_path / "agentops-traces.jsonl").exists()  # the application's provider exports


@pytest.mark.parametrize(
    ("exporter_argument", "env"),
    [
        ("'otlp_http'", {"OTEL_EXPORTER_OTLP_ENDPOINT": "{http}"}),
        ("'otlp'", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://{grpc}"}),
        (
            "None",
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "{http}/v1/traces", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
        ),
        (
            "OTLPSpanExporter(endpoint='{grpc}', insecure=True)",
            {},
        ),
    ],
    ids=["otlp_http name", "otlp name", "traces endpoint env", "exporter instance"],
)
def test_exporter_choices_reach_the_receiver(
    tmp_path: Path, receiver: OTLPReceiver, exporter_argument: str, env: dict[str, str]
) -> None:
    endpoints = {"http": receiver.http_endpoint, "grpc": receiver.grpc_endpoint}
    code = f"""
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        import agentops_otel as agentops
        agentops.init(exporter={exporter_argument.format(**endpoints)}).end_session("Success")
    """
    result = run_script(tmp_path, code, {key: value.format(**endpoints) for key, value in env.items()})
    assert result.returncode == 0, result.stderr
    (root,) = receiver.wait_for_spans(lambda spans: len(spans) == 1)
    assert root["name"] == "session" and root["status_code"] == "OK"
    assert not (tmp_path / "agentops-traces.jsonl").exists()


def test_console_exporter_by_otel_env(tmp_path: Path) -> None:
    code = "import agentops_otel as agentops; agentops.init().end_session('Success')"
    result = run_script(tmp_path, code, {"OTEL_TRACES_EXPORTER": "console"})
    assert result.returncode == 0
    assert '"name": "session"' in result.stdout


def test_embedded_default_writes_genai_metrics_next_to_the_traces(tmp_path: Path) -> None:
    with LLMServer() as llm:
        code = f"""
            import openai
            import agentops_otel as agentops
            agentops.init()
            client = openai.OpenAI(base_url="{llm.openai_base_url}", api_key="t", max_retries=0)
            client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}])
            agentops.track_agent("researcher")(agentops.record_tool("lookup")(str.upper))("otel")
        """
        result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    metric_names = {
        metric["name"]
        for line in (tmp_path / "agentops-metrics.jsonl").read_text().splitlines()
        for resource in json.loads(line)["resourceMetrics"]
        for scope in resource["scopeMetrics"]
        for metric in scope["metrics"]
    }
    assert {
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
        "gen_ai.invoke_agent.duration",
        "gen_ai.execute_tool.duration",
    } <= metric_names
    spans = file_spans(tmp_path / "agentops-traces.jsonl")
    assert [span["name"] for span in spans] == [
        "chat gpt-4o-mini", "execute_tool lookup", "invoke_agent researcher", "session"
    ]  # fmt: skip


def test_a_deleted_traces_file_is_created_again(tmp_path: Path) -> None:
    code = """
        import os
        import agentops_otel as agentops
        from agentops_otel.client import get_client
        agentops.init(auto_start_session=False)
        agentops.start_session(name="before").end_session("Success")
        get_client().flush()
        os.remove("agentops-traces.jsonl")  # log cleanup, or a user tidying up while the agent runs
        agentops.start_session(name="after").end_session("Success")
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert [span["name"] for span in file_spans(tmp_path / "agentops-traces.jsonl")] == ["session after"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a device that is always full)")
def test_a_full_disk_is_one_warning_per_outage_not_a_traceback_per_batch(tmp_path: Path) -> None:
    code = """
        import agentops_otel as agentops
        from agentops_otel.client import get_client
        agentops.init(auto_start_session=False, traces_file="/dev/full")
        for index in range(5):
            agentops.start_session(name=f"s{index}").end_session("Success")
            get_client().flush()  # one batch each
    """
    result = run_script(tmp_path, code, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "agentops-otel" in line]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], result.stderr


def test_a_burst_with_a_healthy_exporter_loses_no_span(tmp_path: Path) -> None:
    code = """
        import agentops_otel as agentops
        from opentelemetry import trace
        agentops.init(auto_start_session=False)
        tracer = trace.get_tracer("app")
        for index in range(2000):
            with agentops.start_session() as session:
                for step in range(10):
                    tracer.start_span("step").end()
    """
    result = run_script(tmp_path, code, {"AGENTOPS_QUIET": "1"}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "dropping spans" not in result.stderr
    assert len(file_spans(tmp_path / "agentops-traces.jsonl")) == 2000 * 11


def test_a_deleted_metrics_file_is_created_again(tmp_path: Path) -> None:
    code = """
        import os
        import agentops_otel as agentops
        from agentops_otel.client import get_client
        agentops.init(auto_start_session=False)
        agentops.start_session(name="before").end_session("Success")
        get_client().meter_provider.force_flush()
        os.remove("agentops-metrics.jsonl")
        agentops.start_session(name="after").end_session("Success")
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    metrics = tmp_path / "agentops-metrics.jsonl"
    assert metrics.exists() and '"resourceMetrics"' in metrics.read_text()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a device that is always full)")
def test_a_full_disk_for_metrics_is_one_warning_not_a_traceback_per_export(tmp_path: Path) -> None:
    code = """
        import agentops_otel as agentops
        from agentops_otel.client import get_client
        agentops.init(auto_start_session=False)
        for index in range(3):
            agentops.start_session(name=f"s{index}").end_session("Success")
            get_client().meter_provider.force_flush()
    """
    result = run_script(tmp_path, code, {"AGENTOPS_QUIET": "1", "AGENTOPS_METRICS_FILE": "/dev/full"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "agentops-otel" in line]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], result.stderr
