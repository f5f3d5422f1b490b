"""Whole-trace snapshots: exactly what one call of each provider emits, spans, ids and times included.

A reader opens ``snapshots/<provider>.json`` to see the trace a call makes; a change in what we
emit shows up as a diff there. Ids are deterministic (the SDK's and our id generator draw from
``random``, seeded here), and so are times (the SDK's clock is replaced by one that ticks 1 ms
per reading). Only what the test server makes up differs from run to run: its port and the
response id, shown as ``<port>`` and ``<response id>``.

After a deliberate change, rewrite the files with ``AGENTOPS_UPDATE_SNAPSHOTS=1 python -m pytest
tests/instrumentation/test_snapshots.py`` and review the diff.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan

import agentops_otel as agentops
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER

SNAPSHOTS = Path(__file__).parent / "snapshots"
_VOLATILE = {"server.port": "<port>", "gen_ai.response.id": "<response id>"}


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's span clock, ticking 1 ms per reading from 2026-01-01T00:00:00Z."""
    ticks = itertools.count(1_767_225_600_000_000_000, 1_000_000)
    monkeypatch.setattr("opentelemetry.sdk.trace.time_ns", lambda: next(ticks))


def _span(span: ReadableSpan) -> dict[str, object]:
    attributes = {key: _VOLATILE.get(key, value) for key, value in sorted((span.attributes or {}).items())}
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": f"{span.context.trace_id:032x}",
        "span_id": f"{span.context.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "start_time_unix_nano": span.start_time,
        "end_time_unix_nano": span.end_time,
        "status": {"code": span.status.status_code.name, "description": span.status.description},
        "attributes": {key: list(value) if isinstance(value, tuple) else value for key, value in attributes.items()},
        "events": [{"name": event.name, "attributes": dict(event.attributes or {})} for event in span.events],
    }


def _trace(spans: list[ReadableSpan]) -> str:
    return json.dumps([_span(span) for span in spans], indent=2, ensure_ascii=False) + "\n"


def _check(name: str, spans: list[ReadableSpan]) -> None:
    path = SNAPSHOTS / f"{name}.json"
    emitted = _trace(spans)
    if os.environ.get("AGENTOPS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(emitted)
    assert emitted == path.read_text(), f"{path.name} differs from what a call emits now (see the module docstring)"


def _one_session(llm: LLM, call: Callable[[], object]) -> list[ReadableSpan]:
    random.seed(20261203)
    agentops.configure(capture_content=True)
    try:
        with agentops.start_session(tags=["snapshot"]) as session:
            call()
            session.end_session("Success")
    finally:
        agentops.configure(capture_content=False)
    return llm.recorded.spans


@pytest.fixture
def llm_with_clock(llm: LLM, fixed_clock: None) -> Iterator[LLM]:
    yield llm


def test_openai_chat_completion(llm_with_clock: LLM) -> None:
    llm = llm_with_clock
    spans = _one_session(
        llm, lambda: llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, temperature=0.2)
    )
    _check("openai_chat", spans)


def test_anthropic_message(llm_with_clock: LLM) -> None:
    llm = llm_with_clock
    spans = _one_session(
        llm,
        lambda: llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, system="Be brief."),
    )
    _check("anthropic_messages", spans)
