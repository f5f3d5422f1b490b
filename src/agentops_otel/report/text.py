"""Plain-text output: the sessions table, and one session's span tree as a waterfall.

Plain text on purpose (no ``rich``): a fixed-width table and a tree need nothing more, the output
pipes into ``grep`` and files unchanged, and the HTML page is where colour earns its place.
Box-drawing characters are used only where the output's encoding can show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from opentelemetry.trace import StatusCode

from .. import attributes as attrs
from ..stats import format_cost
from .kinds import span_kind
from .model import ROLL_UPS, Score, SessionSummary, TreeRow, tree
from .unattributed import HINT, Unattributed

_COLUMNS = (
    "SESSION", "USER", "STARTED", "STATE", "DURATION", "LLM", "TOOLS", "ERRORS", "TOKENS IN/OUT", "COST", "TAGS"
)  # fmt: skip
_UNATTRIBUTED_COLUMNS = ("NAME", "STARTED", "PROVIDER/MODEL", "TOKENS IN/OUT", "COST", "TRACE")
_RIGHT_ALIGNED = frozenset({"DURATION", "LLM", "TOOLS", "ERRORS", "TOKENS IN/OUT", "COST"})
_UNATTRIBUTED_SHOWN = 20
"""Unattributed spans listed under the table; ``--outside`` shows every one."""
_NAME_WIDTH = 48
_KIND_WIDTH = 9
_BAR_WIDTH = 40
_FANCY = {"bar": "\u2588", "tee": "\u251c\u2500 ", "last": "\u2514\u2500 ", "pipe": "\u2502  ", "more": "\u2026"}
_PLAIN = {"bar": "#", "tee": "|- ", "last": "`- ", "pipe": "|  ", "more": "~"}


def can_draw(encoding: str | None) -> bool:
    """Whether text in `encoding` can carry the box-drawing characters."""
    try:
        "".join(_FANCY.values()).encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def format_duration(seconds: float) -> str:
    """A duration short enough for a column: 0.12 ms, 340 ms, 3.2 s, 4m 05s, 2h 07m."""
    if seconds < 0.01:
        return f"{seconds * 1e3:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes < 60 else f"{minutes // 60}h {minutes % 60:02d}m"


def format_time(unix_nano: int) -> str:
    """A start time in the reader's local time zone."""
    return datetime.fromtimestamp(unix_nano / 1e9).strftime("%Y-%m-%d %H:%M:%S") if unix_nano else "-"


def plural(count: float, noun: str) -> str:
    """``1 tool call``, ``2 tool calls``."""
    return f"{count:.0f} {noun}{'' if count == 1 else 's'}"


def cost(roll_ups: Mapping[str, float]) -> str:
    """The cost of `roll_ups`: dollars, or unknown where calls had no price (:func:`format_cost`)."""
    return format_cost(
        roll_ups[attrs.SESSION_COST_USD],
        roll_ups[attrs.SESSION_LLM_CALLS],
        roll_ups[attrs.SESSION_UNPRICED_LLM_CALLS],
    )


def table(sessions: Sequence[SessionSummary]) -> str:
    """The sessions as aligned columns, a totals line, and the unattributed spans (calls no session owns)."""
    every = [summary.roll_ups for summary in sessions]
    totals = {name: sum(roll_ups[name] for roll_ups in every) for name in ROLL_UPS}
    outside = next((summary for summary in sessions if summary.is_outside), None)
    spans_outside = outside.span_count if outside else 0
    count = plural(len(sessions) - (outside is not None), "session")
    unattributed = outside.unattributed if outside else Unattributed()
    footer = ", ".join(
        (
            f"{count} and {plural(spans_outside, 'span')} outside sessions" if outside else count,
            plural(totals[attrs.SESSION_LLM_CALLS], "LLM call"),
            plural(totals[attrs.SESSION_INPUT_TOKENS] + totals[attrs.SESSION_OUTPUT_TOKENS], "token"),
            cost(totals),
        )
    )
    if unattributed.count:
        footer += f"; {plural(unattributed.count, 'unattributed span')} (listed below)"
    text = _aligned(_COLUMNS, [_row(summary) for summary in sessions]) + f"\n{footer}\n"
    return text + (_unattributed(unattributed) if unattributed.count else "")


