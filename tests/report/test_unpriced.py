"""A call to a model with no known price: its cost is shown as unknown, never as a free $0.000000."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.report.conftest import run_report
from tests.report.test_html import CHROMIUM, Elements, chromium
from tests.support.scripts import run_script

UNPRICED_RUN = """
import agentops_otel as agentops

agentops.init(auto_start_session=False)
unpriced = agentops.start_session(["unpriced"])
unpriced.record(agentops.LLMEvent(model="house-model", prompt_tokens=10, completion_tokens=5))
print("unpriced", unpriced.session_id, unpriced.end_session("Success"))
mixed = agentops.start_session(["mixed"])
mixed.record(agentops.LLMEvent(model="house-model", prompt_tokens=10, completion_tokens=5))
mixed.record(agentops.LLMEvent(model="gpt-4o-mini", prompt_tokens=420, completion_tokens=96, cost=0.00012))
print("mixed", mixed.session_id, mixed.end_session("Success"))
free = agentops.start_session(["no-llm"])
free.record(agentops.ToolEvent(name="search"))
print("no-llm", free.session_id, free.end_session("Success"))
"""


@pytest.fixture(scope="module")
def unpriced_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    """The spans file of the run, its session ids by tag, and what it wrote to stderr."""
    directory = tmp_path_factory.mktemp("unpriced")
    result = run_script(directory, UNPRICED_RUN)
    assert result.returncode == 0, result.stderr
    ids = {tag: session_id for tag, session_id, _cost in (line.split() for line in result.stdout.splitlines())}
    return directory / "agentops-traces.jsonl", ids, result.stderr


def test_the_stderr_summary_says_the_cost_is_unknown(unpriced_run: tuple[Path, dict[str, str], str]) -> None:
    _, ids, stderr = unpriced_run
    lines = {tag: next(line for line in stderr.splitlines() if session_id in line) for tag, session_id in ids.items()}
    assert lines["unpriced"].endswith(", 1 LLM call, cost unknown")
    assert lines["mixed"].endswith(", 2 LLM calls, cost $0.000120 + unknown")
    assert re.search(r", \d+ spans$", lines["no-llm"])


def test_the_table_and_json_show_unknown_costs(unpriced_run: tuple[Path, dict[str, str], str]) -> None:
    traces, ids, _ = unpriced_run
    table = run_report(traces)
    assert table.returncode == 0, table.stderr
    rows = {tag: next(line for line in table.stdout.splitlines() if line.startswith(sid)) for tag, sid in ids.items()}
    assert "unknown" in rows["unpriced"] and "$" not in rows["unpriced"]
    assert "$0.000120 + unknown" in rows["mixed"]
    assert "$0.000000" in rows["no-llm"]
    assert table.stdout.splitlines()[-1] == "3 sessions, 3 LLM calls, 546 tokens, $0.000120 + unknown"
    by_id = {session["session_id"]: session for session in json.loads(run_report(traces, "--json").stdout)}
    assert by_id[ids["unpriced"]]["unpriced_llm_calls"] == 1 and by_id[ids["mixed"]]["unpriced_llm_calls"] == 1
    tree = run_report(traces, "--session", ids["unpriced"]).stdout
    assert "1 LLM call, 0 tool calls, 0 actions, 0 errors, tokens 10 in / 5 out, cost unknown" in tree


def test_the_page_shows_unknown_costs(unpriced_run: tuple[Path, dict[str, str], str], tmp_path: Path) -> None:
    traces, _, _ = unpriced_run
    page = tmp_path / "report.html"
    assert run_report(traces, "--html", page).returncode == 0
    data = page.read_text()
    assert data.count('"cost":"unknown"') == 1 and data.count('"cost":"$0.000120 + unknown"') == 1
    if not CHROMIUM.exists():
        pytest.skip("drawing the page needs Debian's chromium (apt-get install chromium) at /usr/bin/chromium")
    result = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    cells = Elements(result.stdout).text
    assert "unknown" in cells and "$0.000120 + unknown" in cells and "cost unknown" in cells
