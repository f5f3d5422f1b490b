"""init() costs no client import: an LLM client is instrumented when the application imports it (#17 item 25).

Real subprocesses, since this test process has imported both clients long ago.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.scripts import run_script

SCRIPT = """
    import sys
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    import agentops_otel as agentops

    spans = InMemorySpanExporter()
    agentops.init(exporter=spans, auto_start_session=False)
    print("imported at init:", sorted(name for name in ("openai", "anthropic") if name in sys.modules))
    {before_import}
    import openai
    client = openai.OpenAI(base_url="{url}", api_key="test", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}])
    agentops.shutdown()
    print("llm spans:", sum(span.name.startswith("chat ") for span in spans.get_finished_spans()))
"""


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.mark.parametrize(
    ("before_import", "llm_spans"),
    [("pass", 1), ("agentops.stop_instrumenting()", 0)],
    ids=["instrumented-on-import", "stopped-before-import"],
)
def test_a_client_is_instrumented_when_imported_not_at_init(
    tmp_path: Path, llm_server: LLMServer, before_import: str, llm_spans: int
) -> None:
    code = SCRIPT.format(url=llm_server.openai_base_url, before_import=before_import)
    result = run_script(tmp_path, code, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    assert "imported at init: []" in result.stdout
    assert f"llm spans: {llm_spans}" in result.stdout


def test_a_client_imported_after_shutdown_is_not_instrumented(tmp_path: Path, llm_server: LLMServer) -> None:
    code = SCRIPT.format(url=llm_server.openai_base_url, before_import="agentops.shutdown()")
    result = run_script(tmp_path, code, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    assert "llm spans: 0" in result.stdout
