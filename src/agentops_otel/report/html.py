"""The self-contained HTML page: sessions to filter, sort and chart, each span's details and chat.

One file with its CSS and JavaScript inline (``page.html``, ``page.css``, ``page.js``) and a
Content-Security-Policy that forbids any network load, so it opens from disk, offline, and can be
mailed around. The page's data is one JSON document in the page; the tree order and bar
positions are worked out here (the same :func:`~agentops_otel.report.model.tree` the text report
uses), the script only draws them, with ``textContent`` so nothing from a span (names, tags,
attributes, captured messages) can ever become markup. ``serve`` sends the same page with
``live`` set: it then may fetch fresh data from the server that sent it, and nothing else.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import resources

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from .. import attributes as attrs
from .kinds import span_kind
from .model import SessionSummary, tree
from .text import cost, format_duration, format_time
from .unattributed import HINT, Unattributed

_LIVE_POLICY = " connect-src 'self';"
"""What the live page (``serve``) may load besides itself: fresh data from the server that sent it."""
MAX_DRAWN_SPANS = 5000
"""Bars drawn per session; past that a browser slows down and the text tree serves better."""
OPEN_BUDGET = 3000
"""Sessions open on load while their bars total fewer than this; the others are drawn when opened."""
_MAX_ERRORS_LISTED = 20
_PARTS = ("page.html", "page.css", "page.js")


def page(sessions: Sequence[SessionSummary], source: str, *, live: bool = False, version: int = 0) -> str:
    """The whole HTML document for `sessions` (newest first) read from `source`; `live` for ``serve``."""
    files = resources.files(__package__)
    template, style, script = (files.joinpath(name).read_text(encoding="utf-8") for name in _PARTS)
    title = html.escape(f"agentops-otel report: {source}")
    return (
        template.replace("__POLICY__", _LIVE_POLICY if live else "", 1)
        .replace("__TITLE__", title, 1)
        .replace("__STYLE__", style, 1)
        .replace("__SCRIPT__", script, 1)
        .replace("__DATA__", payload(sessions, source, live=live, version=version), 1)
    )


def payload(sessions: Sequence[SessionSummary], source: str, *, live: bool = False, version: int = 0) -> str:
    """The page's data as JSON safe to put inside a ``<script>`` element (``serve`` sends it alone too)."""
    outside = next((summary for summary in sessions if summary.is_outside), None)
    data = {
        "source": source,
        "spans": sum(len(summary.roots) + len(summary.spans) for summary in sessions),
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "open_budget": OPEN_BUDGET,
        "live": live,
        "version": version,
        "sessions": [_session(summary) for summary in sessions],
        "unattributed": _unattributed(outside.unattributed if outside else Unattributed()),
    }
    # In a <script> element only "</script" or "<!--" could end the data early; escape every "<".
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=list).replace("<", "\\u003c")


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
        "user": summary.user_id,
        "scores": [[score.name, score.shown, score.explanation] for score in summary.scores],
        "started": format_time(summary.start_ns),
        "start_ms": summary.start_ns // 1_000_000,
        "duration": format_duration(summary.duration_s),
        "duration_s": round(summary.duration_s, 6),
        "llm": int(roll_ups[attrs.SESSION_LLM_CALLS]),
        "tools": int(roll_ups[attrs.SESSION_TOOL_CALLS]),
        "actions": int(roll_ups[attrs.SESSION_ACTIONS]),
        "errors": int(roll_ups[attrs.SESSION_ERRORS]),
        "tokens_in": int(roll_ups[attrs.SESSION_INPUT_TOKENS]),
        "tokens_out": int(roll_ups[attrs.SESSION_OUTPUT_TOKENS]),
        "cost": cost(roll_ups),
        "cost_usd": roll_ups[attrs.SESSION_COST_USD],
        "failed": [[span.name, span.status.description or "failed"] for span in failed[:_MAX_ERRORS_LISTED]],
        "spans": [_bar(row.span, row.depth, summary.start_ns, total) for row in rows[:MAX_DRAWN_SPANS]],
        "hidden": max(len(rows) - MAX_DRAWN_SPANS, 0),
    }


def _unattributed(unattributed: Unattributed) -> dict[str, object]:
    """The spans no session owns: their count, the fix, and a row per kept span, earliest first."""
    return {
        "count": unattributed.count,
        "hint": HINT,
        "rows": [
            [
                entry.name,
                format_time(entry.start_ns),
                entry.provider_model,
                entry.tokens,
                entry.cost,
                entry.trace_id,
                entry.span_id,
            ]
            for entry in unattributed.in_start_order()
        ],
    }


def _bar(span: ReadableSpan, depth: int, session_start: int, total: int) -> list[object]:
    """One waterfall row: name, depth, kind (:mod:`.kinds`), status, left %, width %, duration, details."""
    start, end = (span.start_time or 0) - session_start, (span.end_time or 0) - session_start
    kind = span_kind(span.attributes or {})
    return [
        span.name,
        depth,
        kind.name,
        span.status.status_code.name.lower(),
        round(start / total * 100, 3),
        round(max(end - start, 0) / total * 100, 3),
        format_duration((end - start) / 1e9),
        _details(span, session_start, kind.label),
    ]


def _details(span: ReadableSpan, session_start: int, label: str) -> dict[str, object]:
    """What the span panel shows: its kind, ids, times, status, every attribute and event, the process and library."""
    return {
        "label": label,
        "span_kind": span.kind.name.lower(),
        "id": f"{span.context.span_id:016x}" if span.context else "",
        "parent": f"{span.parent.span_id:016x}" if span.parent else "",
        "start": round(((span.start_time or 0) - session_start) / 1e6, 3),
        "ms": round(max((span.end_time or 0) - (span.start_time or 0), 0) / 1e6, 3),
        "status": span.status.description or "",
        "attrs": dict(span.attributes or {}),
        "events": [
            [event.name, round((event.timestamp - session_start) / 1e6, 3), dict(event.attributes or {})]
            for event in span.events
        ],
        "scope": span.instrumentation_scope.name if span.instrumentation_scope else "",
        "service": str(span.resource.attributes.get("service.name", "")),
    }
