"""The self-contained HTML page: the sessions table and a waterfall of each session's spans.

One file with its CSS and JavaScript inline and a Content-Security-Policy that forbids any
network load, so it opens from disk, offline, and can be mailed around. The page's data is one
JSON document in the page; the tree order and bar positions are worked out here (the same
:func:`~agentops_otel.report.model.tree` the text report uses), the script only draws them,
with ``textContent`` so span names and tags can never become markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import resources

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.trace import StatusCode

from .. import attributes as attrs
from .model import SessionSummary, tree
from .text import cost, format_duration, format_time

MAX_DRAWN_SPANS = 5000
"""Bars drawn per session; past that a browser slows down and the text tree serves better."""
OPEN_BUDGET = 3000
"""Sessions open on load while their bars total fewer than this; the others are drawn when opened."""
_MAX_ERRORS_LISTED = 20
_DETAIL_KEYS = (
    (gen_ai.GEN_AI_REQUEST_MODEL, "model"),
    (gen_ai.GEN_AI_TOOL_NAME, "tool"),
    (gen_ai.GEN_AI_AGENT_NAME, "agent"),
    (gen_ai.GEN_AI_USAGE_INPUT_TOKENS, "input tokens"),
    (gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS, "output tokens"),
    (attrs.LLM_COST_USD, "cost USD"),
)


def page(sessions: Sequence[SessionSummary], source: str) -> str:
    """The whole HTML document for `sessions` (newest first) read from `source`."""
    data = {
        "source": source,
        "spans": sum(len(summary.roots) + len(summary.spans) for summary in sessions),
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "open_budget": OPEN_BUDGET,
        "sessions": [_session(summary) for summary in sessions],
    }
    # In a <script> element only "</script" or "<!--" could end the data early; escape every "<".
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    template = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    title = html.escape(f"agentops-otel report: {source}")
    return template.replace("__TITLE__", title, 1).replace("__DATA__", payload, 1)


def _session(summary: SessionSummary) -> dict[str, object]:
    roll_ups = summary.roll_ups
    rows = tree(summary)
    total = max(summary.end_ns - summary.start_ns, 1)
    failed = [row.span for row in rows if row.span.status.status_code is StatusCode.ERROR and row.depth]
    return {
        "id": summary.session_id,
        "state": summary.state,
        "reason": summary.reason,
        "tags": summary.tags,
        "started": format_time(summary.start_ns),
        "duration": format_duration(summary.duration_s),
        "llm": int(roll_ups[attrs.SESSION_LLM_CALLS]),
        "tools": int(roll_ups[attrs.SESSION_TOOL_CALLS]),
        "actions": int(roll_ups[attrs.SESSION_ACTIONS]),
        "errors": int(roll_ups[attrs.SESSION_ERRORS]),
        "tokens_in": int(roll_ups[attrs.SESSION_INPUT_TOKENS]),
        "tokens_out": int(roll_ups[attrs.SESSION_OUTPUT_TOKENS]),
        "cost": cost(roll_ups),
        "failed": [[span.name, span.status.description or "failed"] for span in failed[:_MAX_ERRORS_LISTED]],
        "spans": [_bar(row.span, row.depth, summary.start_ns, total) for row in rows[:MAX_DRAWN_SPANS]],
        "hidden": max(len(rows) - MAX_DRAWN_SPANS, 0),
    }


def _bar(span: ReadableSpan, depth: int, session_start: int, total: int) -> list[object]:
    """One waterfall row: name, depth, kind, status, left %, width %, duration, tooltip."""
    start, end = (span.start_time or 0) - session_start, (span.end_time or 0) - session_start
    is_root = (span.attributes or {}).get(attrs.SESSION_END_STATE) is not None
    status = span.status.status_code.name.lower()
    return [
        span.name,
        depth,
        "session" if is_root else span.kind.name.lower(),
        status,
        round(start / total * 100, 3),
        round(max(end - start, 0) / total * 100, 3),
        format_duration((end - start) / 1e9),
        _detail(span, status),
    ]


def _detail(span: ReadableSpan, status: str) -> str:
    """The tooltip: kind, status and the GenAI figures worth a glance."""
    span_attributes = span.attributes or {}
    lines = [span.name, f"{span.kind.name.lower()} span, status {status}"]
    if span.status.description:
        lines.append(span.status.description)
    lines.extend(f"{label}: {span_attributes[key]!s}" for key, label in _DETAIL_KEYS if key in span_attributes)
    return "\n".join(lines)
