"""Sessions rebuilt from spans: crashed sessions, continued sessions, trees, filters."""

from __future__ import annotations

import json
from pathlib import Path

from agentops_otel.report.model import UNKNOWN_STATE, Filters, SessionSummary, build, tree
from agentops_otel.report.text import session_tree
from tests.report.conftest import make_span, run_report
from tests.support.scripts import run_script

SESSION = {"session.id": "s-1"}


def test_a_session_whose_process_was_killed_is_running_unknown_with_counted_children(tmp_path: Path) -> None:
    result = run_script(
        tmp_path,
        """
        import os, signal
        from opentelemetry import trace
        import agentops_otel as agentops

        session = agentops.init()
        session.record(agentops.ToolEvent(name="search"))
        session.record(agentops.LLMEvent(model="m", prompt_tokens=7, completion_tokens=2, cost=0.25))
        session.record(agentops.ErrorEvent(error_type="Timeout", details="slow"))
        trace.get_tracer_provider().force_flush()
        print(session.session_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no exit handler runs: the root span is never written
        """,
    )
    session_id = result.stdout.strip()
    report = json.loads(run_report(tmp_path / "agentops-traces.jsonl", "--json").stdout)
    assert [(s["session_id"], s["end_state"]) for s in report] == [(session_id, UNKNOWN_STATE)]
    counts = {key: report[0][key] for key in ("tool_calls", "llm_calls", "errors", "input_tokens", "output_tokens")}
    assert counts == {"tool_calls": 1, "llm_calls": 1, "errors": 1, "input_tokens": 7, "output_tokens": 2}
    assert report[0]["cost_usd"] == 0.25
    assert run_report(tmp_path / "agentops-traces.jsonl", "--state", "running", "--json").stdout.count(session_id) == 1


def test_a_continued_session_is_one_session_with_both_parts(tmp_path: Path) -> None:
    result = run_script(
        tmp_path,
        """
        import agentops_otel as agentops

        agentops.init(auto_start_session=False)
        first = agentops.start_session(["part-1"])
        first.record(agentops.ToolEvent(name="search"))
        first.end_session("Indeterminate")
        second = agentops.start_session(["part-2"], inherited_session_id=first.session_id)
        second.record(agentops.ToolEvent(name="search"))
        second.end_session("Success")
        print(first.session_id)
        """,
    )
    assert result.returncode == 0, result.stderr
    (session,) = json.loads(run_report(tmp_path / "agentops-traces.jsonl", "--json").stdout)
    assert session["session_id"] == result.stdout.strip()
    assert (session["end_state"], session["tags"], session["tool_calls"]) == ("Success", ["part-2"], 2)


def test_tree_puts_children_under_parents_by_start_time_and_orphans_at_the_top() -> None:
    root = make_span("session", 1, end_ms=10, attributes={**SESSION, "agentops.session.end_state": "Fail"})
    summary = build(
        [
            make_span("late child", 3, 1, start_ms=5, attributes=SESSION),
            make_span("grandchild", 4, 2, start_ms=2, attributes=SESSION),
            make_span("early child", 2, 1, start_ms=1, attributes=SESSION),
            make_span("orphan", 5, 99, start_ms=3, attributes=SESSION),
            root,
        ],
        keep=lambda _session_id: True,
    ).sessions[0]
    assert [(row.span.name, row.depth) for row in tree(summary)] == [
        ("session", 0),
        ("early child", 1),
        ("grandchild", 2),
        ("late child", 1),
        ("orphan", 0),
    ]
    assert summary.state == "Fail"
    text = session_tree(summary, fancy=False)
    assert [line[:48].rstrip() for line in text.splitlines()[4:]] == [
        "session",
        "|- early child",
        "|  `- grandchild",
        "`- late child",
        "orphan",
    ]


def test_a_very_deep_tree_does_not_hit_the_recursion_limit() -> None:
    spans = [make_span(f"level {i}", i + 1, i or None, start_ms=i, attributes=SESSION) for i in range(5000)]
    rows = tree(build(spans, keep=lambda _session_id: True).sessions[0])
    assert len(rows) == 5000 and rows[-1].depth == 4999


def test_spans_are_kept_only_for_the_sessions_asked_for() -> None:
    spans = [make_span("a", 1, attributes={"session.id": "keep"}), make_span("b", 2, attributes={"session.id": "drop"})]
    read = build(spans, keep=lambda session_id: session_id == "keep")
    kept = {summary.session_id: len(summary.spans) for summary in read.sessions}
    assert kept == {"keep": 1, "drop": 0}
    assert all(summary.roll_ups["agentops.session.spans"] == 1 for summary in read.sessions)


def test_filters_match_state_tag_and_start() -> None:
    root_attributes = {"agentops.session.end_state": "Success", "agentops.session.tags": ("a", "b")}
    ended = SessionSummary("s", roots=[make_span("session", 1, attributes=root_attributes)], start_ns=1_000)
    running = SessionSummary("r", start_ns=5_000)
    assert Filters(state="success")(ended) and not Filters(state="Fail")(ended)
    assert Filters(state="running")(running) and Filters(state="unknown")(running)
    assert Filters(tag="b")(ended) and not Filters(tag="c")(ended) and not Filters(tag="a")(running)
    assert Filters(since_ns=2_000)(running) and not Filters(since_ns=2_000)(ended)
