"""examples/frameworks/*.py run on a fresh machine: no API key, the local test server, a priced session."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integrations.conftest import installed
from tests.support.scripts import script_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "frameworks"
NEEDS = {
    "openai_agents.py": ("agents", "opentelemetry.instrumentation.genai.openai_agents"),
    "langgraph_agent.py": ("langgraph", "langchain_openai", "opentelemetry.instrumentation.genai.langchain"),
    "pydantic_ai_agent.py": ("pydantic_ai", "openai"),
    "mcp_tools.py": ("mcp.server.mcpserver", "openinference.instrumentation.mcp"),
    "llama_index_agent.py": ("llama_index.llms.openai", "opentelemetry.instrumentation.genai.llama_index"),
    "crewai_crew.py": ("crewai", "openinference.instrumentation.crewai"),
    "autogen_swarm.py": ("autogen_ext.models.openai", "openinference.instrumentation.autogen_agentchat"),
    "smolagents_agent.py": ("smolagents", "openinference.instrumentation.smolagents"),
    "google_adk_agent.py": ("google.adk", "openinference.instrumentation.google_adk"),
}
# A delegating tool (PydanticAI), a handoff tool (LlamaIndex, AutoGen) or the final-answer tool
# (smolagents) or a transfer (ADK) is a third tool call.
TOOL_CALLS = {
    "pydantic_ai_agent.py": 3,
    "llama_index_agent.py": 3,
    "autogen_swarm.py": 3,
    "smolagents_agent.py": 3,
    "google_adk_agent.py": 3,
}


@pytest.mark.parametrize("example", sorted(NEEDS))
def test_example_runs_against_the_local_server(example: str, tmp_path: Path) -> None:
    missing = [module for module in NEEDS[example] if not installed(module)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example)],
        cwd=tmp_path,
        env=script_env({"AGENTOPS_EXPORTER": "none", "OPENAI_API_KEY": ""}),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Hello from the test server" in done.stdout
    if example != "mcp_tools.py":  # the model calls are the MCP server's, in its own process
        cost = re.search(r"cost \$([0-9.]+),", done.stdout)
        assert cost is not None and Decimal(cost[1]) > 0, done.stdout  # priced, not zero
    assert f"'Tool calls': {TOOL_CALLS.get(example, 2)}" in done.stdout, done.stdout


def test_every_example_is_run_here() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(NEEDS)
