"""Sessions rebuilt from the spans of a file: summaries for the table, span trees for one session.

A session's numbers come from its root span's roll-ups (the same figures ``get_analytics()``
returned in the process). A root counts only the spans of its own process, so spans of the
session written by other processes (a tool service the session called, which joined it through
baggage) are counted from the file and added. Processes are told apart by their resource
(``service.name``, ``service.instance.id``, ...). A session whose root never reached the file (the
process died while it ran) is still shown, as ``running/unknown``, with its numbers counted from
the child spans that did. Counting is done by the same :class:`~agentops_otel.stats.SessionStats`
the live session uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.util.types import AttributeValue

from .. import attributes as attrs
from ..session import EVALUATION_RESULT
from ..stats import SessionStats
from ..users import USER_ID
from .unattributed import Unattributed

UNKNOWN_STATE = "running/unknown"
OUTSIDE = "(outside sessions)"
"""The id of the pseudo-session holding spans without ``session.id`` (e.g. ``opentelemetry-instrument``
with no session started): shown as a row of its own so their LLM calls and cost are not invisible."""
_Process = frozenset[tuple[str, AttributeValue]]
ROLL_UPS = (
    attrs.SESSION_SPANS,
    attrs.SESSION_LLM_CALLS,
    attrs.SESSION_TOOL_CALLS,
    attrs.SESSION_ACTIONS,
    attrs.SESSION_ERRORS,
    attrs.SESSION_INPUT_TOKENS,
    attrs.SESSION_OUTPUT_TOKENS,
    attrs.SESSION_COST_USD,
    attrs.SESSION_UNPRICED_LLM_CALLS,
)


@dataclass(frozen=True)
class Score:
    """One ``gen_ai.evaluation.result`` of a session: a number, a label or both, and why."""

    name: str
    value: float | None = None
    label: str = ""
    explanation: str = ""

    @property
    def shown(self) -> str:
        """The value and the label as a reader sees them: ``0.8``, ``polite``, ``0.8 pass``."""
        return " ".join(part for part in (f"{self.value:g}" if self.value is not None else "", self.label) if part)

    def to_json(self) -> dict[str, object]:
        """The score as plain JSON values."""
        return {"name": self.name, "value": self.value, "label": self.label, "explanation": self.explanation}


@dataclass
class SessionSummary:
    """One session as the file shows it: its root span(s), and its other spans if they were kept."""

    session_id: str
    roots: list[ReadableSpan] = field(default_factory=list)
    spans: list[ReadableSpan] = field(default_factory=list)
    by_process: dict[_Process, SessionStats] = field(default_factory=dict)
    """Counts of the non-root spans, per process (resource) that wrote them."""
    start_ns: int = 0
    end_ns: int = 0
    user_id: str = ""
    """The session's ``user.id`` (on its every span, so known even without a root); empty for none."""
    unattributed: Unattributed = field(default_factory=Unattributed)
    """Outside sessions only: the LLM calls and unattributed spans among these spans."""

    def add(self, span: ReadableSpan, keep: bool) -> None:
        """Take one span of this session (a root if it carries an end state)."""
        start, end = span.start_time or 0, span.end_time or 0
        self.start_ns = min(self.start_ns, start) if self.start_ns else start
        self.end_ns = max(self.end_ns, end)
        attributes = span.attributes or {}
        if self.is_outside:
            self.unattributed.add(span)
        user_id = attributes.get(USER_ID)
        if not self.user_id and isinstance(user_id, str) and not self.is_outside:
            self.user_id = user_id
        if attributes.get(attrs.SESSION_END_STATE) is not None:
            self.roots.append(span)
            return
        process = _process(span)
        stats = self.by_process.get(process)
        if stats is None:
            stats = self.by_process[process] = SessionStats()
        stats.add(span, attributes)
        if keep:
            self.spans.append(span)

    @property
    def is_outside(self) -> bool:
        """Whether this holds the spans outside any session rather than a session."""
        return self.session_id == OUTSIDE

    @property
    def span_count(self) -> int:
        """The spans of this session (or outside sessions) in the file."""
        return len(self.roots) + sum(stats.spans for stats in self.by_process.values())

    @property
    def state(self) -> str:
        """The end state of the root that ended last; ``running/unknown`` with no root; ``-`` outside sessions."""
        if self.is_outside:
            return "-"
        return str(self._final(attrs.SESSION_END_STATE)) if self.roots else UNKNOWN_STATE

    @property
    def reason(self) -> str:
        """Why it ended as it did (empty when no reason was given)."""
        return str(self._final(attrs.SESSION_END_STATE_REASON) or "")

    @property
    def tags(self) -> list[str]:
        """The tags the session ended with."""
        tags = self._final(attrs.SESSION_TAGS)
        return [str(tag) for tag in tags] if isinstance(tags, (list, tuple)) else []

    @property
    def scores(self) -> list[Score]:
        """The session's scores (``gen_ai.evaluation.result`` events of its roots), in the order given."""
        events = sorted(
            (event for root in self.roots for event in root.events if event.name == EVALUATION_RESULT),
            key=lambda event: event.timestamp,
        )
        return [_score(event.attributes or {}) for event in events]

    def _final(self, name: str) -> AttributeValue | None:
        """An attribute of the root that ended last (None without a root)."""
        if not self.roots:
            return None
        return (max(self.roots, key=lambda root: root.end_time or 0).attributes or {}).get(name)

    @property
    def duration_s(self) -> float:
        """Seconds from the first span's start to the last span's end."""
        return max(self.end_ns - self.start_ns, 0) / 1e9

    @property
    def roll_ups(self) -> dict[str, float]:
        """The session's counts and totals, keyed by the ``agentops.session.*`` roll-up names.

        The roots' roll-ups, plus the spans of processes that had no root of this session to count them.
        """
        counted = {_process(root) for root in self.roots}
        sources: list[dict[str, AttributeValue]] = [dict(root.attributes or {}) for root in self.roots]
        sources.extend(stats.close() for process, stats in self.by_process.items() if process not in counted)
        return {name: sum(_number(source.get(name)) for source in sources) for name in ROLL_UPS}

    def to_json(self) -> dict[str, object]:
        """The summary as plain JSON values, for ``--json``."""
        roll_ups = self.roll_ups
        return {
            "session_id": self.session_id,
            "end_state": self.state,
            "end_state_reason": self.reason,
            "tags": self.tags,
            "user_id": self.user_id,
            "scores": [score.to_json() for score in self.scores],
            "start_time_unix_nano": self.start_ns,
            "duration_s": round(self.duration_s, 6),
            **{name.removeprefix("agentops.session."): roll_ups[name] for name in ROLL_UPS},
        }


