"""The integrations registry (issue 12 item 1), with fake client and instrumentation packages.

Each test writes a fake ``groq`` client and fake instrumentation packages under the names the
table gives (``openinference.instrumentation.groq``, ``.cohere``, ``.mistralai``) into a
directory on ``PYTHONPATH``, then runs a real program in a real subprocess: real import
machinery, the real client, the real SDK.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.scripts import run_script

PACKAGES = {
    "groq/__init__.py": """
        class Client:
            def chat(self, model):
                return "answer from " + model
    """,
    "openinference/__init__.py": "",
    "openinference/instrumentation/__init__.py": """
        class TraceConfig:
            def __init__(self, **options):
                self.options = options
    """,
    # Records groq calls as a kept instrumentation does: a span from the provider it is handed.
    "openinference/instrumentation/groq/__init__.py": """
        import groq
        from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

        class GroqInstrumentor(BaseInstrumentor):
            def instrumentation_dependencies(self):
                return ()

            def _instrument(self, tracer_provider, config, **kwargs):
                assert config.options["enable_genai_semconv"] is True
                tracer = tracer_provider.get_tracer("openinference.instrumentation.groq")
                original = self._original = groq.Client.chat

                def chat(client, model):
                    with tracer.start_as_current_span("ChatCompletion", attributes={
                        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "groq",
                        "gen_ai.request.model": model}) as span:
                        result = original(client, model)
                        span.set_attributes({"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20})
                        return result

                groq.Client.chat = chat

            def _uninstrument(self, **kwargs):
                groq.Client.chat = self._original
    """,
    "cohere/__init__.py": "",
    "openinference/instrumentation/cohere/__init__.py": """
        from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

        class CohereInstrumentor(BaseInstrumentor):
            def instrumentation_dependencies(self):
                return ()

            def _instrument(self, **kwargs):
                raise RuntimeError("cohere 9 changed everything")

            def _uninstrument(self, **kwargs):
                pass
    """,
    "mcp/__init__.py": "",
    # Patches modules the client's own __init__ binds, so it must be on before the client is imported.
    "openinference/instrumentation/mcp/__init__.py": """
        import sys
        from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

        class MCPInstrumentor(BaseInstrumentor):
            def instrumentation_dependencies(self):
                return ()

            def _instrument(self, **kwargs):
                print("mcp context on before mcp is imported:", "mcp" not in sys.modules)

            def _uninstrument(self, **kwargs):
                pass
    """,
    "mistralai/client/__init__.py": "",  # the instrumentation waits for mistralai.client, as in mistralai 2+
    "openinference/instrumentation/mistralai/__init__.py": "from mistralai.v1 import Chat  # gone in this release\n",
}

SCRIPT = """
    import sys
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    import agentops_otel as agentops

    spans = InMemorySpanExporter()
    session = agentops.init(exporter=spans)
    print("imported at init:", "groq" in sys.modules)
    import cohere, mistralai.client, groq
    {before_call}
    print(groq.Client().chat("llama-3.1-8b-instant"))
    print("cost positive:", session.end_session("Success") > 0)
    agentops.shutdown()
    print("uninstrumented:", groq.Client.chat.__name__ == "chat" and groq.Client.chat.__module__ == "groq")
    root = next(span for span in spans.get_finished_spans() if span.name == "session")
    for span in spans.get_finished_spans():
        if span.name == "ChatCompletion":
            print("llm span under root:", span.parent.span_id == root.context.span_id,
                  span.attributes["session.id"] == session.session_id, span.attributes["agentops.llm.cost_usd"] > 0)
    print("llm calls:", root.attributes.get("agentops.session.llm_calls", 0))
"""


def run(tmp_path: Path, env: dict[str, str] | None = None, before_call: str = "pass") -> tuple[str, str]:
    packages = tmp_path / "site"
    for name, code in PACKAGES.items():
        path = packages / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    result = run_script(
        tmp_path,
        SCRIPT.format(before_call=before_call),
        {"PYTHONPATH": str(packages), "AGENTOPS_QUIET": "1", **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def test_an_installed_integration_is_turned_on_when_its_client_is_imported_and_records_in_the_session(
    tmp_path: Path,
) -> None:
    stdout, _ = run(tmp_path)
    assert "imported at init: False" in stdout
    assert "answer from llama-3.1-8b-instant" in stdout
    assert "llm span under root: True True True" in stdout
    assert "llm calls: 1" in stdout
    assert "cost positive: True" in stdout  # end_session() returns the integration's cost
    assert "uninstrumented: True" in stdout  # shutdown() turned it off again


def test_an_instrumentation_that_patches_the_clients_own_imports_is_on_before_the_client_is_imported(
    tmp_path: Path,
) -> None:
    stdout, _ = run(tmp_path)
    assert "mcp context on before mcp is imported: True" in stdout


def test_a_failing_instrumentation_gives_one_warning_naming_it_and_the_rest_stay_on(tmp_path: Path) -> None:
    stdout, stderr = run(tmp_path)
    assert stderr.count("Not recording cohere calls") == 1
    assert "cohere 9 changed everything" in stderr
    assert stderr.count("Not recording mistralai calls") == 1
    assert "openinference.instrumentation.mistralai" in stderr
    assert "llm calls: 1" in stdout  # groq still recorded


@pytest.mark.parametrize(
    "env",
    [
        {"AGENTOPS_INSTRUMENTS": "openai,cohere"},
        {"OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "groq"},
    ],
    ids=["subset-without-groq", "groq-disabled"],
)
def test_a_subset_or_the_disabled_list_leaves_an_integration_off(tmp_path: Path, env: dict[str, str]) -> None:
    stdout, _ = run(tmp_path, env)
    assert "llm calls: 0" in stdout
    assert "llm span under root" not in stdout


def test_a_subset_turns_on_only_those_named(tmp_path: Path) -> None:
    stdout, stderr = run(tmp_path, {"AGENTOPS_INSTRUMENTS": "groq"})
    assert "llm calls: 1" in stdout
    assert "cohere" not in stderr  # not chosen: not even imported


def test_stop_instrumenting_turns_integrations_off(tmp_path: Path) -> None:
    stdout, _ = run(tmp_path, before_call="agentops.stop_instrumenting()")
    assert "llm calls: 0" in stdout


def test_an_unknown_name_is_refused_up_front() -> None:
    import agentops_otel as agentops

    with pytest.raises(agentops.InvalidArgumentError, match="'gemini'"):
        agentops.init(instruments=["gemini"], exporter="none")
