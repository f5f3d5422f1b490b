"""Integrations (issue 12): each real client and its kept instrumentation against the local LLM server.

Every test here is marked ``integrations``; a module whose client or instrumentation package is
not installed is skipped with the package named (``-rs`` prints it), so the main suite, which
installs none of them, passes them by. ``.ci/integrations.sh`` installs them all.
"""

from __future__ import annotations

import gc
import importlib.util
from collections.abc import Iterator
from decimal import Decimal

import pytest
from opentelemetry.sdk.trace import ReadableSpan

from agentops_otel.pricing import LLM_OPERATIONS
from agentops_otel.session import Session
from tests.conftest import Recorded
from tests.support.llm_server import LLMServer

USER = [{"role": "user", "content": "Say hello"}]
"""The server counts 10 + 2 words = 12 input tokens (6 of them cached) and answers 5 output tokens."""
INPUT_TOKENS, OUTPUT_TOKENS, CACHED_TOKENS = 12, 5, 6


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``integrations``; the packages' own warnings are shown, not errors."""
    for item in items:
        if "tests/integrations/" in item.nodeid:
            item.add_marker(pytest.mark.integrations)
            item.add_marker(pytest.mark.filterwarnings("default"))


def require(*modules: str, suite: str = "integrations") -> None:
    """Skip the calling module unless every one of `modules` is installed, naming the missing ones."""
    missing = [module for module in modules if not installed(module)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (.ci/{suite}.sh installs them)", allow_module_level=True)


def installed(module: str) -> bool:
    """Whether `module` can be imported (without importing it: some clients take a second)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


@pytest.fixture(autouse=True)
def _collect_what_the_packages_drop() -> Iterator[None]:
    """Collect garbage within the test: event loops a package dropped unclosed warn here, not at exit."""
    yield
    gc.collect()


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def llm_spans(recorded: Recorded) -> list[ReadableSpan]:
    return [span for span in recorded.spans if (span.attributes or {}).get("gen_ai.operation.name") in LLM_OPERATIONS]


def assert_counted_once(
    recorded: Recorded, session: Session, cost: Decimal, calls: int, provider: str, priced: bool = True
) -> None:
    """Each of `calls` model calls: one GenAI span under the session, its tokens and cost in the roll-ups once."""
    root = recorded.one("session")
    spans = llm_spans(recorded)
    for span in spans:
        attributes = span.attributes or {}
        assert span.context.trace_id == root.context.trace_id
        assert span.parent is not None
        assert attributes["session.id"] == session.session_id
        assert attributes["gen_ai.provider.name"] == provider
        assert attributes["gen_ai.request.model"]
    parents = {span.parent.span_id for span in spans if span.parent is not None}
    counted = [span for span in spans if span.context.span_id not in parents]  # the innermost span is the call
    assert len(counted) == calls, [span.name for span in spans]
    rollups = root.attributes or {}
    assert rollups["agentops.session.llm_calls"] == calls
    assert rollups["agentops.session.input_tokens"] == INPUT_TOKENS * calls
    assert rollups["agentops.session.output_tokens"] == OUTPUT_TOKENS * calls
    if not priced:
        assert all("agentops.llm.cost_usd" not in (span.attributes or {}) for span in spans)
        assert rollups["agentops.session.unpriced_llm_calls"] == calls
        assert cost == 0
        return
    expected = sum(Decimal(repr((span.attributes or {})["agentops.llm.cost_usd"])) for span in counted)
    assert expected > 0
    assert cost == expected
