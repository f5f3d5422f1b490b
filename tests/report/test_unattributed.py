"""Calls no session owns are listed by the report, with the fix (issue 12 item 5), on runs of the real SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_otel.pricing import cost_usd
from agentops_otel.report.reading import SpanFile
from agentops_otel.usage import Usage
from tests.report.conftest import run_report
from tests.report.framework_run import MANY_UNATTRIBUTED, UNATTRIBUTED
from tests.support.scripts import run_script

HINT = (
    "Make these calls inside `with session:` or in a function wrapped by `session.wrap(...)`, "
    "so their session counts them."
)


def traces_of(directory: Path, script: str) -> Path:
    result = run_script(directory, script, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    return directory / "agentops-traces.jsonl"


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sessions running, a call with neither in context; a call in one; a call after both ended."""
    return traces_of(tmp_path_factory.mktemp("unattributed"), UNATTRIBUTED)


def test_the_run_marks_only_the_call_made_while_two_sessions_ran(traces: Path) -> None:
    spans = {span.name: span.attributes or {} for span in SpanFile(traces).spans()}
    assert spans["chat lost"].get("agentops.session.unattributed") is True
    assert "session.id" not in spans["chat lost"] and "session.id" not in spans["chat with no session"]
    assert "agentops.session.unattributed" not in spans["chat with no session"]  # no session ran: nothing to join
    assert "session.id" in spans["chat owned"]


def test_the_table_lists_them_with_the_fix_and_counts_them(traces: Path) -> None:
    result = run_report(traces)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    footer = lines.index("") + 1
    assert lines[footer].startswith("2 sessions and 2 spans outside sessions, 3 LLM calls, ")
    assert lines[footer].endswith("; 2 unattributed spans (listed below)")
    assert lines[footer + 1 :] == [
        "",
        f"Unattributed: 2 spans no session owns. {HINT}",
        *lines[footer + 3 : footer + 6],
    ]
    assert lines[footer + 3].split() == ["NAME", "STARTED", "PROVIDER/MODEL", "TOKENS", "IN/OUT", "COST", "TRACE"]
    trace_ids = {span.name: f"{span.context.trace_id:032x}" for span in SpanFile(traces).spans() if span.context}
    price = cost_usd("groq", "llama-3.1-8b-instant", Usage(input=100, output=20))
    assert price is not None
    for line, name in zip(lines[footer + 4 :], ("chat lost", "chat with no session"), strict=True):
        assert line.startswith(name + " ")  # earliest first; "chat owned" is its session's
        cells = line[len(name) :].split()
        assert cells[2:] == ["groq/llama-3.1-8b-instant", "100/20", f"${price:.6f}", trace_ids[name]]


def test_filters_that_leave_out_spans_outside_sessions_leave_out_the_list(traces: Path) -> None:
    result = run_report(traces, "--state", "Success")
    assert "Unattributed" not in result.stdout and "unattributed" not in result.stdout
    assert len(result.stdout.splitlines()) == 1 + 2 + 2  # header, two sessions, blank, totals


def test_a_long_list_shows_the_first_twenty_and_says_how_to_see_all(tmp_path: Path) -> None:
    result = run_report(traces_of(tmp_path, MANY_UNATTRIBUTED))
    lines = result.stdout.splitlines()
    heading = lines.index(f"Unattributed: 25 spans no session owns. {HINT}")
    assert [line.split()[1] for line in lines[heading + 2 : heading + 22]] == [str(index) for index in range(20)]
    assert lines[heading + 22 :] == ["... and 5 more: --outside shows every span outside sessions"]
    assert lines[heading - 2].endswith("; 25 unattributed spans (listed below)")
