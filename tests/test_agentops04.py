"""AgentOps 0.4 code on our sessions: its example scripts against the local LLM server, traces, end states.

The example tests follow AgentOps 0.4's own ``examples/openai``, ``examples/anthropic`` and
``examples/litellm`` scripts call for call (our code, written from what they do): ``init`` with
``trace_name``, ``start_trace``, LLM calls, ``end_trace``, ``validate_trace_spans``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import anthropic
import openai
import pytest
from opentelemetry.trace import StatusCode

import agentops_otel as agentops
from tests.conftest import Recorded
from tests.support.llm_server import LLMServer

MESSAGES = [{"role": "user", "content": "Write a 12 word poem about secret agents."}]


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.fixture
def example(recorded: Recorded) -> Iterator[Recorded]:
    """What an example script starts with: ``init(auto_start_session=True, trace_name=..., tags=...)``."""
    agentops.shutdown()
    agentops.init(
        tracer_provider=recorded.provider, exporter="none", trace_name="OpenAI Example", tags=["agentops-example"]
    )
    yield recorded


def _openai(server: LLMServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0)


def _root(recorded: Recorded, name: str) -> dict[str, object]:
    return dict(recorded.one(name).attributes or {})


def _llm_spans_in(recorded: Recorded, trace: agentops.TraceContext) -> list[str]:
    return [
        span.name
        for span in recorded.spans
        if span.context.trace_id == trace.session.trace_id and span.kind.name == "CLIENT"
    ]


# --- the example scripts ------------------------------------------------------------------------


def test_openai_sync_example(example: Recorded, llm_server: LLMServer) -> None:
    tracer = agentops.start_trace(trace_name="OpenAI Sync Example", tags=["openai-sync-example"])
    with _openai(llm_server) as client:
        response = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    assert response.choices[0].message.content
    agentops.end_trace(tracer, end_state="Success")
    result = agentops.validate_trace_spans(trace_context=tracer)
    assert result["has_llm_spans"] and result["llm_calls"] == 1
    assert result["metrics"]["prompt_tokens"] > 0
    root = _root(example, "session OpenAI Sync Example")
    assert root["agentops.session.end_state"] == "Success"
    assert root["agentops.session.tags"] == ("agentops-example", "openai-sync-example")
    assert _llm_spans_in(example, tracer) == ["chat gpt-4o-mini"]
    # init()'s own trace is still running, named by trace_name, and got none of it.
    init_session = agentops.current_session()
    assert init_session is not None and init_session.stats.llm_calls == 0
    assert init_session.span.name == "session OpenAI Example"  # type: ignore[attr-defined]


def test_openai_async_and_stream_example(example: Recorded, llm_server: LLMServer) -> None:
    tracer = agentops.start_trace(trace_name="OpenAI Async Example", tags=["openai-async-example"])

    async def main() -> None:
        async with openai.AsyncOpenAI(base_url=llm_server.openai_base_url, api_key="t", max_retries=0) as client:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
            stream = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=MESSAGES,  # type: ignore[arg-type]
                stream=True,
            )
            text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
            assert text == "Hello from the test server"

    asyncio.run(main())
    agentops.end_trace(tracer, end_state="Success")
    assert agentops.validate_trace_spans(trace_context=tracer)["llm_calls"] == 2
    assert _llm_spans_in(example, tracer) == ["chat gpt-4o-mini", "chat gpt-4o-mini"]


def test_anthropic_sync_example(recorded: Recorded, llm_server: LLMServer, capsys: pytest.CaptureFixture[str]) -> None:
    agentops.shutdown()
    agentops.init(tracer_provider=recorded.provider, exporter="none", auto_start_session=False)
    tracer = agentops.start_trace(trace_name="Anthropic Sync Example", tags=["anthropic-example"])
    with anthropic.Anthropic(base_url=llm_server.base_url, api_key="test", max_retries=0) as client:
        client.messages.create(model="claude-sonnet-4-20250514", max_tokens=64, messages=MESSAGES)  # type: ignore[arg-type]
        with client.messages.create(
            model="claude-sonnet-4-20250514",
            max_tokens=64,
            messages=MESSAGES,  # type: ignore[arg-type]
            stream=True,
        ) as stream:
            for _event in stream:
                pass
    agentops.end_trace(tracer, end_state="Success")
    result = agentops.validate_trace_spans(trace_context=tracer)
    agentops.print_validation_summary(result)
    assert result["llm_calls"] == 2
    assert "LLM calls: 2" in capsys.readouterr().out


# litellm imports modules lazily during a call, and some warn (pydantic); that is not what this tests.
@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
def test_litellm_example(recorded: Recorded, llm_server: LLMServer) -> None:
    litellm = pytest.importorskip("litellm", reason="litellm is not installed (pip install litellm to run this)")
    agentops.shutdown()
    agentops.init(tracer_provider=recorded.provider, exporter="none", auto_start_session=False)
    tracer = agentops.start_trace(trace_name="LiteLLM Example", tags=["litellm-example"])
    litellm.completion(
        model="openai/gpt-4o-mini", messages=MESSAGES, api_base=llm_server.openai_base_url, api_key="test"
    )
    agentops.end_trace(tracer, end_state="Success")
    assert agentops.validate_trace_spans(trace_context=tracer)["llm_calls"] == 1


def test_validation_error_when_the_trace_made_no_llm_call(recorded: Recorded) -> None:
    tracer = agentops.start_trace("quiet")
    agentops.end_trace(tracer)
    with pytest.raises(agentops.ValidationError, match="No LLM activity"):
        agentops.validate_trace_spans(trace_context=tracer, min_spans=0)
    with pytest.raises(agentops.ValidationError, match="0 span"):
        agentops.validate_trace_spans(trace_context=tracer, check_llm=False)
    assert issubclass(agentops.ValidationError, agentops.AgentOpsError)


def test_validate_by_trace_id_in_either_spelling(recorded: Recorded) -> None:
    tracer = agentops.start_trace("by id")
    with tracer.session:
        tracer.session.record(agentops.LLMEvent(model="gpt-4o-mini", prompt_tokens=3, completion_tokens=2))
        for trace_id in (tracer.trace_id, tracer.session.session_id):
            result = agentops.validate_trace_spans(trace_id=trace_id)
            assert result["metrics"]["total_tokens"] == 5
        assert agentops.validate_trace_spans()["session_id"] == tracer.session.session_id  # the one in context


# --- traces are sessions: the single/multi rules --------------------------------------------------


def test_start_trace_makes_its_session_current_and_end_trace_restores(recorded: Recorded) -> None:
    first = agentops.start_trace("first")
    second = agentops.start_trace("second")
    assert agentops.current_session() is second.session
    with pytest.raises(agentops.MultiSessionException):
        agentops.add_tags(["x"])  # module functions stay strict with two traces running
    agentops.end_trace(second)
    assert agentops.current_session() is first.session
    agentops.end_trace(first)
    assert agentops.current_session() is None


def test_end_trace_without_a_context_ends_every_running_trace(recorded: Recorded) -> None:
    traces = [agentops.start_trace(f"t{index}") for index in range(3)]
    plain = agentops.start_session()
    agentops.end_trace()
    assert [trace.session.end_state for trace in traces] == ["Success"] * 3
    assert plain.end_state == "Success"


def test_update_trace_metadata(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    assert agentops.update_trace_metadata({"k": "v"}) is False  # no trace running
    tracer = agentops.start_trace("meta", tags={"team": "search"})
    assert agentops.update_trace_metadata({"stage": "plan", "n": 2, "models": ["a", "b"], "bad": object()})
    agentops.end_trace(tracer)
    root = _root(recorded, "session meta")
    assert root["trace.metadata.team"] == "search"
    assert (root["trace.metadata.stage"], root["trace.metadata.n"]) == ("plan", 2)
    assert root["trace.metadata.models"] == '["a", "b"]'
    assert "trace.metadata.bad" not in root and "'bad'" in caplog.text


def test_trace_context_as_a_with_block(recorded: Recorded) -> None:
    with agentops.start_trace("ok") as tracer:
        assert agentops.current_session() is tracer.session
    with pytest.raises(RuntimeError), agentops.start_trace("boom"):
        raise RuntimeError("no")
    assert recorded.one("session ok").status.status_code is StatusCode.OK
    boom = recorded.one("session boom")
    assert (boom.status.status_code, boom.status.description) == (StatusCode.ERROR, "RuntimeError: no")


# --- every end-state form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end_state", "expected"),
    [
        (agentops.TraceState.SUCCESS, "Success"),
        (agentops.SUCCESS, "Success"),
        (agentops.ERROR, "Fail"),
        (agentops.UNSET, "Indeterminate"),
        (StatusCode.OK, "Success"),
        (StatusCode.ERROR, "Fail"),
        ("Success", "Success"),
        ("Indeterminate", "Indeterminate"),
        ("Fail", "Fail"),
        ("ERROR", "Fail"),
        (agentops.EndState.FAIL, "Fail"),
    ],
)
def test_end_trace_states(recorded: Recorded, end_state: object, expected: str) -> None:
    tracer = agentops.start_trace("t")
    agentops.end_trace(tracer, end_state=end_state)  # type: ignore[arg-type]
    assert tracer.session.end_state == expected


def test_an_unknown_end_state_names_both_generations(recorded: Recorded) -> None:
    tracer = agentops.start_trace("t")
    with pytest.raises(agentops.InvalidArgumentError, match=r"'Success'.*'SUCCESS'"):
        agentops.end_trace(tracer, end_state="Done")
    assert tracer.session.end_state is None


def test_end_session_forms_of_both_generations(recorded: Recorded) -> None:
    one = agentops.start_session()
    agentops.end_session("Fail", "no answer")  # 0.3, positional
    assert (one.end_state, one.end_state_reason) == ("Fail", "no answer")
    two = agentops.start_session()
    agentops.end_session(end_state="Indeterminate", end_state_reason="r", video="v.mp4")  # 0.3, keywords
    assert two.end_state == "Indeterminate"
    three = agentops.start_session()
    agentops.end_session()  # 0.4: Success by default
    assert three.end_state == "Success"
    a, b = agentops.start_session(), agentops.start_session()
    agentops.end_session(a, end_state="Fail")  # 0.4: a session first, works with two running
    agentops.end_session(b)
    assert (a.end_state, b.end_state) == ("Fail", "Success")
    with pytest.raises(agentops.NoSessionException):
        agentops.end_session("Success")


# --- decorators: one test per kind ---------------------------------------------------------------


def test_trace_decorator_makes_each_call_a_session(recorded: Recorded) -> None:
    @agentops.trace
    def run(x: int) -> int:
        assert agentops.current_session() is not None
        return x

    @agentops.session(name="named", tags=["t"])
    async def arun() -> None:
        raise ValueError("bad")

    assert run(1) == 1
    with pytest.raises(ValueError, match="bad"):
        asyncio.run(arun())
    assert _root(recorded, "session run")["agentops.session.end_state"] == "Success"
    failed = _root(recorded, "session named")
    assert failed["agentops.session.end_state"] == "Indeterminate"  # what 0.4 does for an exception
    assert failed["agentops.session.end_state_reason"] == "ValueError: bad"
    assert failed["agentops.session.tags"] == ("t",)
    assert [event.name for event in recorded.one("session named").events] == ["exception"]


def test_trace_decorator_on_generators_lasts_the_iteration(recorded: Recorded) -> None:
    @agentops.trace
    def numbers() -> Iterator[int]:
        yield 1
        yield 2

    @agentops.trace()
    async def letters():  # type: ignore[no-untyped-def]
        yield "a"

    async def consume() -> list[str]:
        return [letter async for letter in letters()]

    assert list(numbers()) == [1, 2]
    assert asyncio.run(consume()) == ["a"]
    assert _root(recorded, "session numbers")["agentops.session.end_state"] == "Success"
    assert _root(recorded, "session letters")["agentops.session.end_state"] == "Success"


def test_track_endpoint_is_a_session_per_request(recorded: Recorded) -> None:
    @agentops.track_endpoint(name="GET /hello")
    def hello() -> str:
        return "hi"

    assert hello() == "hi"
    assert _root(recorded, "session GET /hello")["agentops.session.end_state"] == "Success"


def test_agent_decorator_on_class_and_function(recorded: Recorded) -> None:
    @agentops.agent
    class Researcher:
        def run(self) -> str:
            return self.step()

        def step(self) -> str:
            return "done"

    @agentops.agent(name="writer")
    def write() -> None:
        pass

    with agentops.start_trace("agents") as tracer:
        assert Researcher().run() == "done"
        write()
    spans = {span.name: span for span in recorded.spans if span.context.trace_id == tracer.session.trace_id}
    assert {"invoke_agent Researcher", "invoke_agent writer"} <= set(spans)
    assert spans["invoke_agent writer"].attributes["gen_ai.agent.name"] == "writer"  # type: ignore[index]


def test_tool_decorator_with_cost(recorded: Recorded) -> None:
    @agentops.tool(cost=0.25)
    def search(query: str) -> str:
        return query

    @agentops.tool
    async def fetch() -> int:
        return 1

    with agentops.start_session() as session:
        search("otel")
        asyncio.run(fetch())
    tool = recorded.one("execute_tool search")
    assert tool.attributes["agentops.tool.cost_usd"] == 0.25  # type: ignore[index]
    assert tool.attributes["agentops.span.kind"] == "tool"  # type: ignore[index]
    assert tool.attributes["session.id"] == session.session_id  # type: ignore[index]
    assert session.get_analytics()["Tool calls"] == 2


@pytest.mark.parametrize("kind", ["task", "operation", "workflow", "guardrail"])
def test_action_kinds(recorded: Recorded, kind: str) -> None:
    decorator = getattr(agentops, kind)

    @decorator(name="step", version=2, tags={"stage": "one"}, spec="input")
    def step() -> int:
        return 1

    @decorator
    def gen() -> Iterator[int]:
        yield 1

    with agentops.start_session() as session:
        assert step() == 1 and list(gen()) == [1]
    span = recorded.one("step")
    expected_kind = "task" if kind == "operation" else kind
    assert span.kind.name == "INTERNAL"
    assert span.attributes["agentops.span.kind"] == expected_kind  # type: ignore[index]
    assert span.attributes["agentops.operation.version"] == "2"  # type: ignore[index]
    assert span.attributes["agentops.span.tags"] == ("stage:one",)  # type: ignore[index]
    assert ("agentops.guardrail.spec" in (span.attributes or {})) is (kind == "guardrail")
    assert recorded.one("gen").attributes["agentops.span.kind"] == expected_kind  # type: ignore[index]
    assert session.get_analytics()["Actions"] == 2


def test_action_decorator_on_a_class_wraps_its_public_methods(recorded: Recorded) -> None:
    @agentops.task
    class Pipeline:
        def load(self) -> int:
            return 1

        def _private(self) -> int:
            return 2

    with agentops.start_session():
        Pipeline().load()
        Pipeline()._private()
    assert [span.name for span in recorded.spans if span.name != "session"] == ["load"]


def test_entity_decorators_follow_the_multi_session_rules(recorded: Recorded) -> None:
    @agentops.tool
    def search() -> None:
        pass

    @agentops.agent
    def helper() -> None:
        pass

    first, second = agentops.start_session(), agentops.start_session()
    with pytest.raises(agentops.MultiSessionException):
        search()
    helper()  # an agent never raises: a plain span
    with second:
        search()
    assert recorded.one("execute_tool search").attributes["session.id"] == second.session_id  # type: ignore[index]
    first.end_session("Success")


def test_trace_decorator_on_a_class_makes_each_public_method_call_a_session(recorded: Recorded) -> None:
    @agentops.trace(tags=["job"])
    class Job:
        def run(self, value: int) -> int:
            agentops.record(agentops.ToolEvent(name="step"))  # the module function finds the one session
            return value * 2

        def _helper(self) -> None:
            pass

    job = Job()
    assert job.run(2) == 4
    assert job.run(3) == 6
    job._helper()
    roots = recorded.named("session run")
    assert len(roots) == 2  # one session per call, none for the private method
    assert all(root.attributes["agentops.session.end_state"] == "Success" for root in roots)  # type: ignore[index]
    assert all(root.attributes["agentops.session.tags"] == ("job",) for root in roots)  # type: ignore[index]
    assert len(recorded.named("execute_tool step")) == 2


def test_init_accepts_every_keyword_of_both_generations(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    agentops.shutdown()
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        session = agentops.init(
            api_key="key",
            parent_key="parent",
            endpoint="https://api.agentops.ai",
            app_url="https://app.agentops.ai",
            exporter_endpoint="https://otlp.agentops.ai/v1/traces",
            log_session_replay_url=True,
            max_wait_time=1000,
            max_queue_size=10,
            tags=["old"],
            default_tags=["new"],
            trace_name="run",
            instrument_llm_calls=True,
            auto_start_session=True,
            auto_init=True,
            skip_auto_end_session=False,
            env_data_opt_out=True,
            fail_safe=True,
            log_level="INFO",
            tracer_provider=recorded.provider,
            exporter="none",
        )
    server_warnings = [record for record in caplog.records if "AgentOps server" in record.getMessage()]
    assert len(server_warnings) == 1
    assert "endpoint=..., parent_key=..., app_url=..., exporter_endpoint=..., log_session_replay_url=..." in (
        server_warnings[0].getMessage()
    )
    assert session is not None and session.tags == ["new", "old"]
    assert session.span.name == "session run"  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="'made_up'"):
        agentops.init(made_up=1)
