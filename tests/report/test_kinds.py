"""Span kinds (issue 13 item 6): what each span is to a reader, from GenAI and OpenInference attributes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from agentops_otel.report.kinds import Kind, span_kind
from tests.report.conftest import run_report
from tests.report.framework_run import FRAMEWORK, FRAMEWORK_SPANS, TURNS
from tests.support.scripts import run_script

OPERATION = "gen_ai.operation.name"
OPENINFERENCE = "openinference.span.kind"


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ({OPERATION: "invoke_agent"}, Kind("agent", "agent")),
        ({OPERATION: "create_agent"}, Kind("agent", "agent")),
        ({OPERATION: "execute_tool"}, Kind("tool", "tool")),
        *(({OPERATION: name}, Kind("llm", "LLM")) for name in ("chat", "text_completion", "generate_content")),
        ({OPERATION: "embeddings"}, Kind("llm", "LLM")),
        ({OPENINFERENCE: "AGENT"}, Kind("agent", "agent")),
        ({OPENINFERENCE: "TOOL"}, Kind("tool", "tool")),
        ({OPENINFERENCE: "LLM"}, Kind("llm", "LLM")),
        ({OPENINFERENCE: "EMBEDDING"}, Kind("llm", "LLM")),
        ({OPENINFERENCE: "CHAIN"}, Kind("other", "chain")),
        ({OPENINFERENCE: "RETRIEVER"}, Kind("other", "retriever")),
        ({OPERATION: "chat", OPENINFERENCE: "CHAIN"}, Kind("llm", "LLM")),  # the GenAI operation says more
        ({OPERATION: "invoke_workflow", OPENINFERENCE: "AGENT"}, Kind("agent", "agent")),
        ({OPERATION: "invoke_workflow"}, Kind("other", "workflow")),
        ({"agentops.session.end_state": "Success"}, Kind("session", "session")),
        ({"http.request.method": "POST"}, Kind("other", "other")),
    ],
)
def test_the_kind_of_a_span(attributes: dict[str, str], kind: Kind) -> None:
    assert span_kind(attributes) == kind


@pytest.fixture(scope="module")
def framework(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One session of FRAMEWORK_SPANS spans: chains, agents, retrievers, tools and LLM calls, nested."""
    directory = tmp_path_factory.mktemp("framework")
    result = run_script(directory, FRAMEWORK, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    return directory / "agentops-traces.jsonl"


def test_the_tree_shows_each_spans_kind(framework: Path) -> None:
    session_id = json.loads(run_report(framework, "--json").stdout)[0]["session_id"]
    result = run_report(framework, "--session", session_id)
    assert result.returncode == 0, result.stderr
    spans = result.stdout.splitlines()[4:]
    assert len(spans) == FRAMEWORK_SPANS
    assert Counter(line[49:58].rstrip() for line in spans) == {
        "session": 1,
        "chain": TURNS,
        "agent": TURNS,
        "retriever": TURNS,
        "tool": 2 * TURNS,
        "LLM": 3 * TURNS,
    }
    assert [(line[:48].rstrip(), line[49:58].rstrip()) for line in spans[:9]] == [
        ("session", "session"),
        ("\u251c\u2500 RunnableSequence", "chain"),
        ("\u2502  \u2514\u2500 invoke_agent planner", "agent"),  # GenAI's agent
        ("\u2502     \u251c\u2500 VectorStoreRetriever", "retriever"),
        ("\u2502     \u251c\u2500 execute_tool search", "tool"),
        ("\u2502     \u2502  \u2514\u2500 chat llama-3.1-8b-instant", "LLM"),
        ("\u2502     \u251c\u2500 execute_tool search", "tool"),
        ("\u2502     \u2502  \u2514\u2500 chat llama-3.1-8b-instant", "LLM"),
        ("\u2502     \u2514\u2500 ChatOpenAI", "LLM"),  # OpenInference's LLM
    ]
    assert spans[10][:48].rstrip().endswith("AgentExecutor") and spans[10][49:58].rstrip() == "agent"  # OpenInference's