def _aligned(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A header and `rows` in columns as wide as their widest cell, numbers right-aligned."""
    widths = [max(len(column), *(len(row[index]) for row in rows)) for index, column in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if column in _RIGHT_ALIGNED else cell.ljust(width)
            for column, cell, width in zip(columns, cells, widths, strict=True)
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), *(line(row) for row in rows)]) + "\n"


def _unattributed(unattributed: Unattributed) -> str:
    """The spans no session owns, earliest first, with the one-line fix."""
    shown = unattributed.in_start_order()[:_UNATTRIBUTED_SHOWN]
    rows = [
        [entry.name, format_time(entry.start_ns), entry.provider_model, entry.tokens, entry.cost, entry.trace_id]
        for entry in shown
    ]
    more = unattributed.count - len(shown)
    tail = f"... and {more} more: --outside shows every span outside sessions\n" if more else ""
    heading = f"Unattributed: {plural(unattributed.count, 'span')} no session owns. {HINT}"
    return f"\n{heading}\n" + _aligned(_UNATTRIBUTED_COLUMNS, rows) + tail


def _row(summary: SessionSummary) -> list[str]:
    roll_ups = summary.roll_ups
    tags = (
        f"{plural(summary.span_count, 'span')}: --outside lists them" if summary.is_outside else ", ".join(summary.tags)
    )
    return [
        summary.session_id,
        summary.user_id or "-",
        format_time(summary.start_ns),
        summary.state,
        "-" if summary.is_outside else format_duration(summary.duration_s),
        f"{roll_ups[attrs.SESSION_LLM_CALLS]:.0f}",
        f"{roll_ups[attrs.SESSION_TOOL_CALLS]:.0f}",
        f"{roll_ups[attrs.SESSION_ERRORS]:.0f}",
        _tokens(roll_ups, "/"),
        cost(roll_ups),
        tags,
    ]


def _tokens(roll_ups: dict[str, float], between: str) -> str:
    return f"{roll_ups[attrs.SESSION_INPUT_TOKENS]:.0f}{between}{roll_ups[attrs.SESSION_OUTPUT_TOKENS]:.0f}"


def session_tree(summary: SessionSummary, fancy: bool = True) -> str:
    """A header with the session's totals, then every span with its duration and a timeline bar."""
    glyphs = _FANCY if fancy else _PLAIN
    roll_ups = summary.roll_ups
    reason = f" ({summary.reason})" if summary.reason else ""
    lines = [
        "Spans outside sessions" if summary.is_outside else f"Session {summary.session_id}",
        f"  {plural(summary.span_count, 'span')}, the first started {format_time(summary.start_ns)}"
        if summary.is_outside
        else f"  {summary.state}{reason}, started {format_time(summary.start_ns)}, "
        f"{format_duration(summary.duration_s)}, user: {summary.user_id or '-'}, "
        f"tags: {', '.join(summary.tags) or '-'}",
        "  "
        + ", ".join(
            (
                plural(roll_ups[attrs.SESSION_LLM_CALLS], "LLM call"),
                plural(roll_ups[attrs.SESSION_TOOL_CALLS], "tool call"),
                plural(roll_ups[attrs.SESSION_ACTIONS], "action"),
                plural(roll_ups[attrs.SESSION_ERRORS], "error"),
                f"tokens {_tokens(roll_ups, ' in / ')} out",
                f"cost {cost(roll_ups)}",
            )
        ),
        *(f"  score {_score_text(score)}" for score in summary.scores),
        "",
    ]
    rows = tree(summary)
    total = max(summary.end_ns - summary.start_ns, 1)
    for row, prefix in zip(rows, _prefixes(rows, glyphs), strict=True):
        span = row.span
        start, end = (span.start_time or 0) - summary.start_ns, (span.end_time or 0) - summary.start_ns
        label = prefix + span.name
        if len(label) > _NAME_WIDTH:
            label = label[: _NAME_WIDTH - 1] + glyphs["more"]
        left = min(int(start / total * _BAR_WIDTH), _BAR_WIDTH - 1)
        length = max(1, min(round((end - start) / total * _BAR_WIDTH), _BAR_WIDTH - left))
        bar = " " * left + glyphs["bar"] * length + " " * (_BAR_WIDTH - left - length)
        error = span.status.status_code is StatusCode.ERROR
        note = f"  ERROR: {span.status.description or 'failed'}" if error else ""
        kind = span_kind(span.attributes or {}).label
        duration = format_duration((end - start) / 1e9)
        lines.append(f"{label.ljust(_NAME_WIDTH)} {kind:<{_KIND_WIDTH}} {duration:>9} |{bar}|{note}")
    return "\n".join(lines) + "\n"


def _score_text(score: Score) -> str:
    """``helpfulness: 0.8 good (why)`` on one line: the explanation's line breaks become spaces."""
    explanation = " ".join(score.explanation.split())
    return f"{score.name}: {score.shown}" + (f" ({explanation})" if explanation else "")


def _prefixes(rows: Sequence[TreeRow], glyphs: dict[str, str]) -> list[str]:
    """Tree connectors for each row, worked out from the end: a line continues where a sibling follows."""
    prefixes = [""] * len(rows)
    continuing: list[bool] = []
    for index in range(len(rows) - 1, -1, -1):
        depth = rows[index].depth
        del continuing[depth + 1 :]  # deeper levels below belonged to a later sibling's subtree
        continuing.extend([False] * (depth + 1 - len(continuing)))
        if depth:
            ancestors = "".join(glyphs["pipe"] if continuing[level] else "   " for level in range(1, depth))
            prefixes[index] = ancestors + (glyphs["tee"] if continuing[depth] else glyphs["last"])
        continuing[depth] = True
    return prefixes
