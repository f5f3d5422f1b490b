"""Mistral's client (``server_url`` on the local server), recorded by OpenInference's instrumentation.

``mistralai`` 2+ is a namespace package, which import hooks never see imported: the integration
waits for ``mistralai.client``, the module the instrumentation patches.
"""

from __future__ import annotations

from decimal import Decimal

from tests.integrations.conftest import USER, assert_counted_once, require

require("mistralai.client", "openinference.instrumentation.mistralai")

from mistralai.client import Mistral  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "mistral-small-latest"


def test_chat_complete(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    with Mistral(server_url=llm_server.base_url + "/mistral", api_key="test") as client:
        response = client.chat.complete(model=MODEL, messages=USER)
    cost = session.end_session("Success")
    assert response.choices[0].message.content == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="mistral_ai")
    assert cost == Decimal(repr(cost_usd("mistral", MODEL, Usage(12, 5))))
