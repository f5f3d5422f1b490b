"""Cost from genai-prices: cached rates give ``calc_price``'s price to the last digit; unknown models cost nothing."""

from __future__ import annotations

import logging

import pytest
from genai_prices import Usage as PricedUsage
from genai_prices import calc_price

from agentops_otel.pricing import cost_usd
from agentops_otel.usage import Usage


@pytest.mark.parametrize(
    ("provider", "model", "service_tier"),
    [
        ("openai", "gpt-4o-mini-2024-07-18", None),
        ("openai", "gpt-4o-mini-2024-07-18", "priority"),
        ("openai", "text-embedding-3-small", None),
        ("anthropic", "claude-sonnet-4-20250514", None),
        ("anthropic", "claude-3-5-haiku-latest", None),
        ("google", "gemini-2.5-pro", None),  # tiered: priced by calc_price each time
    ],
)
def test_cost_matches_calc_price(provider: str, model: str, service_tier: str | None) -> None:
    for tokens in (Usage(1000, 100, 500, 250), Usage(300_000, 10, 0, 0), Usage()):
        usage = PricedUsage(
            input_tokens=tokens.input,
            output_tokens=tokens.output,
            cache_read_tokens=tokens.cache_read,
            cache_write_tokens=tokens.cache_write,
        )
        context = {"service_tier": service_tier} if service_tier else None
        expected = calc_price(usage, model, provider_id=provider, price_context=context).total_price
        assert cost_usd(provider, model, tokens, service_tier) == float(expected)  # the float nearest the exact price


def test_an_unknown_model_has_no_cost_and_a_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="agentops_otel"):
        assert cost_usd("openai", "no-such-model-xyz", Usage(10, 10)) is None
        assert cost_usd("openai", "no-such-model-xyz", Usage(10, 10)) is None  # cached miss
    assert caplog.text.count("No price known") == 1
