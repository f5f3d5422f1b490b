"""Plain-text formatting: durations, plurals, encodings that cannot draw boxes, the table layout."""

from __future__ import annotations

import pytest

from agentops_otel.report.model import build
from agentops_otel.report.text import can_draw, format_duration, plural, session_tree, table
from tests.report.conftest import make_span


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.000123, "0.12 ms"), (0.34, "340 ms"), (3.21, "3.2 s"), (245, "4m 05s"), (7620, "2h 07m")],
)
def test_durations_fit_a_column(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_plurals() -> None:
    assert [plural(n, "tool call") for n in (0, 1, 2)] == ["0 tool calls", "1 tool call", "2 tool calls"]


def test_box_drawing_only_where_the_encoding_has_it() -> None:
    assert can_draw("utf-8")
    assert not can_draw("ascii")
    assert not can_draw(None)
    assert not can_draw("no-such-codec")


def test_a_session_without_a_root_is_listed_with_counts_from_its_spans() -> None:
    spans = [
        make_span("chat m", 1, attributes={"session.id": "abc", "gen_ai.operation.name": "chat",
                                           "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 2,
                                           "agentops.llm.cost_usd": 0.0001}),
        make_span("execute_tool t", 2, 1, attributes={"session.id": "abc", "gen_ai.operation.name": "execute_tool"},
                  error="boom"),
    ]  # fmt: skip
    summary = build(spans, keep=lambda _session_id: True).sessions[0]
    _header, row, _blank, footer = table([summary]).splitlines()
    assert row.split()[0] == "abc" and "running/unknown" in row
    assert row.split()[-4:] == ["1", "1", "5/2", "$0.000100"]  # tools, errors, tokens, cost
    assert footer == "1 session, 1 LLM call, 7 tokens, $0.000100"
    tree_lines = session_tree(summary).splitlines()
    assert tree_lines[1].startswith("  running/unknown, started ")
    assert tree_lines[-1].endswith("|  ERROR: boom")