@dataclass
class Report:
    """Everything read from one file."""

    sessions: list[SessionSummary]
    span_count: int
    outside: SessionSummary
    """The spans without a ``session.id``, counted as a session would be (:data:`OUTSIDE`)."""


class Sessions:
    """Spans grouped by ``session.id`` as they come: ``report`` adds a file's spans once, ``serve`` keeps adding."""

    def __init__(self, keep: Callable[[str], bool] = lambda _session_id: False) -> None:
        """Keep the non-root spans of the sessions `keep` asks for (:data:`OUTSIDE` too); count the rest."""
        self._keep = keep
        self._sessions: dict[str, SessionSummary] = {}
        self._kept: dict[str, bool] = {}
        self.outside = SessionSummary(OUTSIDE)
        self._keep_outside = keep(OUTSIDE)
        self.span_count = 0

    def add(self, spans: Iterable[ReadableSpan]) -> None:
        """Take `spans` into their sessions."""
        for span in spans:
            self.span_count += 1
            session_id = (span.attributes or {}).get(attrs.SESSION_ID)
            if not isinstance(session_id, str):
                self.outside.add(span, self._keep_outside)
                continue
            summary = self._sessions.get(session_id)
            if summary is None:
                summary = self._sessions[session_id] = SessionSummary(session_id)
                self._kept[session_id] = self._keep(session_id)
            summary.add(span, self._kept[session_id])

    def report(self) -> Report:
        """The sessions so far, newest first."""
        newest_first = sorted(self._sessions.values(), key=lambda summary: summary.start_ns, reverse=True)
        return Report(newest_first, self.span_count, self.outside)


def build(spans: Iterable[ReadableSpan], keep: Callable[[str], bool] = lambda _session_id: False) -> Report:
    """Group spans by ``session.id``; keep the non-root spans of sessions `keep` asks for (:data:`OUTSIDE` too)."""
    sessions = Sessions(keep)
    sessions.add(spans)
    return sessions.report()


@dataclass(frozen=True)
class Filters:
    """``--state``, ``--tag``, ``--since`` and ``--user``; None matches everything."""

    state: str | None = None
    tag: str | None = None
    since_ns: int | None = None
    user_id: str | None = None

    def __call__(self, summary: SessionSummary) -> bool:
        """Whether `summary` passes every filter given."""
        if self.state is not None and self.state.lower() not in (summary.state.lower(), *summary.state.split("/")):
            return False
        if self.tag is not None and self.tag not in summary.tags:
            return False
        if self.user_id is not None and self.user_id != summary.user_id:
            return False
        return self.since_ns is None or summary.start_ns >= self.since_ns


@dataclass(frozen=True)
class TreeRow:
    """One span of a session's tree, in display order."""

    span: ReadableSpan
    depth: int


def tree(summary: SessionSummary) -> list[TreeRow]:
    """The session's spans parent-before-child, siblings by start time.

    Spans whose parent is not in the file (another service's, or lost) start a branch of
    their own at the top, next to the root(s).
    """
    spans = sorted([*summary.roots, *summary.spans], key=lambda span: span.start_time or 0)
    ids = {span.context.span_id for span in spans if span.context}
    children: dict[int, list[ReadableSpan]] = defaultdict(list)
    top: list[ReadableSpan] = []
    for span in spans:
        parent = span.parent.span_id if span.parent else 0  # 0 is never a valid span id
        if parent in ids:
            children[parent].append(span)
        else:
            top.append(span)
    rows: list[TreeRow] = []
    stack = [(span, 0) for span in reversed(top)]  # iterative: a deep chain must not hit the recursion limit
    while stack:
        span, depth = stack.pop()
        rows.append(TreeRow(span, depth))
        span_id = span.context.span_id if span.context else 0
        stack.extend((child, depth + 1) for child in reversed(children.get(span_id, [])))
    return rows


def _process(span: ReadableSpan) -> _Process:
    """What tells the process that wrote `span` from others: its resource's attributes."""
    return frozenset(span.resource.attributes.items())


def _score(event: Mapping[str, AttributeValue]) -> Score:
    """A score from the attributes of its event; what is missing or of another type is left out."""

    def text(key: str) -> str:
        found = event.get(key)
        return found if isinstance(found, str) else ""

    value = event.get(gen_ai.GEN_AI_EVALUATION_SCORE_VALUE)
    return Score(
        text(gen_ai.GEN_AI_EVALUATION_NAME),
        float(value) if _is_number(value) else None,
        text(gen_ai.GEN_AI_EVALUATION_SCORE_LABEL),
        text(gen_ai.GEN_AI_EVALUATION_EXPLANATION),
    )


def _is_number(value: AttributeValue | None) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: AttributeValue | None) -> float:
    return value if _is_number(value) else 0
