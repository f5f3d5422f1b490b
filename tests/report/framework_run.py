"""Runs recorded by the real SDK for the report's kinds and unattributed tests.

Framework spans come through the tracer provider the integrations are handed
(``foreign.SessionTracerProvider``), as a kept instrumentation's would: GenAI ones carry
``gen_ai.operation.name``, OpenInference ones ``openinference.span.kind``.
"""

from __future__ import annotations

_PRELUDE = """
import time
import agentops_otel as agentops
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from agentops_otel.foreign import SessionTracerProvider
from agentops_otel.registry import registry

CALL = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "groq", "gen_ai.request.model": "llama-3.1-8b-instant"}
USAGE = {"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20}
agentops.init(auto_start_session=False)
foreign = SessionTracerProvider(trace.get_tracer_provider(), registry, None)
genai = foreign.get_tracer("opentelemetry.instrumentation.groq")
openinference = foreign.get_tracer("openinference.instrumentation.langchain")


def llm_call(name):
    with genai.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=CALL) as span:
        time.sleep(0.001)
        span.set_attributes(USAGE)  # usage arrives with the response
"""

UNATTRIBUTED = (
    _PRELUDE
    + """
first, second = agentops.start_session(["first"]), agentops.start_session(["second"])
llm_call("chat lost")  # two sessions run, none in context: joins none
with first:
    llm_call("chat owned")
second.end_session("Success")
llm_call("chat with no session")  # no session running: a plain GenAI span
"""
)
"""Two sessions; a call made with none in context while both run; one owned; one after both ended."""

MANY_UNATTRIBUTED = _PRELUDE + "\nfor index in range(25):\n    llm_call(f'chat {index}')\n"
"""25 calls with no session running: more than the text report lists."""

_FRAMEWORK = """
AGENT = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner"}
TOOL = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"}


def openinference_span(name, kind):
    return openinference.start_as_current_span(name, attributes={"openinference.span.kind": kind})


session = agentops.start_session(["framework"])
with session:
    for turn in range(__TURNS__):
        with openinference_span("RunnableSequence", "CHAIN"):
            if turn % 2:
                agent = openinference_span("AgentExecutor", "AGENT")
            else:
                agent = genai.start_as_current_span("invoke_agent planner", attributes=AGENT)
            with agent:
                with openinference_span("VectorStoreRetriever", "RETRIEVER"):
                    time.sleep(0.001)
                for step in range(2):
                    with genai.start_as_current_span("execute_tool search", attributes=TOOL):
                        llm_call("chat llama-3.1-8b-instant")
                with openinference_span("ChatOpenAI", "LLM"):
                    time.sleep(0.001)
"""


def framework_script(turns: int) -> str:
    """One session of 1 + 8 x `turns` spans, nested as a framework nests them.

    Each turn: chain > agent (GenAI or OpenInference) > retriever, 2 x (tool > LLM), LLM.
    """
    return _PRELUDE + _FRAMEWORK.replace("__TURNS__", str(turns))


TURNS = 76
FRAMEWORK = framework_script(TURNS)
FRAMEWORK_SPANS = 1 + 8 * TURNS
"""609: more than the 500 spans a framework's session easily reaches."""
