"""Failed calls: the caller gets the client's own exception, the span says ERROR; telemetry never fails a call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import openai
import pytest
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import StatusCode

from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER

ERRORS = ["400", "429", "500", "malformed", "cut"]


def openai_call(llm: LLM, error: str, stream: bool) -> Any:
    result = llm.openai.chat.completions.create(
        model=OPENAI_MODEL, messages=USER, stream=stream, extra_headers={"x-test-error": error}
    )
    return list(result) if stream else result


def anthropic_call(llm: LLM, error: str, stream: bool) -> Any:
    result = llm.anthropic.messages.create(
        model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=stream, extra_headers={"x-test-error": error}
    )
    return list(result) if stream else result


def raised(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("the call did not fail")


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("make_call", [openai_call, anthropic_call], ids=["openai", "anthropic"])
def test_the_caller_sees_the_clients_own_exception(
    llm: LLM, make_call: Callable[[LLM, str, bool], Any], error: str, stream: bool
) -> None:
    with suppress_instrumentation():
        plain = raised(lambda: make_call(llm, error, stream))
    assert llm.llm_spans() == []

    traced = raised(lambda: make_call(llm, error, stream))

    assert type(traced) is type(plain)
    assert getattr(traced, "status_code", None) == getattr(plain, "status_code", None)
    span = llm.one_llm_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == type(traced).__qualname__
    assert [event.name for event in span.events] == ["exception"]


class FailingExporter(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        raise RuntimeError("collector exploded")

    def shutdown(self) -> None:
        pass


def test_an_exporter_failure_mid_call_is_only_logged(llm: LLM, caplog: pytest.LogCaptureFixture) -> None:
    llm.recorded.provider.add_span_processor(SimpleSpanProcessor(FailingExporter()))
    with caplog.at_level(logging.ERROR):
        completion = llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        chunks = list(llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True))
    assert completion.choices[0].message.content == "Hello from the test server"
    assert len(chunks) == 7
    assert "collector exploded" in caplog.text


@pytest.mark.parametrize(
    ("target", "doing", "span_expected"),
    [
        ("agentops_otel.instrumentation.openai.patch.chat_request", "starting an LLM span", False),
        ("agentops_otel.instrumentation.call.cost_usd", "describing an LLM response", True),
    ],
)
def test_a_bug_in_our_code_is_logged_and_the_call_goes_on(
    llm: LLM,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    target: str,
    doing: str,
    span_expected: bool,
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bug in telemetry")

    monkeypatch.setattr(target, broken)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # the guard logs instead of re-raising, as in production
    with caplog.at_level(logging.ERROR, logger="agentops_otel"):
        completion = llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    assert completion.choices[0].message.content  # the caller's call succeeded
    [record] = [record for record in caplog.records if record.name == "agentops_otel"]
    assert f"internal error while {doing}" in record.getMessage()
    assert record.exc_info is not None and str(record.exc_info[1]) == "bug in telemetry"
    spans = llm.llm_spans()
    if span_expected:  # the response could not be described, but its span still ended
        assert len(spans) == 1 and spans[0].end_time is not None
        assert "agentops.llm.cost_usd" not in (spans[0].attributes or {})
    else:  # no span could start: the call ran untraced
        assert spans == []


class Unprintable(BaseException):
    """An application exception whose ``__str__`` raises (BaseException: the client lets it through)."""

    def __str__(self) -> str:
        raise RuntimeError("no text for this one")


def test_an_exception_whose_str_raises_passes_through_and_the_llm_span_still_ends(llm: LLM) -> None:
    def broken_transport(request: httpx.Request) -> httpx.Response:
        raise Unprintable()

    client = openai.OpenAI(
        base_url=llm.server.openai_base_url,
        api_key="test",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(broken_transport)),
    )
    with pytest.raises(Unprintable):
        client.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    span = llm.one_llm_span()  # before the fix: never ended, never exported
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "Unprintable"
