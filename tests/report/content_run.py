"""A recorded run with captured content: a chat with a tool call, a tool, a failure, and a hostile value."""

from __future__ import annotations

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"

CAPTURED = """
import agentops_otel as agentops

agentops.init(auto_start_session=False, capture_content=True)
session = agentops.start_session(["travel", "captured"])
question = [{"role": "user", "parts": [{"type": "text", "content": "Weather in Lisbon? " + HOSTILE}]}]
call = [{"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "weather",
         "arguments": {"city": "Lisbon"}}], "finish_reason": "tool_calls"}]
session.record(agentops.LLMEvent(model="gpt-4o-mini", prompt=question, completion=call,
                                 prompt_tokens=42, completion_tokens=7, cost=0.000011))
session.record(agentops.ToolEvent(name="weather", params={"city": "Lisbon"}, returns={"sky": "sunny", "c": 24}))
answer = question + call + [{"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1",
                             "response": {"sky": "sunny", "c": 24}}]}]
session.record(agentops.LLMEvent(model="gpt-4o", prompt=answer,
                                 completion=[{"role": "assistant", "parts": [{"type": "text",
                                 "content": "Sunny, 24 degrees."}], "finish_reason": "stop"}],
                                 prompt_tokens=90, completion_tokens=12, cost=0.00034))
try:
    raise TimeoutError("booking site took too long")
except TimeoutError as error:
    session.record(agentops.ErrorEvent(exception=error))
session.end_session("Fail", "no booking")
""".replace("HOSTILE}", repr(HOSTILE) + "}", 1)

NOT_CAPTURED = """
import agentops_otel as agentops

agentops.init(auto_start_session=False)
session = agentops.start_session(["plain"])
session.record(agentops.LLMEvent(model="gpt-4o-mini", prompt=[{"role": "user", "content": "hi"}],
                                 prompt_tokens=3, completion_tokens=2, cost=0.000001))
session.record(agentops.ToolEvent(name="search", params={"q": "x"}, returns=["y"]))
session.end_session("Success")
"""

SCORED = CAPTURED.replace(
    'start_session(["travel", "captured"])', 'start_session(["travel", "captured"], user_id="alice@example.org")', 1
).replace(
    'session.end_session("Fail"',
    'session.score("helpfulness", 0.9, label="good", explanation="found the weather " + ' + repr(HOSTILE) + ")\n"
    'session.end_session("Fail"',
    1,
)
"""The captured run with a user and a score (the browser tests; Phoenix gets the plain CAPTURED)."""
